import Platform

extension Permission {
    public static let memberRead = Permission("member.read")
    public static let memberWrite = Permission("member.write")
    public static let memberReveal = Permission("member.reveal")
    public static let memberImport = Permission("member.import")
    public static let memberExport = Permission("member.export")
}

/// The permissions of the member database.
public enum MemberPermissions {
    static let admins: Set<String> = [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin]
    static let clerks = admins.union([BuiltInRole.memberClerk])

    public static let all: [PermissionInfo] = [
        PermissionInfo(
            .memberRead, "查看会员信息",
            roles: clerks.union([BuiltInRole.auditor, BuiltInRole.viewer, BuiltInRole.workOrderHandler, BuiltInRole.hotlineOperator])),
        PermissionInfo(.memberWrite, "办理入会、会籍接转、维护会员信息", roles: clerks),
        PermissionInfo(.memberReveal, "查看完整身份证号、手机号（须填写理由）", roles: admins),
        PermissionInfo(.memberImport, "批量导入会员", roles: clerks),
        PermissionInfo(.memberExport, "导出会员", roles: clerks),
    ]
}
