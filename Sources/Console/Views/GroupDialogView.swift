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
        case .rollback(let p):
            out = RollbackLines.lines(p, d, s.glyphs)
        case .restore(let p):
            let gl = s.glyphs
            out.append(("Each snapshot becomes a new disk in \(p.zoneId ?? "the instance's zone"):", .normal))
            for snap in p.snapshots {
                // The outcome goes on a line of its own: a mount path or a refusal is long.
                let line = "  \(snap.SnapshotId) (\(snap.SourceDiskType.lowercased()), \(snap.SourceDiskSize) GiB)"
                switch p.disks[snap.SnapshotId] {
                case .waiting?: out.append((line + "  \(gl.running) creating", .warn))
                case .created(let id)?: out.append((line + "  \(gl.ok) \(id)", .ok))
                case .attached(let id, let at)?:
                    out.append((line + "  \(gl.ok) \(id)", .ok))
                    out.append(("      mounted at \(at)", .ok))
                case .failed(let why)?:
                    out.append((line, .error))
                    out.append(("      \(gl.fail) \(why)", .error))
                case nil: out.append((line, .normal))
                }
            }
            if p.onHost {
                out.append(("\(p.instanceName) is this machine: the new disks are attached and mounted at", .normal))
                out.append((p.snapshots.count == 1 ? "(the path below):" : "(one folder a disk under the path below):", .dim))
            } else {
                out.append(("They stay Available (attach them with AttachDisk).", .dim))
            }
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
        case .done(let what): status = (what, what.hasPrefix(gl.fail) ? .error : .ok)
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
        switch d.kind {
        case .delete: ok = "Delete"
        case .rollback: ok = "Roll back"
        case .restore: ok = "Restore"
        case .rename: ok = "OK"
        }
        if d.isFinished {
            // Only closing is left.
            g.put("\(gl.pointer)[ Close ]", x: x, y: y, role: .buttonFocused)
            return
        }
        for (f, label) in [(GroupDialog.Focus.ok, ok), (.cancel, "Cancel")] {
            let on = d.focus == f
            let text = on ? "\(gl.pointer)[ \(label) ]" : " [ \(label) ]"
            x = g.put(text, x: x, y: y, role: on ? .buttonFocused : .button) + 3
        }
    }
}

/// The roll back dialog's lines: the instance, each disk and the snapshot it goes back to
/// (with its outcome once known), the two options, the DryRun's answer, the steps.
enum RollbackLines {
    static func lines(_ p: RollbackPlan, _ d: GroupDialog, _ gl: Glyphs) -> [(String, Role)] {
        var out: [(String, Role)] = []
        out.append(("Instance \(p.instanceName) (\(p.instanceId)) · \(p.instanceStatus)", .normal))
        out.append(("Each disk goes back to its snapshot (what it got since is lost):", .normal))
        for r in p.resets {
            let info = p.diskInfo[r.diskId].map { " (\($0))" } ?? ""
            var line = "  \(r.diskId)\(info) \(gl.crumbSeparator.trimmingCharacters(in: .whitespaces)) \(r.snapshotId)"
            var role = Role.normal
            switch p.disks[r.diskId] {
            case .waiting?: line += "  \(gl.running) resetting"; role = .warn
            case .done?: line += "  \(gl.ok) rolled back"; role = .ok
            case .failed(let why)?: line += "  \(gl.fail) \(why)"; role = .error
            case nil: break
            }
            out.append((line, role))
        }
        func box(_ on: Bool) -> String { on ? gl.checked : gl.unchecked }
        let mark0 = d.focus == .option(0) ? gl.pointer : " ", mark1 = d.focus == .option(1) ? gl.pointer : " "
        out.append(("\(mark0)\(box(p.stopFirst)) Stop the instance first (ResetDisks needs it Stopped)", d.focus == .option(0) ? .cursorField : .normal))
        out.append(("\(mark1)\(box(p.startAfter)) Start it again after", d.focus == .option(1) ? .cursorField : .normal))
        if let dry = p.dryRun {
            for l in dry {
                let (mark, role): (String, Role) = l.level == .ok ? (gl.ok, .ok) : l.level == .warn ? ("!", .warn) : (gl.fail, .error)
                out.append(("DryRun \(mark) \(l.text)", role))
            }
        } else {
            out.append(("DryRun: asking the cloud\(gl.ellipsis)", .info))
        }
        for l in p.steps {
            out.append(("\(l.level == .error ? gl.fail : gl.ok) \(l.text)", l.level == .error ? .error : .ok))
        }
        out.append(("Type the group's name, \(p.group.Name), to confirm:", .normal))
        return out
    }
}
