import Platform

/// User-facing strings of the work-order pages.
enum WorkOrderWebText {
    static let navQueue = "工单办理"
    static let navHotline = "12351 热线"
    static let navSupervision = "督办"
    static let navStats = "工单统计"
    static let navSettings = "工单设置"
    static let navNotifications = "消息"
    static let queueLabels: [QueueQuery.Queue: String] = [
        .org: "本单位待办", .mine: "我的", .subtree: "辖区全部", .dueSoon: "即将超期", .overdue: "超期", .followup: "待回访", .supervision: "督办", .assisting: "协办",
    ]
    /// The working days left to an open order's deadline, in the words a handler reads at a glance.
    static func remaining(_ dueOn: String, today: CivilDate, calendar: WorkCalendar) -> String? {
        guard let due = CivilDate(iso: dueOn) else { return nil }
        if due < today { return "已超期 \(calendar.workingDays(after: due, through: today)) 个工作日" }
        let left = calendar.workingDays(after: today, through: due)
        return left == 0 ? "今天到期" : "剩余 \(left) 个工作日"
    }
    static let homeRequests = "我的诉求"
    static func homeOpen(_ n: Int) -> String { n == 0 ? "暂无办理中" : "\(n) 件办理中" }
    static let homeMessages = "消息"
    static func homeUnread(_ n: Int) -> String { n == 0 ? "没有未读" : "\(n) 条未读" }
    static let todoToAccept = "待受理工单"
    static let todoMine = "我在办的工单"
    static let todoDueSoon = "即将超期"
    static let todoOverdue = "已超期"
    static let todoAssisting = "待协办"
    static let todoSupervision = "督办中"
    static let todoFollowup = "待回访"
    static let filed = "工单已登记"
    static let done: [String: String] = [
        "accept": "已受理", "transfer": "已转办", "assist": "已发出协办请求", "wait": "已请职工补充材料，计时暂停", "resume": "已恢复办理",
        "notes": "已记录", "resolve": "已办结", "urge": "已催办", "reassign": "已改派", "take-over": "已提级办理", "follow-up": "已记录回访",
    ]
    static let replySent = "已回复"
    static let fileUploaded = "附件已上传"
    static let chooseFile = "请选择要上传的文件"
    static let requestFiled = "您的诉求已提交，我们会尽快处理"
    static let replied = "已补充"
    static let rated = "感谢您的评价"
    static let reopened = "已重新提交办理"
    static let settingsSaved = "设置已保存"
    static let allRead = "已全部标为已读"
    static let any = "任意"
    static let onTimeRate = "按期办结率"
    static let satisfactionRate = "满意率"
}
