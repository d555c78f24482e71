/// Draws the whole screen for a state into a fresh grid. Pure: same state, same grid.
public func render(_ s: ConsoleState) -> Grid {
    var g = Grid(width: s.width, height: s.height)
    if s.tooSmall {
        TooSmallView.render(&g, s)
        return g
    }
    Chrome.drawCrumbs(&g, s)
    s.place.screen.render(&g, s)
    if let d = s.dialog { GroupDialogView.render(&g, s, d) }
    Chrome.drawHints(&g, s)
    return g
}

/// Below 80×24 nothing else fits; this recovers by itself when the terminal grows.
enum TooSmallView {
    static func render(_ g: inout Grid, _ s: ConsoleState) {
        guard g.width > 0, g.height > 0 else { return }
        let msg = "terminal too small: need \(ConsoleState.minWidth)\(s.glyphs.times)\(ConsoleState.minHeight), have \(s.width)\(s.glyphs.times)\(s.height)"
        // Wrap onto as many rows as it needs, so even a very narrow terminal shows all of it.
        var rows: [String] = []
        var cur = ""
        for word in msg.split(separator: " ") {
            let cand = cur.isEmpty ? String(word) : cur + " " + word
            if CharWidth.of(cand) > g.width, !cur.isEmpty { rows.append(cur); cur = String(word) } else { cur = cand }
        }
        rows.append(cur)
        let top = max(0, (g.height - rows.count) / 2)
        for (i, r) in rows.enumerated() {
            let x = max(0, (g.width - CharWidth.of(r)) / 2)
            g.put(r, x: x, y: top + i, role: .warn)
        }
    }
}
