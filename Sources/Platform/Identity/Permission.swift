/// An action a role may allow. The catalogue below is the written list of them all;
/// roles are rows that name some of these (seeded built-ins, admins may add more).
public struct Permission: RawRepresentable, Hashable, Sendable, Codable, Comparable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static func < (a: Permission, b: Permission) -> Bool { a.rawValue < b.rawValue }

    public static let orgRead = Permission("org.read")
    public static let orgWrite = Permission("org.write")
    public static let orgReorganize = Permission("org.reorganize")
    public static let accountRead = Permission("account.read")
    public static let accountWrite = Permission("account.write")
    public static let roleGrant = Permission("role.grant")
    public static let roleManage = Permission("role.manage")
    public static let auditRead = Permission("audit.read")
    public static let memberRead = Permission("member.read")
    public static let memberWrite = Permission("member.write")
    public static let memberReveal = Permission("member.reveal")
    public static let memberImport = Permission("member.import")
    public static let memberExport = Permission("member.export")
    public static let workOrderRead = Permission("workorder.read")
    public static let workOrderIntake = Permission("workorder.intake")
    public static let workOrderHandle = Permission("workorder.handle")
    public static let workOrderSupervise = Permission("workorder.supervise")
    public static let workOrderConfigure = Permission("workorder.configure")

    /// Every permission with its label in the console.
    public static let catalogue: [(Permission, String)] = [
        (.orgRead, "查看工会组织"),
        (.orgWrite, "新建、编辑工会组织"),
        (.orgReorganize, "撤并、划转、关闭工会组织"),
        (.accountRead, "查看工作人员账号"),
        (.accountWrite, "管理工作人员账号"),
        (.roleGrant, "授予角色"),
        (.roleManage, "管理角色定义"),
        (.auditRead, "查看审计日志"),
        (.memberRead, "查看会员信息"),
        (.memberWrite, "办理入会、会籍接转、维护会员信息"),
        (.memberReveal, "查看完整身份证号、手机号（须填写理由）"),
        (.memberImport, "批量导入会员"),
        (.memberExport, "导出会员"),
        (.workOrderRead, "查看工单及统计"),
        (.workOrderIntake, "登记工单（热线、窗口代办）、回访"),
        (.workOrderHandle, "受理、转办、协办、办结工单"),
        (.workOrderSupervise, "督办工单（催办、改派、提级办理）"),
        (.workOrderConfigure, "配置工单类型、分类、分派规则与节假日"),
    ]

    public var label: String { Self.catalogue.first { $0.0 == self }?.1 ?? rawValue }
}
