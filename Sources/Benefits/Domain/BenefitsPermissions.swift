import Platform

extension Permission {
    public static let cardRead = Permission("card.read")
    public static let cardIssue = Permission("card.issue")
}

/// The permissions of 普惠服务 (member cards so far).
public enum BenefitsPermissions {
    public static let all: [PermissionInfo] = [
        PermissionInfo(
            .cardRead, "查看会员卡",
            roles: [
                BuiltInRole.systemAdmin, BuiltInRole.orgAdmin, BuiltInRole.memberClerk, BuiltInRole.auditor, BuiltInRole.viewer,
                BuiltInRole.workOrderHandler, BuiltInRole.hotlineOperator,
            ]),
        PermissionInfo(.cardIssue, "办理会员卡（发卡、挂失、补办、注销）", roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin, BuiltInRole.memberClerk]),
    ]
}
