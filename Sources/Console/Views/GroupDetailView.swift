import AppSnapCore

/// One group: its fields, then each snapshot with its source disk, a progress bar and its tags.
enum GroupDetailView {
    static func tagText(_ tags: TagSet) -> String {
        tags.Tag.isEmpty ? "(no tags)" : tags.Tag.map { "\($0.TagKey):\($0.TagValue)" }.joined(separator: "  ")
    }

    /// The lines of a group, shared by the detail screen and the run screen's result.
    static func lines(_ grp: SnapshotGroup, _ s: ConsoleState, width: Int, header: Bool) -> [(String, Role, Int?)] {
        let gl = s.glyphs
        var out: [(String, Role, Int?)] = []
        if header {
            let name = s.inventory.instances.first { $0.InstanceId == grp.InstanceId }?.InstanceName
            let (st, stRole) = ListViews.groupStatusCell(grp, gl)
            out.append((" Group        \(grp.SnapshotGroupId)  \"\(grp.Name)\"", .title, nil))
            out.append((" Status       \(st)", stRole, nil))
            out.append((" Consistency  \(ListViews.consistency(grp).0)", ListViews.consistency(grp).1, nil))
            out.append((" Instance     \(name.map { "\($0) (\(grp.InstanceId))" } ?? grp.InstanceId)", .normal, nil))
            out.append((" Created      \(grp.CreationTime)", .normal, nil))
            out.append((" Description  \(grp.Description.isEmpty ? "-" : grp.Description)", .normal, nil))
            if !grp.Tags.Tag.isEmpty { out.append((" Group tags   \(tagText(grp.Tags))", .normal, nil)) }
            out.append(("", .normal, nil))
        }
        out.append((" SNAPSHOTS (\(grp.Snapshots.Snapshot.count))", .header, nil))
        for snap in grp.Snapshots.Snapshot {
            let st: String
            switch snap.Status {
            case SnapshotStatus.accomplished: st = "\(gl.ok) accomplished"
            case SnapshotStatus.failed: st = "\(gl.fail) failed"
            default: st = "\(gl.running) progressing"
            }
            // Real snapshot IDs are 24 characters; a wide screen shows them whole.
            let left = "   \(snap.SnapshotId.padded(width >= 110 ? 24 : 21)) \("\(snap.SourceDiskId) (\(snap.SourceDiskType.lowercased()), \(snap.SourceDiskSize) GiB)".padded(34)) "
            out.append((left, snap.Status == SnapshotStatus.failed ? .error : .normal, percent(snap.Progress)))
            out.append(("       \(st) · tags: \(tagText(snap.Tags))", snap.Tags.Tag.isEmpty ? .dim : .info, nil))
        }
        return out
    }

    /// Draws lines; a line with a percentage gets a progress bar after its text.
    static func draw(_ g: inout Grid, _ lines: [(String, Role, Int?)], from y0: Int, rows: Int, scroll: Int, glyphs: Glyphs) {
        var y = y0
        for (text, role, pct) in lines.dropFirst(scroll).prefix(rows) {
            let end = g.put(text.fitted(g.width, ellipsis: glyphs.ellipsis), x: 0, y: y, role: role)
            if let p = pct {
                let room = g.width - end - 6
                if room >= 4 {
                    let w = min(12, room)
                    let done = max(0, min(w, p * w / 100))
                    var x = g.put(String(repeating: glyphs.barDone, count: done), x: end, y: y, role: .progressDone)
                    x = g.put(String(repeating: glyphs.barTodo, count: w - done), x: x, y: y, role: .progressTodo)
                    g.put(" \(p)%", x: x, y: y, role: .normal)
                }
            }
            y += 1
        }
    }

    static func render(_ g: inout Grid, _ s: ConsoleState, id: String) {
        Chrome.drawTabs(&g, s)
        guard let grp = s.groups.first(where: { $0.SnapshotGroupId == id }) else {
            g.put(" group \(id) is not in the list any more", x: 0, y: 3, role: .warn)
            Chrome.drawStatus(&g, s, summary: "")
            return
        }
        let all = lines(grp, s, width: g.width, header: true)
        let rows = g.height - 4
        let scroll = max(0, min(s.detailScroll, all.count - rows))
        draw(&g, all, from: 2, rows: rows, scroll: scroll, glyphs: s.glyphs)
        Chrome.drawStatus(&g, s, summary: "\(grp.Snapshots.Snapshot.count) snapshots · r refreshes · c creates another group for this instance")
    }
}
