import Hummingbird
import Platform

/// `/api/v1/orgs…`: the union tree as JSON. Thin: decode, call the service, map to DTOs.
public struct OrgAPIController: Sendable {
    let service: OrganizationService

    public init(service: OrganizationService) { self.service = service }

    public func register(staff api: APIRoutes<StaffRequestContext>, public publicAPI: APIRoutes<AppRequestContext>, document: OpenAPIDocument) {
        document.schema("Org", OrgDTO.schema)
        document.schema("OrgPage", Schema.page("Org"))
        document.schema("OrgHistoryEntry", OrgHistoryDTO.schema)
        document.schema("OrgHistoryPage", Schema.page("OrgHistoryEntry"))
        document.schema("OrgInput", OrgInputDTO.schema)
        document.schema("PublicOrg", PublicOrgDTO.schema)
        document.schema("PublicOrgPage", Schema.page("PublicOrg"))
        let tag = "工会组织"
        let service = self.service

        api.add(.get, "/orgs", summary: "在本人范围内按名称或行政区划代码查找工会", tag: tag,
                query: [.query("q", "名称关键字或区划代码前缀"), .query("includeInactive", "含已撤销、已合并（true/false）")] + APIParam.paging,
                response: Schema.ref("OrgPage")) { request, context in
            let page = try await service.search(
                request.query("q") ?? "", actor: context.actor, includeInactive: request.query("includeInactive") == "true",
                page: try request.pageRequest())
            return JSONBody(PageDTO(page, OrgDTO.init))
        }
        api.add(.get, "/orgs/roots", summary: "本人范围最上层的工会", tag: tag, response: Schema.array(Schema.ref("Org"))) { _, context in
            JSONBody(try await service.roots(actor: context.actor).map(OrgDTO.init))
        }
        api.add(.get, "/orgs/{id}", summary: "工会详情", tag: tag, response: Schema.ref("Org")) { _, context in
            JSONBody(OrgDTO(try await service.get(try context.id(), actor: context.actor)))
        }
        api.add(.get, "/orgs/{id}/children", summary: "下级工会（正常状态）", tag: tag, query: APIParam.paging,
                response: Schema.ref("OrgPage")) { request, context in
            let page = try await service.children(of: try context.id(), actor: context.actor, page: try request.pageRequest())
            return JSONBody(PageDTO(page, OrgDTO.init))
        }
        api.add(.get, "/orgs/{id}/history", summary: "变更历史（新建、更名、划转、合并、撤销）", tag: tag,
                query: APIParam.paging, response: Schema.ref("OrgHistoryPage")) { request, context in
            let page = try await service.history(of: try context.id(), actor: context.actor, page: try request.pageRequest())
            return JSONBody(PageDTO(page, OrgHistoryDTO.init))
        }
        api.add(.post, "/orgs/{id}/children", summary: "新建下级工会", tag: tag, body: Schema.ref("OrgInput"),
                response: Schema.ref("Org"), status: 201) { request, context in
            let dto = try await request.decode(as: OrgInputDTO.self, context: context)
            return JSONBody(OrgDTO(try await service.createChild(of: try context.id(), dto.input, actor: context.actor)), status: .created)
        }
        api.add(.patch, "/orgs/{id}", summary: "修改工会信息（只改所提交的字段；null 清空可空字段；改名即更名）", tag: tag,
                body: OrgPatchDTO.schema, response: Schema.ref("Org")) { request, context in
            let dto = try await request.decode(as: OrgPatchDTO.self, context: context)
            return JSONBody(OrgDTO(try await service.edit(try context.id(), dto.patch, actor: context.actor)))
        }
        api.add(.post, "/orgs/{id}/move", summary: "划转到另一上级（整棵下级树随之移动）", tag: tag, body: MoveDTO.schema,
                response: Schema.ref("Org")) { request, context in
            let dto = try await request.decode(as: MoveDTO.self, context: context)
            return JSONBody(OrgDTO(try await service.move(try context.id(), to: dto.parentId, note: dto.note, actor: context.actor)))
        }
        api.add(.post, "/orgs/{id}/merge", summary: "合并到另一工会（下级组织随之划入）", tag: tag, body: MergeDTO.schema,
                response: Schema.ref("Org")) { request, context in
            let dto = try await request.decode(as: MergeDTO.self, context: context)
            return JSONBody(OrgDTO(try await service.merge(try context.id(), into: dto.targetId, note: dto.note, actor: context.actor)))
        }
        api.add(.post, "/orgs/{id}/close", summary: "撤销工会（须无下级组织）", tag: tag, body: NoteDTO.schema,
                response: Schema.ref("Org")) { request, context in
            let dto = try await request.decode(as: NoteDTO.self, context: context)
            return JSONBody(OrgDTO(try await service.close(try context.id(), note: dto.note, actor: context.actor)))
        }

        publicAPI.add(.get, "/public/orgs", summary: "一键找工会：按名称或区划代码查找（仅公开信息）", tag: tag,
                      query: [.query("q", "名称关键字或区划代码前缀")] + APIParam.paging,
                      response: Schema.ref("PublicOrgPage")) { request, _ in
            let page = try await service.publicSearch(request.query("q") ?? "", page: try request.pageRequest(defaultLimit: 20))
            return JSONBody(PageDTO(page, PublicOrgDTO.init))
        }
        publicAPI.add(.get, "/public/orgs/{id}", summary: "工会公开信息", tag: tag, response: Schema.ref("PublicOrg")) { _, context in
            JSONBody(PublicOrgDTO(try await service.publicOrg(try context.id())))
        }
    }
}
