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

    // MARK: Charts (inline SVG: no script, allowed by the CSP)

    /// Horizontal bars, one per line, longest = full width.
    static func bars(_ items: [(label: String, value: Int64)], color: String = "#c8161d") -> String {
        let rowHeight = 26, labelWidth = 120, barWidth = 300, width = labelWidth + barWidth + 60
        let height = max(items.count, 1) * rowHeight + 8
        let top = max(items.map(\.value).max() ?? 1, 1)
        var svg =
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (i, item) in items.enumerated() {
            let y = i * rowHeight + 4
            let w = Int(Double(barWidth) * Double(item.value) / Double(top))
            svg +=
                "<text x=\"\(labelWidth - 6)\" y=\"\(y + 16)\" text-anchor=\"end\" font-size=\"13\" fill=\"#333\">\(escape(item.label))</text>"
            svg +=
                "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(max(w, item.value > 0 ? 2 : 0))\" height=\"16\" rx=\"2\" fill=\"\(color)\"></rect>"
            svg += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 16)\" font-size=\"12\" fill=\"#555\">\(item.value)</text>"
        }
        return svg + "</svg>"
    }

    /// Monthly rates (0–1) as lines on a 0–100% axis; months without data leave gaps.
    static func rateLines(months: [String], series: [(name: String, color: String, values: [Double?])]) -> String {
        let width = 480, height = 200, left = 40, bottom = 24, plotH = height - bottom - 10, plotW = width - left - 10
        let step = months.count > 1 ? Double(plotW) / Double(months.count - 1) : 0
        var svg =
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">"
        for pct in [0, 50, 100] {
            let y = 10 + plotH - plotH * pct / 100
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#ddd\"></line>"
            svg += "<text x=\"\(left - 4)\" y=\"\(y + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#666\">\(pct)%</text>"
        }
        for (i, m) in months.enumerated() where months.count <= 12 || i % 3 == 0 {
            svg +=
                "<text x=\"\(left + Int(step * Double(i)))\" y=\"\(height - 6)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#666\">\(escape(String(m.suffix(5))))</text>"
        }
        for (s, serie) in series.enumerated() {
            var path = ""
            for (i, v) in serie.values.enumerated() {
                guard let v else { continue }
                let x = Double(left) + step * Double(i), y = Double(10 + plotH) - Double(plotH) * v
                path += (i == 0 || serie.values[i - 1] == nil ? "M" : "L") + String(format: "%.1f %.1f ", x, y)
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" ", x, y) + "fill=\"\(serie.color)\"></circle>"
            }
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(serie.color)\" stroke-width=\"2\"></path>"
            svg += "<text x=\"\(left + 8 + s * 110)\" y=\"22\" font-size=\"12\" fill=\"\(serie.color)\">■ \(escape(serie.name))</text>"
        }
        return svg + "</svg>"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
