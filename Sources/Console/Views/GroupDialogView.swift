import AppSnapCore

/// A group action's dialog: a box over the middle of the screen, its lines, then OK and
/// Cancel. What goes, and how many marked rows the filter hides, are spelled out.
enum GroupDialogView {
    static func lines(_ d: GroupDialog, _ s: ConsoleState, width: Int) -> [(String, Role)] {
        var out: [(String, Role)] = []
        switch d.kind {
        case .delete(let groups, let hidden):
            out.append(("These go, with their snapshots:", .normal))
            let room = max(1, s.height - 14)
            for g in groups.prefix(room) {
                out.append(("  \(g.SnapshotGroupId)  \(g.Name)  (\(plural(g.Snapshots.Snapshot.count, "snapshot")))", .warn))
            }
            if groups.count > room { out.append(("  and \(groups.count - room) more", .warn)) }
            if hidden > 0 {
                out.append(("\(hidden) of them \(hidden == 1 ? "is a marked row" : "are marked rows") the filter hides.", .error))
            }
            out.append(("This cannot be undone.", .normal))
        case .rename(let g):
            out.append(("\(g.SnapshotGroupId), now \"\(g.Name)\"", .normal))
            out.append(("New name:", .normal))
        }
        return out
    }

    static func render(_ g: inout Grid, _ s: ConsoleState, _ d: GroupDialog) {
        let gl = s.glyphs
        let body = lines(d, s, width: g.width)
        let hasField = d.focusOrder.contains(.field)
        var status: (String, Role)?
        switch d.phase {
        case .editing: break
        case .working: status = ("working\(gl.ellipsis)", .info)
        case .failed(let why): status = ("\(gl.fail) \(why)", .error)
        }
        // As wide as the longest line (the cloud's answer included), within the screen.
        let longest = (body.map { CharWidth.of($0.0) } + [status.map { CharWidth.of($0.0) } ?? 0]).max() ?? 0
        let w = min(g.width - 4, max(60, longest + 4))
        let h = body.count + (hasField ? 1 : 0) + (status == nil ? 0 : 1) + 5
        let x0 = max(0, (g.width - w) / 2), y0 = max(2, (g.height - h) / 2)
        for y in y0..<min(g.height - 2, y0 + h) { g.fill(x: x0, y: y, width: w, role: .dialog) }
        g.put(" \(d.title) ".fitted(w - 2), x: x0 + 1, y: y0, role: .dialogTitle)
        var y = y0 + 2
        for (t, role) in body {
            g.put(t.fitted(w - 4, ellipsis: gl.ellipsis), x: x0 + 2, y: y, role: role)
            y += 1
        }
        if hasField {
            CreateView.input(&g, d.field.text, cursor: d.field.cursor, x: x0 + 2, y: y, width: w - 8,
                             focused: d.focus == .field, glyphs: gl)
            y += 1
        }
        if let (t, role) = status { g.put(t.fitted(w - 4, ellipsis: gl.ellipsis), x: x0 + 2, y: y, role: role); y += 1 }
        y += 1
        var x = x0 + 2
        let ok: String
        if case .delete = d.kind { ok = "Delete" } else { ok = "OK" }
        for (f, label) in [(GroupDialog.Focus.ok, ok), (.cancel, "Cancel")] {
            let on = d.focus == f
            let text = on ? "\(gl.pointer)[ \(label) ]" : " [ \(label) ]"
            x = g.put(text, x: x, y: y, role: on ? .buttonFocused : .button) + 3
        }
    }
}
