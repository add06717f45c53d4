/// User-facing strings of the Members module (messages built in code), in one place for translation.
public enum MemberText {
    public static let piplCorrection = "更正"
    public static let piplDeletion = "删除"
    public static let piplPending = "待处理"
    public static let piplDone = "已办理"
    public static let piplRefused = "未同意"
    public static let piplAccount = "网上职工之家账号"
    public static let piplPhone = "手机号"
    public static let piplSince = "注册日期"
    public static let piplMember = "会员信息"
    public static let piplMemberships = "会籍记录"
    public static let piplApplications = "入会申请"
    public static let piplDetailRequired = "请说明要更正或删除的内容（2–500 字）"
    public static let piplNoteRequired = "请填写办理意见（2–500 字）"
    public static let piplAlreadyPending = "您已有一件同类请求正在处理"
    public static let piplDecided = "该请求已处理"
    public static let piplErasedReason = "本人申请删除个人信息"
    public static let piplErasedName = "（已删除）"
    public static let idFieldsFixed = "身份证号及由其确定的性别、出生日期不能修改"
    public static let notFound = "未找到该会员"
    public static let nameRequired = "请填写姓名"
    public static let nameTooLong = "姓名不能超过 50 个字"
    public static let idRequired = "请填写身份证号"
    public static let unknownEthnicity = "民族名称不在 56 个民族之列"
    public static let unknownEducation = "学历不在可选范围内"
    public static let unknownPolitical = "政治面貌不在可选范围内"
    public static let badGender = "性别应为“男”或“女”"
    public static let badDate = "日期格式应为 2026-01-31"
    public static let joinDateFuture = "入会日期不能晚于今天"
    public static let joinDateTooEarly = "入会日期不能早于 1925 年 5 月 1 日或出生日期"
    public static let badMigrant = "是否农民工应为“是”或“否”"
    public static let unionRequired = "请填写所在工会组织编号"
    public static let unknownUnion = "工会组织编号不存在，或不在您的管理范围内"
    public static let unionNotGrassroots = "会员应加入基层工会（单位没有工会的，加入所在乡镇、街道或县级工会）"
    public static let jobTooLong = "工作岗位不能超过 50 个字"
    public static func duplicateInFile(_ row: Int) -> String { "与第 \(row) 行的身份证号重复" }
    public static let alreadyMember = "该身份证号已是会员，不能重复入会"
    // How a membership began, as its history shows it.
    public static let joinedByClerk = "入会"
    public static let joinedOnline = "网上入会"
    public static let joinedByImport = "批量导入"
    public static let joinedByTransfer = "会籍接转"
    public static let revealReasonRequired = "请填写查看理由（至少 2 个字）"
    public static let badStatusChange = "会籍状态不能这样变更"
    // Joining
    public static let workplaceRequired = "请填写工作单位名称"
    public static let applicationPending = "您已有一份入会申请正在审核"
    public static let idApplicationPending = "该身份证号已有一份入会申请正在审核"
    public static let chooseUnion = "请选择要加入的工会"
    public static let unionNotFound = "所选工会不存在"
    public static let unionClosed = "该工会已撤销或合并，请选择其他工会"
    public static let joinYourWorkplaceUnion = "单位已建立工会的，请选择本单位的工会；单位还没有工会的，请选择“未建立”后再选乡镇、街道工会"
    static func unionHasTransfersIn(_ n: Int) -> String { "该工会还有 \(n) 份转入的会籍接转待办理，请先办结或拒绝后再撤销" }
    static func unionHasApplications(_ n: Int) -> String { "该工会还有 \(n) 份入会申请待审核，请先处理后再撤销" }
    static func unionHasClaims(_ n: Int) -> String { "该工会还有 \(n) 份会籍认领待确认，请先处理后再撤销" }
    static func retiringEarly(_ age: Int) -> String {
        "该会员现年 \(age) 周岁，未到法定退休年龄（男 60、女职工 50 周岁起），请核实后勾选“确认”再设为退休保留会籍"
    }
    static func unionHasRetiredOnly(_ n: Int) -> String {
        "该工会还有 \(n) 名退休保留会籍的会员，请先将他们的会籍转至其他工会（如上级工会或社区工会）后再撤销"
    }
    static func foundingReached(_ union: String) -> String {
        "\(union)会员已达 25 人，依照《工会法》第十一条应建立基层工会委员会"
    }
    static func foundingReachedCommittee(_ union: String) -> String { "\(union)会员已达 25 人，符合建立基层工会委员会的条件（《工会法》第十一条）" }
    static func foundingBelow(_ union: String) -> String {
        "\(union)会员已不足 25 人，依照《工会法》第十一条可选举组织员或加入联合基层工会"
    }
    static let foundingNeedsCommittee = "会员达 25 人，应建立基层工会委员会（《工会法》第十一条）"
    static let importNotGrassroots = "工会组织编号须为基层工会（乡镇、街道及以上工会不能直接登记会员）"
    static let badExportFormat = "format 只能是 xlsx 或 csv"
    static let badTransferStatus = "status 只能是 pending、completed 或 refused"
    static let badMigrantFilter = "migrantWorker 只能是 true 或 false"
    public static let alreadyActive = "您已是工会会员"
    public static let applicationDecided = "该申请已处理"
    public static let rejectReasonRequired = "请填写不予批准的理由"
    public static let applicationNotFound = "未找到该入会申请"
    // Transfers
    public static let transferNotFound = "未找到该接转申请"
    public static let transferSameUnion = "转入工会与当前工会相同"
    public static let transferPending = "已有一份会籍接转正在办理"
    public static let transferDecided = "该接转申请已办结"
    public static let memberNotActive = "只有在会（含退休保留会籍）的会员可以办理会籍接转"
    public static let refuseReasonRequired = "请填写拒绝理由"
    public static let unionHasMembers = "该工会还有在会会员，请先将会员整体转移或合并到其他工会"
    // Worker accounts
    public static let codeSent = "验证码已发送"
    public static let codeTooSoon = "验证码发送过于频繁，请 60 秒后再试"
    public static let badCode = "验证码不正确或已过期"
    public static let passwordOrCode = "请填写密码或短信验证码（二者选一）"
    public static let currentPasswordWrong = "当前密码不正确"
    public static let notAMemberYet = "您还不是工会会员，请先申请入会"
    public static let phoneTaken = "该手机号已注册，请直接登录"
    public static let loginFailed = "手机号或密码错误"
    public static func locked(minutes: Int) -> String { "登录失败次数过多，请 \(minutes) 分钟后再试" }
    static func joinApproved(_ union: String, _ memberNo: String) -> String {
        "您加入\(union)的申请已通过，欢迎成为工会会员！会员号 \(memberNo)，电子会员卡可在“我的”查看。"
    }
    static func joinApprovedSMS(_ union: String) -> String { "【网上职工之家】您加入\(union)的申请已通过，欢迎成为工会会员。登录“我的”查看电子会员卡。" }
    static func joinRejected(_ union: String, _ reason: String) -> String { "您加入\(union)的申请未通过，原因：\(reason)" }
    static func joinRejectedSMS(_ union: String) -> String { "【网上职工之家】您加入\(union)的申请未通过，原因请登录“我的”查看。" }
    static func transferStarted(_ from: String, _ to: String) -> String { "您的会籍接转已提交：由\(from)转入\(to)，待双方工会确认。" }
    static func transferToConfirm(_ name: String, _ from: String, _ to: String) -> String { "会籍接转待确认：\(name)，\(from) → \(to)" }
    static func transferToRelease(_ name: String, _ from: String, _ to: String) -> String {
        "\(to)申请接收会员\(name)（\(from) → \(to)），请办理转出"
    }
    static let transferUnionRequired = "请选择转入的工会"
    static let incomingUnionRequired = "请选择本级管理范围内接收会员的基层工会"
    static let incomingNotFound = "未找到身份证号与姓名相符的在会会员，请核对后重试"
    static let claimInstead = "该身份证号已登记为工会会员。如是您本人，请在“我的”页面认领会籍，无需重新入会"
    static let claimNotFound = "未找到与姓名和身份证号相符的在会会员；如尚未入会，请在线申请入会"
    static let claimTaken = "该会籍已由其他账号认领，如非本人操作，请联系所在工会"
    static let claimLinkRefused = "无法关联：该会籍已关联其他账号，或该账号已有会籍；请不予确认并说明理由"
    static let claimPending = "该会籍已有一份认领申请正在确认"
    static let claimRequestNotFound = "未找到该认领申请"
    static let claimDecided = "该认领申请已处理"
    static func claimToConfirm(_ name: String, _ phone: String) -> String { "会籍认领待确认：\(name)（手机 \(phone)）" }
    static func claimAsked(_ union: String) -> String { "您的会籍认领申请已提交，待\(union)确认后即可使用电子会员卡。" }
    static func claimLinked(_ union: String, _ memberNo: String) -> String { "您已认领\(union)的会籍（会员号 \(memberNo)），电子会员卡可在“我的”查看。" }
    static func claimLinkedSMS(_ union: String) -> String { "【网上职工之家】您已认领\(union)的会籍，登录“我的”查看电子会员卡。" }
    static func claimRefused(_ reason: String) -> String { "您的会籍认领未通过，原因：\(reason)" }
    static let claimRefusedSMS = "【网上职工之家】您的会籍认领未通过，原因请登录“我的”查看。"
    static func transferDone(_ from: String, _ to: String) -> String { "您的会籍已由\(from)转入\(to)，会员卡随之更新。" }
    static func transferDoneSMS(_ to: String) -> String { "【网上职工之家】您的工会会籍已转入\(to)。" }
    static func transferDoneForUnion(_ name: String, _ from: String, _ to: String) -> String { "会籍接转已完成：\(name)，\(from) → \(to)" }
    static func transferRefused(_ reason: String) -> String { "您的会籍接转未通过，原因：\(reason)" }
    static let transferRefusedSMS = "【网上职工之家】您的会籍接转未通过，原因请登录“我的”查看。"
    public static func smsBody(_ code: String) -> String { "【网上职工之家】您的验证码是 \(code)，10 分钟内有效。请勿告诉他人。" }
    // Imports
    public static let importMissingColumns = "表头缺少必填列"
    public static let importEmptyFile = "文件中没有数据行"
    public static let importUnreadable = "无法读取该文件，请上传 .xlsx 或 .csv 文件"
    public static let importTooLarge = "文件过大（上限 200 MB）"
    public static let importNotFound = "未找到该导入任务"
    public static let wrongCellCount = "该行的列数与表头不一致"
}

extension MemberText {
    public static let badRevealField = "只能查看身份证号或手机号"
    public static let badStatusFilter = "会籍状态参数无效"
}
