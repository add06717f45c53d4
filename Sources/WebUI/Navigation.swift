import Platform

/// One entry of the console's left navigation, shown to accounts holding its permission.
public struct NavEntry: Sendable {
    public var href: String
    public var label: String
    public var icon: String
    public var permission: Permission?
    public var order: Int

    public init(href: String, label: String, icon: String, permission: Permission?, order: Int) {
        self.href = href
        self.label = label
        self.icon = icon
        self.permission = permission
        self.order = order
    }
}

/// The console's navigation, assembled in App from the entries each module contributes.
public struct Navigation: Sendable {
    public let entries: [NavEntry]

    public init(_ entries: [NavEntry]) { self.entries = entries.sorted { $0.order < $1.order } }

    func visible(to principal: Principal, path: String) -> [[String: Any]] {
        let granted = principal.permissions
        let shown = entries.filter { $0.permission.map(granted.contains) ?? true }
        // The longest matching prefix is the active entry (`/admin` must not light up everywhere).
        let active = shown.filter { path == $0.href || path.hasPrefix($0.href + "/") }.max { $0.href.count < $1.href.count }
        return shown.map { ["href": $0.href, "label": $0.label, "icon": $0.icon, "active": $0.href == active?.href] }
    }
}
