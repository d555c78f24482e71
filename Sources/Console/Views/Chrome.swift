import AppSnapCore

/// The frame around every screen: breadcrumbs, tabs, status line and key hints.
enum Chrome {
    static func crumbs(_ s: ConsoleState) -> [String] {
        var out = ["appsnap"]
        var shown = s
        for i in s.stack.indices {
            shown.stack = Array(s.stack[...i])
            out.append(s.stack[i].screen.crumb(shown))
        }
        if s.stack == [.regions] { out[1] = "Regions" }
        return out
    }

    static func drawCrumbs(_ g: inout Grid, _ s: ConsoleState) {
        let text = " " + crumbs(s).joined(separator: s.glyphs.crumbSeparator)
        g.put(text, x: 0, y: 0, role: .breadcrumb)
        var right = s.readonly ? "read-only" : ""
        if !s.loading.isEmpty {
            right = "loading \(s.loading.sorted().map(\.rawValue).joined(separator: ", "))\(s.glyphs.ellipsis)" + (right.isEmpty ? "" : " · " + right)
        }
        if !right.isEmpty {
            let l = right + " "
            g.put(l, x: max(0, g.width - CharWidth.of(l)), y: 0, role: s.loading.isEmpty ? .warn : .info)
        }
    }

    /// The tabs; the active one is bracketed as well as coloured, so mono shows it too.
    static func drawTabs(_ g: inout Grid, _ s: ConsoleState) {
        let active = s.currentTab
        var x = 1
        for t in Tab.allCases {
            let on = t == active && s.place == .tab(t)
            let label = on ? "[\(t.rawValue)]" : " \(t.rawValue) "
            x = g.put(label, x: x, y: 1, role: on ? .tabActive : .tabInactive)
            x += 1
        }
    }

    static func drawTitle(_ g: inout Grid, _ title: String) {
        g.put(" " + title, x: 0, y: 1, role: .title)
    }

    static func drawStatus(_ g: inout Grid, _ s: ConsoleState, summary: String) {
        let y = g.height - 2
        g.fill(x: 0, y: y, width: g.width, role: .statusBar)
        if let p = s.prompt {
            let label: String
            switch p.kind {
            case .filter: label = "/"
            case .jump: label = ":"
            case .search: label = "search /"
            case .savePath: label = "save log to: "
            }
            let x = g.put(" " + label, x: 0, y: y, role: .statusBar)
            let (shown, col) = p.field.window(width: max(1, g.width - x - 1))
            g.put(shown, x: x, y: y, role: .statusBar)
            // The cursor: the character under it reversed, or `_` past the end.
            if p.field.cursor < p.field.text.count {
                g.restyle(x: x + col, y: y, width: 1, role: .statusBar, attributes: [.reverse])
            } else {
                g.put("_", x: x + col, y: y, role: .statusBar, attributes: [.reverse])
            }
            return
        }
        if let m = s.message {
            let (mark, role): (String, Role) = m.level == .error ? (s.glyphs.fail + " error: ", .error)
                : m.level == .warn ? ("! ", .warn) : (s.glyphs.ok + " ", .ok)
            g.put(" " + mark + m.text, x: 0, y: y, role: role)
            return
        }
        g.put(" " + summary, x: 0, y: y, role: .statusBar)
    }

    static func drawHints(_ g: inout Grid, _ s: ConsoleState) {
        let y = g.height - 1
        var x = 1
        for h in s.keyMap.hints(in: Keys.contexts(s)) {
            let need = CharWidth.of(h.key) + 1 + CharWidth.of(h.label) + 2
            if x + need > g.width { break }
            x = g.put(h.key, x: x, y: y, role: .hintKey)
            x = g.put(" " + h.label, x: x, y: y, role: .hintText)
            x += 2
        }
    }

    static func listSummary(_ list: FilteredList, total: Int, noun: String) -> String {
        var t = list.count == total ? plural(total, noun) : "\(list.count) of \(plural(total, noun))"
        if !list.marked.isEmpty { t += " · \(list.marked.count) marked" }
        if !list.query.isEmpty { t += " · filter /\(list.query)  (Esc clears)" }
        return t
    }
}

/// "1 group", "3 groups".
func plural(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
