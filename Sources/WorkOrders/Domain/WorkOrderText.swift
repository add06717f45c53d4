import Platform

/// Every user-facing string of the work-order domain, in one place for translation.
public enum WorkOrderText {
    static let total = "合计"
    static let statusLabels: [WorkOrder.Status: String] = [
        .submitted: "待受理", .accepted: "办理中", .waiting: "待补充材料", .resolved: "已办结待评价", .closed: "已关闭",
    ]
    static let channelLabels: [WorkOrder.Channel: String] = [.site: "网上职工之家", .hotline: "12351 热线", .api: "合作应用", .walkIn: "服务站窗口"]
    static let complexityLabels: [WorkOrder.Complexity: String] = [.normal: "一般", .difficult: "疑难", .complex: "特别复杂"]
    static let actionLabels: [String: String] = [
        "filed": "提交诉求", "routed": "分派", "accepted": "受理", "transferred": "转办", "assist_requested": "发起协办",
        "assist_replied": "协办回复", "waiting": "请职工补充材料", "resumed": "恢复办理", "worker_replied": "职工补充",
        "note": "办理记录", "urged": "催办", "escalated": "超期提级督办", "taken_over": "上级提级办理", "reassigned": "上级改派",
        "resolved": "办结", "rated": "职工评价", "reopened": "职工不满意，重新办理", "followup": "电话回访", "closed": "关闭",
        "auto_closed": "评价期满自动关闭", "file_added": "上传附件", "due_warning": "即将到期提醒",
    ]
    public static let levelLabels: [String: String] = [
        "province": "省级", "city": "市级", "county": "县级", "township": "乡镇街道", "grassroots": "基层",
    ]

    static let monthInvalid = "月份应写作 2026-01（2000 年至 2100 年）"
    static let monthOrder = "截止月份不能早于起始月份"
    static func monthRangeTooLong(_ n: Int) -> String { "统计范围最多 \(n) 个月" }
    static let typeRequired = "请选择诉求类型"
    static let typeUnknown = "诉求类型不存在或已停用"
    static let categoryRequired = "请选择诉求分类"
    static let categoryUnknown = "诉求分类不存在或已停用"
    static let complexityUnknown = "复杂程度只能是一般、疑难或特别复杂"
    static let titleRequired = "请填写标题（100 字以内）"
    static let descriptionRequired = "请描述您的诉求（5000 字以内）"
    static let callerNameRequired = "请填写来电人或诉求人姓名"
    static let workerNameRequired = "请填写您的姓名"
    static let phoneInvalid = "手机号码格式不正确"
    static let unionRequired = "请选择受理的工会"
    static let unionUnknown = "所选工会不存在或已撤销"
    /// The actor named on timeline rows the engine writes by itself.
    static let systemActor = "系统"
    static let unionOutOfScope = "只能为您管辖范围内的工会登记工单"
    static let notFound = "工单不存在或不在您的管辖范围内"
    static let notOpen = "工单已办结或已关闭，不能再办理"
    static let notSubmitted = "工单已被受理"
    static let notAccepted = "请先受理工单"
    static let notWaiting = "工单不在待补充材料状态"
    static let notResolved = "工单尚未办结"
    static let noteRequired = "请填写说明（1000 字以内）"
    static let outcomeRequired = "请填写办理结果（2000 字以内）"
    static let amountInvalid = "追回金额请写成金额，如 115000、115,000.50、11.5万 或 12万元"
    static let peopleInvalid = "受益人数须为 0–100000 的整数"
    static let targetRequired = "请选择转办或协办的工会"
    static let targetOutOfScope = "只能转办到您管辖范围内的工会或上一级工会"
    static let targetSame = "工单已在该工会办理"
    static let assistOutOfScope = "只能请求您管辖范围内或同一上级下的工会协办"
    static let assistNotFound = "协办请求不存在或已回复"
    static let ratingInvalid = "评价须为 1–5 星"
    /// `4 星：处理很及时` in the order's timeline.
    static func ratingNote(_ stars: Int, comment: String) -> String { "\(stars) 星" + (comment.isEmpty ? "" : "：\(comment)") }
    /// `（4 星）` after a follow-up call's note.
    static func followupRating(_ stars: Int) -> String { "（\(stars) 星）" }
    static let commentTooLong = "评价内容不能超过 500 字"
    static let alreadyRated = "该工单已评价"
    static let reopenUsed = "每个工单只能申请重新办理一次"
    static let reopenSatisfied = "重新办理须说明不满意的原因"
    static let notYours = "工单不存在"
    static let notEscalated = "该工单未提级督办"
    static let superviseOutOfScope = "该工单不在您的督办范围内"
    static let followupDone = "该工单已回访"
    static let fileTooLarge = "附件不能超过 10 MB"
    static let fileType = "附件只能是 JPG、PNG、GIF、WebP 图片或 PDF 文件（按文件内容识别）"
    static let fileNameMismatch = "文件扩展名与实际内容不符"
    static let tooManyFiles = "每个工单最多 10 个附件"
    static let fileNotFound = "附件不存在"
    static let openOrdersRemain = "该工会还有未办结的工单，请先转办或办结"
    static let channelInvalid = "渠道只能是 api、hotline 或 walk_in"
    static let queueInvalid = "队列参数无效"
    static let statusInvalid = "状态参数无效"
    static let levelUnknown = "目标层级不存在"
    static let daysInvalid = "办理时限须为 1–365 个工作日，且一般 ≤ 疑难 ≤ 特别复杂"
    static let nameRequired = "请填写名称（30 字以内）"
    static let codeInvalid = "代码只能由小写字母、数字和下划线组成（2–30 位）"
    static let codeTaken = "代码已存在"
    static let dayInvalid = "日期格式应为 2026-10-01"
    static let calendarNameRequired = "请填写节日名称"

