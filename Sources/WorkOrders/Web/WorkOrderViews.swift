import Foundation
import Platform
import WebUI

/// How order figures look on both sites: amounts, stars, rates, status badges, charts.
enum WorkOrderViews {
    static func stars(_ n: Int) -> String { String(repeating: "★", count: n) + String(repeating: "☆", count: 5 - n) }

    static func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }

    static func statusClass(_ s: WorkOrder.Status, overdue: Bool) -> String {
        if overdue { return "badge-merged" }
        switch s {
        case .submitted, .waiting: return "badge-level"
        case .accepted: return "badge-active"
        case .resolved, .closed: return "badge-closed"
        }
    }
}
