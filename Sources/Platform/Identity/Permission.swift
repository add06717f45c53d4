/// An action a role may allow. The catalogue below is the written list of them all;
/// roles are rows that name some of these (seeded built-ins, admins may add more).
public struct Permission: RawRepresentable, Hashable, Sendable, Codable, Comparable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static func < (a: Permission, b: Permission) -> Bool { a.rawValue < b.rawValue }

    public static let orgRead = Permission("org.read")
    public static let orgWrite = Permission("org.write")
    public static let orgReorganize = Permission("org.reorganize")
    public static let accountRead = Permission("account.read")
    public static let accountWrite = Permission("account.write")
    public static let roleGrant = Permission("role.grant")
    public static let roleManage = Permission("role.manage")
    public static let auditRead = Permission("audit.read")

    /// Every permission with its label in the console.
    public static let catalogue: [(Permission, String)] = [
        (.orgRead, "查看工会组织"),
        (.orgWrite, "新建、编辑工会组织"),
        (.orgReorganize, "撤并、划转、关闭工会组织"),
        (.accountRead, "查看工作人员账号"),
        (.accountWrite, "管理工作人员账号"),
        (.roleGrant, "授予角色"),
        (.roleManage, "管理角色定义"),
        (.auditRead, "查看审计日志"),
    ]

    public var label: String { Self.catalogue.first { $0.0 == self }?.1 ?? rawValue }
}
