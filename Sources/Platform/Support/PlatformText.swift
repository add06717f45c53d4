import HTTPTypes

/// The platform's user-facing strings, in one place for translation.
public enum PlatformText {
    public static let validationFailed = "提交的内容有误，请检查后重试"
    public static let notFound = "未找到要访问的内容"
    public static let forbidden = "您没有权限执行此操作"
    public static let unauthenticated = "请先登录"
    public static let badCSRF = "页面已过期，请刷新后重试"
    public static let internalError = "系统繁忙，请稍后重试"
    public static let badCursor = "分页参数无效"
    public static let badLimit = "每页条数应在 1 到 200 之间"
    public static let required = "此项为必填项"
    public static let badValue = "格式或取值不正确"
    public static let tooLong = "内容过长"
    public static let concurrentChange = "该记录刚被他人修改，请刷新后重试"
    public static let databaseBusy = "数据库繁忙，请稍后重试"
    public static let rateLimited = "操作过于频繁，请稍后再试"
}

extension PlatformText {
    public static let malformedBody = "请求内容格式不正确"
    public static let passwordTooShort = "密码至少 8 位"
    public static let passwordClasses = "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    public static let passwordTooCommon = "这个密码太容易被猜到（常见密码、连续或重复的字符、手机号），请换一个"
    public static let passwordTooLong = "密码不能超过 72 个字节"
}

extension PlatformText {
    public static let uploadTooLarge = "上传的文件过大"
    public static let bodyTooLarge = "提交的内容过大"
    public static let controlCharacters = "提交的内容含有不允许的控制字符"
    public static let auditRetention = "审计日志至少保留六个月：只能归档 183 天以前的记录"
    public static let fileExists = "目标文件已存在"
    public static func auditChainBroken(_ seq: Int64) -> String { "审计日志链在第 \(seq) 条处断开，未归档" }

    /// The title of a problem+json answer, in Chinese like its detail.
    public static func title(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "请求有误"
        case 401: "未登录"
        case 403: "无权访问"
        case 404: "未找到"
        case 409: "状态冲突"
        case 413: "内容过大"
        case 415: "不支持的内容类型"
        case 422: "内容校验未通过"
        case 429: "请求过于频繁"
        case 503: "服务暂不可用"
        case 500...599: "服务器错误"
        default: "请求未能完成"
        }
    }
}

extension PlatformText {
    public static let phoneEmpty = "请填写手机号"
    public static let phoneBadFormat = "手机号格式不正确，应为 11 位手机号码（如 13812345678）"
    public static let phoneLandline = "请填写 11 位手机号码，不能填写固定电话"
}
