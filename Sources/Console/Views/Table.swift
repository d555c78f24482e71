import Foundation

/// A column of a list: a title and a width in cells (0 takes what is left).
struct Column {
    var title: String
    var width: Int
    var rightAligned = false
}

/// Draws list headers and rows; only the rows on screen are ever formatted.
struct Table {
    var columns: [Column]
    var x = 2

    /// Column widths for the grid's width; the flexible column takes the rest.
    func widths(total: Int) -> [Int] {
        let fixed = columns.reduce(0) { $0 + ($1.width > 0 ? $1.width + 1 : 1) }
        let rest = max(4, total - x - fixed)
        return columns.map { $0.width > 0 ? $0.width : rest }
    }

    func drawHeader(_ g: inout Grid, y: Int) {
        var col = x
        for (c, w) in zip(columns, widths(total: g.width)) {
            g.put(c.rightAligned ? c.title.leftPadded(w) : c.title.padded(w), x: col, y: y, role: .header)
            col += w + 1
        }
    }

    /// One row of cells; each cell may carry its own role (a status word, say).
    func drawRow(_ g: inout Grid, y: Int, cells: [(String, Role)], selected: Bool, glyphs: Glyphs) {
        if selected {
            g.fill(x: 0, y: y, width: g.width, role: .selected)
            g.put(glyphs.pointer, x: 0, y: y, role: .selected)
        }
        var col = x
        for ((text, role), (c, w)) in zip(cells, zip(columns, widths(total: g.width))) {
            let t = c.rightAligned ? text.leftPadded(w) : text.padded(w, ellipsis: glyphs.ellipsis)
            g.put(t, x: col, y: y, role: selected ? .selected : role)
            col += w + 1
        }
    }
}

extension Glyphs {
    func bar(percent: Int, width: Int) -> String {
        let p = max(0, min(100, percent))
        let done = p * width / 100
        return String(repeating: barDone, count: done) + String(repeating: barTodo, count: width - done)
    }
}

/// "40%" → 40; anything else → 0.
func percent(_ progress: String) -> Int { Int(progress.replacingOccurrences(of: "%", with: "")) ?? 0 }
