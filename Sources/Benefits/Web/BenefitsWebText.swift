/// The card pages' words.
enum BenefitsWebText {
    static let issued = "已发卡"
    static let lost = "已挂失"
    static let reissued = "已补办新卡"
    static let cancelled = "已注销"
    static func applied(_ cardNo: String) -> String { "电子会员卡已开通，卡号 \(cardNo)" }
    static func redeemed(_ member: String, _ before: String, _ after: String) -> String { "核销成功：\(member)，原价 \(before) 元，实收 \(after) 元" }
    static func statementTitle(_ month: String, _ seq: Int64) -> String { "\(month) 结算单" + (seq > 1 ? "（补\(seq - 1)）" : "") }
    static let navMerchants = "合作商户"
    static let navSettlement = "普惠结算"
    static let reviewed = "已审核"
    static let staffAdded = "已开通收银员账号"
    static let offerCreated = "已开设优惠"
    static let settled = "结算单已确认"
    static let total = "合计"
    static let statementHeader = ["核销时间", "会员", "原价（元）", "实收（元）", "优惠（元）", "工会补贴（元）", "收银员"]
    static let applied = "申请已提交，工会审核后会与您联系"
    static func limits(perDay: Int64?, perMonth: Int64?, quota: Int64?) -> String {
        var parts: [String] = []
        if let quota { parts.append("每天限量\(quota)份") }
        if let perDay { parts.append("每人每天\(perDay)次") }
        if let perMonth { parts.append("每人每月\(perMonth)次") }
        return parts.isEmpty ? "不限" : parts.joined(separator: "，")
    }
    static func claimed(_ title: String) -> String { "抢到了！\(title)：到店出示电子会员卡核销" }
    static let qrLabel = "电子会员卡核验码"
    static let codeHint = "请商户扫码或输入上方数字；30秒更换，一次有效"
    static let navBatches = "批量发卡"
    static let batchStarted = "已开始批量发卡，进度见下表"
    static let redemptionsSeries = "核销笔数"
}
