/// Strings of the Accounts pages that are built in code (the rest are in the templates).
enum AccountWebText {
    static let navHome = "工作台"
    static let navAccounts = "账号管理"
    static let navRoles = "角色权限"
    static let navPartnerKeys = "合作方密钥"
    static let keyActive = "有效"
    static let keyRevoked = "已吊销"
    static let keyExpired = "已过期"
    static func keyRevokedFlash(_ name: String) -> String { "已吊销密钥「\(name)」" }
    static let navAudit = "审计日志"
    static let navMe = "个人设置"
    static let accountCreated = "已创建账号"
    static let granted = "已授予角色"
    static let revoked = "已收回角色"
    static let enabled = "已启用账号"
    static let disabled = "已停用账号，其登录会话已全部注销"
    static let passwordReset = "已重置密码并解除锁定，其登录会话已全部注销"
    static let passwordChanged = "密码已修改，其他设备上的登录已注销"
    static let roleCreated = "已新建角色"
    static let totpEnabled = "动态口令已绑定"
    static let qrLabel = "用身份验证器扫描此二维码"
    static let loggedOut = "您已安全退出"
    static let resultLabels = ["ok": "成功", "denied": "拒绝", "failed": "失败"]
}
