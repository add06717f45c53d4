/// 工会法 art. 11: a workplace with 25 members or more sets up a grassroots committee (基层工会委员会);
/// with fewer it may elect an organiser (组织员) or join a joint grassroots union (联合基层工会).
enum FoundingRule {
    static let threshold: Int64 = 25

    /// The flag the dashboard and the workbench show: an organiser's union that has grown to a committee's size.
    static let needsCommittee = "needs_committee"

    static func flag(form: UnionNode.Form, members: Int64) -> String? {
        form == .organiser && members >= threshold ? needsCommittee : nil
    }

    /// The news when a grassroots union crossed 25 since the last count, for it and its parent.
    static func crossing(form: UnionNode.Form, before: Int64?, now: Int64) -> ((String) -> String)? {
        guard form != .other, let before else { return nil }
        if before < threshold && now >= threshold {
            return form == .organiser ? MemberText.foundingReached : MemberText.foundingReachedCommittee
        }
        if before >= threshold && now < threshold, form == .committee { return MemberText.foundingBelow }
        return nil
    }
}
