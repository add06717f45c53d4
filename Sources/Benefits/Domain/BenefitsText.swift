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

    // Batch issue
    static let batchStatusLabels: [CardBatch.Status: String] = [.queued: "排队中", .running: "发卡中", .done: "已完成"]
    static let batchUnionInvalid = "请选择您有发卡权限的工会"
    static let batchRunning = "该工会已有一批发卡正在进行，完成后再发起"
    static let batchNotFound = "没有找到该批次"

    // Merchants
    static let merchantStatusLabels: [Merchant.Status: String] = [.pending: "待审核", .approved: "已签约", .rejected: "未通过", .suspended: "已暂停"]
    static let merchantNameRequired = "请填写商户名称（60字以内）"
    static let creditCodeInvalid = "统一社会信用代码不正确：应为18位，最后一位校验码须与前17位相符"
    static let creditCodeTaken = "该统一社会信用代码的商户已提交过申请"
    static let categoryRequired = "请选择经营类别"
    static let contactRequired = "请填写联系人"
    static let phoneInvalid = "请填写正确的11位手机号"
    static let unionRequired = "请选择受理的工会"
    static let addressRequired = "请填写门店地址"
    static let coordinatesInvalid = "经纬度须同时填写，纬度在-90到90之间，经度在-180到180之间；不知道可以都不填"
    static let licenceRequired = "请上传营业执照照片"
    static let licenceNotImage = "营业执照须是5MB以内的图片（JPG、PNG等）"
    static let merchantNotFound = "没有找到该商户"
    static let alreadyReviewed = "该商户已审核过"
    static let agreementInvalid = "请填写协议起止日期，结束不能早于开始"
    static let rejectReasonRequired = "不通过时请填写原因"
    static let notApproved = "商户签约后才能开设优惠和收银员账号"

    // Offers and claims
    static let kindPercent = "折扣"
    static let kindPrice = "会员价"
    static func percentTerms(_ off: Int64) -> String {
        let rest = 100 - off
        return rest % 10 == 0 ? "\(rest / 10)折" : "\(Double(rest) / 10)折"
    }
    static func priceTerms(_ price: String, _ list: String?) -> String { "会员价 \(price) 元" + (list.map { "（原价 \($0) 元）" } ?? "") }
    static let offerTitleRequired = "请填写优惠名称（60字以内）"
    static let kindRequired = "请选择优惠方式"
    static let percentInvalid = "折扣比例须为1到99之间的整数（减免的百分比）"
    static let priceInvalid = "请填写正确的金额（元，最多两位小数）"
    static let offerUnionInvalid = "请选择可享受优惠的工会（须在您的管辖范围内）"
    static let payerInvalid = "补贴承担单位须在您的管辖范围内"
    static let subsidyInvalid = "补贴比例须为0到100之间的整数"
    static let validityInvalid = "请填写有效期，结束日期不能早于开始日期"
    static let weekdaysRequired = "请至少选择一个适用的星期"
    static let limitInvalid = "须为1到100000之间的整数，不限可不填"
    static let offerNotFound = "没有找到该优惠"
    static let noClaimNeeded = "该优惠不限量，出示会员卡即可享受"
    static let offerNotToday = "该优惠今天不可用"
    static let soldOut = "已抢完，明天再来"
    static func perDayReached(_ n: Int64) -> String { "该优惠每人每天限\(n)次，您今天已用完" }
    static func perMonthReached(_ n: Int64) -> String { "该优惠每人每月限\(n)次，您本月已用完" }

    // Codes and redemptions
    static let cardLost = "您的会员卡已挂失，补办后才能使用"
    static let codeBusy = "核验码生成繁忙，请稍后刷新"
    static let codeInvalid = "核验码无效或已过期，请会员刷新电子会员卡后重新出示"
    static let tooManyMisses = "输错核验码次数过多，本店核验暂停10分钟；请核对会员出示的号码"
    static let codeUsed = "该核验码已使用过，请会员刷新后重新出示"
    static let cardNotActive = "该会员卡不可用（已挂失、注销或会员已不在册）"
    static let amountInvalid = "请填写正确的消费金额（元）"
    static let merchantNotServing = "本商户不在签约期内，暂不能核销"
    static let offerNotOwn = "该优惠不属于本商户"
    static let memberOutsideOffer = "该会员不在此优惠的适用范围内"
    static let noVoucher = "该会员没有可用的抢购券（限量优惠须先在电子会员卡里抢券）"

    // Settlement
    static let monthInFuture = "不能结算未来的月份"
    static let nothingToSettle = "该月没有待结算的核销记录"
    static let settleRace = "结算时有新的核销记录写入，请重试"
    static let statementNotFound = "没有找到该结算单"
    static let monthInvalid = "月份格式应为 YYYY-MM"
    static let sinceInvalid = "since 须为 ISO 8601 时间，如 2026-12-01T00:00:00Z"
    static let statusInvalid = "状态只能是 pending、approved、rejected 或 suspended"
}