    // Notifications and text messages
    static func newOrder(_ number: String, _ title: String) -> String { "新工单 \(number)：\(title)" }
    static func transferredIn(_ number: String, _ from: String) -> String { "工单 \(number) 由\(from)转来，请及时受理" }
    static func acceptedByUnion(_ number: String, _ org: String) -> String { "您的诉求 \(number) 已由\(org)受理" }
    static func waitingForYou(_ number: String, _ note: String) -> String { "您的诉求 \(number) 需要补充：\(note)" }
    static func dueSoon(_ number: String, _ due: String) -> String { "工单 \(number) 将于 \(due) 到期，请抓紧办理" }
    static func escalatedTo(_ number: String, _ org: String) -> String { "工单 \(number) 已超期，提交\(org)督办" }
    static func urged(_ number: String, _ note: String) -> String { "上级催办工单 \(number)：\(note)" }
    static func assistAsked(_ number: String, _ org: String) -> String { "\(org)请求协办工单 \(number)" }
    static func acceptedSMS(_ number: String, _ org: String) -> String {
        "【网上职工之家】您的诉求 \(number) 已由\(org)受理，办理进展可在“我的诉求”查看。"
    }
    static func transferredForWorker(_ number: String, _ org: String, _ due: String, note: String?) -> String {
        "您的诉求 \(number) 已转至\(org)办理，\(deadline(due))" + (note.map { "。说明：\($0)" } ?? "")
    }
    static func transferredSMS(_ number: String, _ org: String, _ due: String) -> String {
        "【网上职工之家】您的诉求 \(number) 已转至\(org)办理，\(deadline(due))。"
    }
    static func resolvedForWorker(_ number: String) -> String { "您的诉求 \(number) 已办结，请查看办理结果并评价" }
    static func resolvedSMS(_ number: String) -> String { "【网上职工之家】您的诉求 \(number) 已办结，请登录“我的诉求”查看结果并评价。" }
    static func reopenedBy(_ number: String) -> String { "职工对工单 \(number) 的办理结果不满意，已重新办理" }
    static func routedByRule(_ note: String?) -> String { "按分派规则转至上级工会办理" + (note.map { "（\($0)）" } ?? "") }
    /// Written into the timeline and the worker's messages, so with the year: `办理期限至 2026年12月9日`.
    static func deadline(_ due: String) -> String {
        guard let d = CivilDate(iso: due) else { return "办理期限至 \(due)" }
        return "办理期限至 \(d.year)年\(d.month)月\(d.day)日"
    }
    static let autoClosed = "评价期满，系统自动关闭"
    static let defaultRoute = "分派至职工所在工会"
}
