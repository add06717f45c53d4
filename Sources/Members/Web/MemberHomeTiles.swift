import Platform
import WebUI

/// The worker's membership on the member site's home page: the card once a member, else where joining stands.
public struct MemberHomeTiles: WorkerHomeSource {
    let portal: PortalService

    public init(portal: PortalService) { self.portal = portal }

    public func tiles(forWorker workerId: Int64) async throws -> [HomeTile] {
        let mine = try await portal.mine(workerId: workerId)
        var tiles: [HomeTile] = []
        if let member = mine.member, member.isCounted {
            tiles.append(
                HomeTile(
                    title: MemberWebText.homeCard, value: mine.union?.name ?? "", detail: MemberWebText.memberNo(member.memberNo),
                    href: "/me/card"))
        } else if mine.applications.contains(where: { $0.status == .pending }) {
            tiles.append(
                HomeTile(
                    title: MemberWebText.homeJoin, value: MemberWebText.homeJoinPending, detail: MemberWebText.homeJoinPendingDetail,
                    href: "/me"))
        } else {
            tiles.append(
                HomeTile(
                    title: MemberWebText.homeJoin, value: MemberWebText.homeNotMember, detail: MemberWebText.homeJoinInvite,
                    href: "/me/join", attention: true))
        }
        if let moving = mine.transfers.first(where: { $0.status == .pending }) {
            tiles.append(HomeTile(title: MemberWebText.homeTransfer, value: moving.status.label, href: "/me"))
        }
        return tiles
    }
}
