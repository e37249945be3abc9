import Foundation

/// Charts drawn on the server as SVG (bar, line, pie): they print, export and need no library.
enum Charts {
    struct Point {
        let label: String
        let value: Double
    }

    static let palette = ["#c2410c", "#2563eb", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563", "#65a30d", "#9333ea"]

    private static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    private static func short(_ s: String, _ n: Int) -> String { s.count > n ? String(s.prefix(n - 1)) + "…" : s }

    private static func svg(_ width: Int, _ height: Int, title: String, _ children: [HNode]) -> HNode {
        H.el("svg", [A("xmlns", "http://www.w3.org/2000/svg"), A("viewBox", "0 0 \(width) \(height)"), A("role", "img"),
                     A("aria-label", title), .cls("chart")], [H.el("title", [], [H.text(title)])] + children)
    }

    /// Vertical bars with labels under them and values on top.
    static func bar(_ points: [Point], title: String) -> HNode {
        let width = 640, height = 260, left = 40, bottom = 40, top = 16
        let maxV = max(points.map(\.value).max() ?? 0, 1)
        let slot = Double(width - left - 10) / Double(max(points.count, 1))
        let barW = max(4, slot * 0.6)
        var nodes: [HNode] = [axis(width: width, height: height, left: left, bottom: bottom, top: top, maxV: maxV)]
        for (i, p) in points.enumerated() {
            let h = Double(height - bottom - top) * p.value / maxV
            let x = Double(left) + slot * Double(i) + (slot - barW) / 2
            let y = Double(height - bottom) - h
            nodes.append(H.void("rect", [A("x", fmt(x)), A("y", fmt(y)), A("width", fmt(barW)), A("height", fmt(h)), A("fill", palette[0]), A("rx", "2")]))
            nodes.append(H.el("text", [A("x", fmt(x + barW / 2)), A("y", fmt(y - 4)), A("text-anchor", "middle"), .cls("chart-value")], [H.text(number(p.value))]))
            if points.count <= 16 || i % max(1, points.count / 12) == 0 {
                nodes.append(H.el("text", [A("x", fmt(x + barW / 2)), A("y", String(height - bottom + 16)), A("text-anchor", "middle"), .cls("chart-label")],
                                  [H.text(short(p.label, 8))]))
            }
        }
        return svg(width, height, title: title, nodes)
    }

    /// A line through the points, for trends over time.
    static func line(_ points: [Point], title: String) -> HNode {
        let width = 640, height = 260, left = 40, bottom = 40, top = 16
        let maxV = max(points.map(\.value).max() ?? 0, 1)
        let step = Double(width - left - 20) / Double(max(points.count - 1, 1))
        let coords = points.enumerated().map { i, p in
            (Double(left) + 10 + step * Double(i), Double(height - bottom) - Double(height - bottom - top) * p.value / maxV)
        }
        var nodes: [HNode] = [axis(width: width, height: height, left: left, bottom: bottom, top: top, maxV: maxV)]
        if !coords.isEmpty {
            nodes.append(H.void("polyline", [A("points", coords.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ")),
                                             A("fill", "none"), A("stroke", palette[1]), A("stroke-width", "2")]))
        }
        for (i, (x, y)) in coords.enumerated() {
            nodes.append(H.void("circle", [A("cx", fmt(x)), A("cy", fmt(y)), A("r", "3"), A("fill", palette[1])]))
            if points.count <= 16 || i % max(1, points.count / 12) == 0 {
                nodes.append(H.el("text", [A("x", fmt(x)), A("y", String(height - bottom + 16)), A("text-anchor", "middle"), .cls("chart-label")],
                                  [H.text(short(points[i].label, 8))]))
            }
        }
        return svg(width, height, title: title, nodes)
    }

    /// A funnel: one centred band per step, as wide as its value against the largest, labelled with
    /// the step and its value.
    static func funnel(_ points: [Point], title: String) -> HNode {
        let width = 640, row = 34, top = 8
        let height = top * 2 + row * max(points.count, 1)
        let maxV = max(points.map(\.value).max() ?? 0, 1)
        var nodes: [HNode] = []
        for (i, p) in points.enumerated() {
            let w = max(6, Double(width - 220) * p.value / maxV)
            let x = Double(width - 220) / 2 - w / 2 + 200
            let y = Double(top + row * i)
            nodes.append(H.void("rect", [A("x", fmt(x)), A("y", fmt(y)), A("width", fmt(w)), A("height", String(row - 6)),
                                         A("fill", palette[i % palette.count]), A("rx", "3")]))
            nodes.append(H.el("text", [A("x", "4"), A("y", fmt(y + Double(row) / 2)), .cls("chart-label")], [H.text(short(p.label, 14))]))
            nodes.append(H.el("text", [A("x", String(width - 4)), A("y", fmt(y + Double(row) / 2)), A("text-anchor", "end"), .cls("chart-value")],
                              [H.text(number(p.value))]))
        }
        return svg(width, height, title: title, nodes)
    }

    /// A pie with a legend; slices past the ninth are summed as "other".
    static func pie(_ raw: [Point], title: String, other: String) -> HNode {
        var points = raw.filter { $0.value > 0 }.sorted { $0.value > $1.value }
        if points.count > 9 {
            let rest = points.dropFirst(8).reduce(0) { $0 + $1.value }
            points = Array(points.prefix(8)) + [Point(label: other, value: rest)]
        }
        let total = points.reduce(0) { $0 + $1.value }
        let cx = 120.0, cy = 120.0, r = 100.0
        var nodes: [HNode] = []
        var angle = -Double.pi / 2
        for (i, p) in points.enumerated() {
            let color = palette[i % palette.count]
            let share = total > 0 ? p.value / total : 0
            if share >= 0.9999 {
                nodes.append(H.void("circle", [A("cx", fmt(cx)), A("cy", fmt(cy)), A("r", fmt(r)), A("fill", color)]))
            } else if share > 0 {
                let end = angle + share * 2 * Double.pi
                let large = share > 0.5 ? 1 : 0
                let d = "M\(fmt(cx)),\(fmt(cy)) L\(fmt(cx + r * cos(angle))),\(fmt(cy + r * sin(angle))) A\(fmt(r)),\(fmt(r)) 0 \(large) 1 \(fmt(cx + r * cos(end))),\(fmt(cy + r * sin(end))) Z"
                nodes.append(H.void("path", [A("d", d), A("fill", color), A("stroke", "#fff"), A("stroke-width", "1")]))
                angle = end
            }
            let y = 24 + i * 22
            nodes.append(H.void("rect", [A("x", "260"), A("y", String(y - 10)), A("width", "12"), A("height", "12"), A("fill", color), A("rx", "2")]))
            nodes.append(H.el("text", [A("x", "280"), A("y", String(y)), .cls("chart-legend")],
                              [H.text("\(short(p.label, 14))  \(number(p.value)) (\(String(format: "%.0f", share * 100))%)")]))
        }
        if points.isEmpty { nodes.append(H.void("circle", [A("cx", fmt(cx)), A("cy", fmt(cy)), A("r", fmt(r)), A("fill", "#e5e7eb")])) }
        return svg(520, 240, title: title, nodes)
    }

    private static func axis(width: Int, height: Int, left: Int, bottom: Int, top: Int, maxV: Double) -> HNode {
        var nodes: [HNode] = []
        for i in 0...4 {
            let v = maxV * Double(i) / 4
            let y = Double(height - bottom) - Double(height - bottom - top) * Double(i) / 4
            nodes.append(H.void("line", [A("x1", String(left)), A("x2", String(width - 5)), A("y1", fmt(y)), A("y2", fmt(y)), A("stroke", "#e5e7eb")]))
            nodes.append(H.el("text", [A("x", String(left - 6)), A("y", fmt(y + 4)), A("text-anchor", "end"), .cls("chart-label")], [H.text(number(v))]))
        }
        return H.el("g", [], nodes)
    }

    private static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }
}
