import Foundation

/// Charts as inline SVG (no script, allowed by the CSP): horizontal bars, lines over months, stacked
/// bars and a ring. Each fills its card's width (`width="100%"` on a fixed viewBox), puts its legend
/// in a row of its own above the plot so it never covers data, labels months as `1月`, and carries
/// each value in a `<title>` the browser shows on hover.
public enum Chart {
    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var values: [Double?]

        public init(name: String, color: String, values: [Double?]) {
            self.name = name
            self.color = color
            self.values = values
        }
    }

    public static let red = "#c8161d"
    public static let amber = "#d97706"
    public static let blue = "#1d4f91"
    public static let green = "#1b6b35"
    public static let grey = "#9aa1ad"

    /// Horizontal bars, one per line, the largest at full width; `format` writes the value beside each bar.
    public static func bars(
        _ items: [(label: String, value: Double)], color: String = red, format: (Double) -> String = { DisplayNumber.grouped(Int64($0)) }
    ) -> String {
        let rowHeight = 26, labelWidth = 150, barWidth = 300, width = labelWidth + barWidth + 80
        let height = max(items.count, 1) * rowHeight + 8
        let top = max(items.map(\.value).max() ?? 1, Double.leastNonzeroMagnitude)
        var svg = open(width, height)
        for (i, item) in items.enumerated() {
            let y = i * rowHeight + 4
            let w = top > 0 ? Int(Double(barWidth) * item.value / top) : 0
            let label = escape(item.label.count > 10 ? String(item.label.prefix(9)) + "…" : item.label)
            svg += "<g><title>\(escape(item.label))：\(escape(format(item.value)))</title>"
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 16)\" text-anchor=\"end\" font-size=\"13\" fill=\"#333\">\(label)</text>"
            svg +=
                "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(max(w, item.value > 0 ? 2 : 0))\" height=\"16\" rx=\"2\" fill=\"\(color)\"></rect>"
            svg +=
                "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 16)\" font-size=\"12\" fill=\"#555\">\(escape(format(item.value)))</text></g>"
        }
        return svg + "</svg>"
    }

    /// Lines over months (`2026-01` … as `1月`, the year at January and at the start); `maxValue`
    /// tops the axis (1 for rates, shown as %); gaps where a month has no value.
    public static func lines(months: [String], series: [Series], maxValue: Double = 1, percent: Bool = true) -> String {
        // Drawn wide: it usually spans a whole row of the page, so its text stays at reading size.
        let width = 960, height = 280, left = 44, legendH = 24, bottom = 24
        let plotTop = legendH + 8, plotH = height - bottom - plotTop, plotW = width - left - 16
        let step = months.count > 1 ? Double(plotW) / Double(months.count - 1) : 0
        var svg = open(width, height) + legend(series.map { ($0.name, $0.color) }, x: left)
        for f in [0.0, 0.5, 1.0] {
            let y = plotTop + plotH - Int(Double(plotH) * f)
            let text = percent ? "\(Int(f * 100))%" : DisplayNumber.compact(Int64(maxValue * f))
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 16)\" y2=\"\(y)\" stroke=\"#e3e5ea\"></line>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#666\">\(text)</text>"
        }
        let every = months.count > 12 ? 3 : 1
        for (i, m) in months.enumerated() where i % every == 0 {
            svg +=
                "<text x=\"\(left + Int(step * Double(i)))\" y=\"\(height - 6)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#666\">"
                + "\(monthLabel(m, first: i == 0))</text>"
        }
        for serie in series {
            var path = ""
            for (i, v) in serie.values.enumerated() {
                guard let v else { continue }
                let x = Double(left) + step * Double(i)
                let y = Double(plotTop + plotH) - Double(plotH) * min(v / max(maxValue, .leastNonzeroMagnitude), 1)
                path += (i == 0 || serie.values[i - 1] == nil ? "M" : "L") + String(format: "%.1f %.1f ", x, y)
                let value = percent ? String(format: "%.1f%%", v * 100) : DisplayNumber.grouped(Int64(v))
                svg +=
                    String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%@\">", x, y, serie.color)
                    + "<title>\(escape(serie.name)) \(monthLabel(months[i], first: true))：\(value)</title></circle>"
            }
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(serie.color)\" stroke-width=\"2\"></path>"
        }
        return svg + "</svg>"
    }

    /// Horizontal bars split into parts (e.g. working and retired-kept members of each union).
    public static func stackedBars(_ rows: [(label: String, parts: [Double])], parts: [(name: String, color: String)]) -> String {
        let rowHeight = 26, labelWidth = 150, barWidth = 300, legendH = 26, width = labelWidth + barWidth + 80
        let height = legendH + max(rows.count, 1) * rowHeight + 8
        let top = max(rows.map { $0.parts.reduce(0, +) }.max() ?? 1, Double.leastNonzeroMagnitude)
        var svg = open(width, height) + legend(parts, x: labelWidth)
        for (i, row) in rows.enumerated() {
            let y = legendH + i * rowHeight + 4
            let label = escape(row.label.count > 10 ? String(row.label.prefix(9)) + "…" : row.label)
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 16)\" text-anchor=\"end\" font-size=\"13\" fill=\"#333\">\(label)</text>"
            var x = Double(labelWidth)
            for (p, value) in row.parts.enumerated() where p < parts.count {
                let w = Double(barWidth) * value / top
                svg +=
                    String(format: "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%@\">", x, y + 3, w, parts[p].color)
                    + "<title>\(escape(row.label)) \(escape(parts[p].name))：\(DisplayNumber.grouped(Int64(value)))</title></rect>"
                x += w
            }
            let total = DisplayNumber.grouped(Int64(row.parts.reduce(0, +)))
            svg += String(format: "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#555\">%@</text>", x + 6, y + 16, total)
        }
        return svg + "</svg>"
    }

    /// A ring of parts with the total in the middle and the legend beside it.
    public static func ring(_ parts: [(name: String, value: Double, color: String)], centre: String) -> String {
        let width = 360, height = 180, cx = 90.0, cy = 90.0, r = 64.0, stroke = 26.0
        let total = parts.map(\.value).reduce(0, +)
        var svg = open(width, height)
        svg += String(
            format: "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" fill=\"none\" stroke=\"#eceef2\" stroke-width=\"%.0f\"></circle>", cx, cy,
            r, stroke)
        let circumference = 2 * Double.pi * r
        var offset = 0.0
        for part in parts where total > 0 && part.value > 0 {
            let length = circumference * part.value / total
            svg +=
                String(
                    format:
                        "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" fill=\"none\" stroke=\"%@\" stroke-width=\"%.0f\" stroke-dasharray=\"%.2f %.2f\" stroke-dashoffset=\"%.2f\" transform=\"rotate(-90 %.0f %.0f)\">",
                    cx, cy, r, part.color, stroke, length, circumference - length, -offset, cx, cy)
                + "<title>\(escape(part.name))：\(DisplayNumber.grouped(Int64(part.value)))</title></circle>"
            offset += length
        }
        svg += String(
            format: "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"600\" fill=\"#1f2329\">%@</text>",
            cx, cy + 6, escape(centre))
        for (i, part) in parts.enumerated() {
            let y = 56 + i * 28
            let share = total > 0 ? String(format: "%.1f%%", part.value / total * 100) : "—"
            svg += "<rect x=\"190\" y=\"\(y - 11)\" width=\"12\" height=\"12\" rx=\"2\" fill=\"\(part.color)\"></rect>"
            svg +=
                "<text x=\"208\" y=\"\(y)\" font-size=\"13\" fill=\"#333\">\(escape(part.name)) \(DisplayNumber.compact(Int64(part.value)))（\(share)）</text>"
        }
        return svg + "</svg>"
    }

    /// `2026-03` → `3月`; with the year at January or where asked (`2026年1月`).
    public static func monthLabel(_ period: String, first: Bool) -> String {
        let parts = period.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]) else { return escape(period) }
        return first || month == 1 ? "\(year)年\(month)月" : "\(month)月"
    }

    static func open(_ width: Int, _ height: Int) -> String {
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">"
    }

    /// A legend in a row of its own at the top.
    static func legend(_ items: [(name: String, color: String)], x: Int) -> String {
        var svg = "", at = x
        for item in items {
            svg += "<rect x=\"\(at)\" y=\"6\" width=\"12\" height=\"12\" rx=\"2\" fill=\"\(item.color)\"></rect>"
            svg += "<text x=\"\(at + 16)\" y=\"17\" font-size=\"12\" fill=\"#333\">\(escape(item.name))</text>"
            at += 32 + item.name.count * 13
        }
        return svg
    }

    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
