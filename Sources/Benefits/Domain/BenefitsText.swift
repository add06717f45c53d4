/// Every user-facing string of the card domain, in one place for translation.
public enum BenefitsText {
    static let statusLabels: [MemberCard.Status: String] = [.active: "正常", .lost: "已挂失", .cancelled: "已注销"]
    static let memberNotFound = "没有找到该会员"
    static let cardNotFound = "没有找到该会员卡"
    static let notCounted = "该会员不在册（已退会或转出），不能办卡"
    static let alreadyHolds = "该会员已有会员卡；挂失后可补办新卡"
    static let notAMember = "您还不是工会会员，入会后即可申领电子会员卡"
    static let notActive = "只有正常状态的会员卡可以挂失"
    static let cannotReissue = "已注销的会员卡不能补办；请为会员重新办卡"
    static let alreadyCancelled = "该会员卡已注销"
    static let reasonRequired = "请填写注销原因"
    static let reissued = "补办新卡"
    public static let demoIssuer = "演示数据"
}
