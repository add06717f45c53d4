/// Strings of the Members pages that are built in code (the rest are in the templates).
enum MemberWebText {
    static let incomingStarted = "已发起接收，待转出工会同意后会籍自动转入"
    static let claimLinked = "已认领会籍，欢迎回家！"
    static func claimAsked(_ union: String) -> String { "认领申请已提交，待\(union)确认" }
    static func sortNote(_ column: String, ascending: Bool, byName: Bool) -> String {
        byName ? "按工会名称排列" : "按\(column)从\(ascending ? "低到高" : "高到低")排列" + (ascending ? "，排在前面的是后进" : "")
    }
    static let joinedPerMonth = "入会人数"
    static let working = "在职"
    static let retiredKept = "退休保留会籍"
    static let todoFounding = "应建委员会（满 25 人）"
    static let todoClaims = "待确认会籍认领"
    static let navClaims = "会籍认领"
    static func claimApproved(_ name: String) -> String { "已确认：\(name) 的账号已关联会籍" }
    static let claimRefused = "已不予确认，职工会收到理由"
    static func cardAwaitsApproval(_ union: String) -> String { "您的入会申请正在由\(union)审核，批准后电子会员卡就会出现在这里，届时会通知您。" }
    static func cardAwaitsClaim(_ union: String) -> String { "您的会籍认领正在等待\(union)确认，确认后电子会员卡就会出现在这里，届时会通知您。" }
    static let homeCard = "我的会员卡"
    static func memberNo(_ no: String) -> String { "会员号 \(no)" }
    static let homeJoin = "入会"
    static let homeJoinPending = "审核中"
    static let homeJoinPendingDetail = "工会审核后会通知您"
    static let homeNotMember = "尚未入会"
    static let homeJoinInvite = "在线申请加入工会"
    static let homeTransfer = "会籍接转"
    static let todoApplications = "待审核入会"
    static let todoTransfers = "待办会籍接转"
    static let passwordReset = "密码已重新设置，请用新密码登录"
    static let passwordChanged = "密码已修改，其他设备上的登录已失效"
    static let idNumber = "身份证号"
    static let phone = "手机号"
    static let navPersonalData = "个人信息请求"
    static let chooseRequestKind = "请选择更正或删除"
    static let requestFiled = "请求已提交，工会将在 15 个工作日内办理"
    static let requestDecided = "已办理"
    static let navMembers = "会员管理"
    static let navApplications = "入会审核"
    static let navTransfers = "会籍接转"
    static let navImports = "批量导入"
    static let navDashboard = "会员统计"
    static let created = "已登记会员"
    static let saved = "已保存"
    static let statusChanged = "会籍状态已变更"
    static let approved = "已批准入会"
    static let rejected = "已告知申请人不予批准的理由"
    static let transferRequested = "已发起会籍接转，等待双方工会办理"
    static let released = "已同意转出"
    static let accepted = "已同意接收"
    static let refused = "已拒绝该接转"
    static let importStarted = "文件已上传，正在导入"
    static let chooseFile = "请选择要导入的文件"
    static let applied = "入会申请已提交，请等待工会审核"
    static let registered = "注册成功"
    static let profileSaved = "个人信息已保存"
    static let loggedOut = "您已退出登录"
    static let errorsHeader = ["行号", "错误原因", "原始内容"]
}

extension MemberWebText {
    static let transferDone = "双方工会均已同意，会籍接转完成"
}
