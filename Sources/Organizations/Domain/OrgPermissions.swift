import Platform

extension Permission {
    public static let orgWrite = Permission("org.write")
    public static let orgReorganize = Permission("org.reorganize")
}

/// The permissions of the union tree (`org.read` is the platform's: every domain uses it).
public enum OrgPermissions {
    public static let all: [PermissionInfo] = [
        PermissionInfo(.orgWrite, "新建、编辑工会组织", roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin]),
        PermissionInfo(.orgReorganize, "撤并、划转、关闭工会组织", roles: [BuiltInRole.systemAdmin, BuiltInRole.orgAdmin]),
    ]
}
