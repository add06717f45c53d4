/// The card pages' words.
enum BenefitsWebText {
    static let issued = "已发卡"
    static let lost = "已挂失"
    static let reissued = "已补办新卡"
    static let cancelled = "已注销"
    static func applied(_ cardNo: String) -> String { "电子会员卡已开通，卡号 \(cardNo)" }
}
