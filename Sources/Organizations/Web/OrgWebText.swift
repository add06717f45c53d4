/// Strings of the Organizations pages that are built in code (the rest are in the templates).
enum OrgWebText {
    static let navTree = "组织架构"
    static let created = "已新建工会组织"
    static let saved = "已保存修改"
    static let moved = "已完成划转，下级组织随之移动"
    static let merged = "已完成合并"
    static let closed = "已撤销该工会组织"
    static let pickTarget = "请选择目标组织"
    static func historyField(_ field: String) -> String {
        switch field {
        case "child": "下级组织"
        case "into": "并入"
        case "from": "来自"
        case "children": "划入下级数"
        default: field
        }
    }
    static func memberCount(_ total: Int64, retired: Int64) -> String {
        "\(total) 人" + (retired > 0 ? "（其中退休保留会籍 \(retired) 人）" : "")
    }
}
