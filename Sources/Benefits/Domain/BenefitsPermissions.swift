import Platform

extension Permission {
    public static let cardRead = Permission("card.read")
    public static let cardIssue = Permission("card.issue")
    public static let merchantManage = Permission("merchant.manage")
    public static let benefitsSettle = Permission("benefits.settle")
}

/// The permissions of 普惠服务.
public enum BenefitsPermissions {
    public static let all: [PermissionInfo] = [
        PermissionInfo(
            .cardRead, "查看会员卡",
            roles: [
                BuiltInRole.systemAdmin, BuiltInRole.orgAdmin, BuiltInRole.memberClerk, BuiltInRole.auditor, BuiltInRole.viewer,
                BuiltInRole.workOrderHandler, BuiltInRole.hotlineOperator,
            ]),
        PermissionInfo(.cardIssue, "办理会员卡（发卡、挂失、补办、注销）", roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin, BuiltInRole.memberClerk]),
        PermissionInfo(.merchantManage, "管理合作商户与优惠（审核、收银员、优惠）", roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin]),
        PermissionInfo(.benefitsSettle, "普惠结算（查看与确认商户结算单）", roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin]),
    ]
}
