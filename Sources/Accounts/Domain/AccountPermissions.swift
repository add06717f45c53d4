import Platform

extension Permission {
    public static let accountRead = Permission("account.read")
    public static let accountWrite = Permission("account.write")
    public static let roleGrant = Permission("role.grant")
    public static let roleManage = Permission("role.manage")
}

/// The permissions of staff accounts and roles.
public enum AccountPermissions {
    public static let all: [PermissionInfo] = [
        PermissionInfo(
            .accountRead, "查看工作人员账号",
            roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin, BuiltInRole.auditor, BuiltInRole.viewer]),
        PermissionInfo(.accountWrite, "管理工作人员账号", roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin]),
        PermissionInfo(.roleGrant, "授予角色", roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin]),
        PermissionInfo(.roleManage, "管理角色定义", roles: [BuiltInRole.systemAdmin]),
    ]
}
