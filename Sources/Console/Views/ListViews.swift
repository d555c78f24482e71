import Foundation
import AppSnapCore

/// The region picker and the three tabs. Each draws only the rows on screen.
enum ListViews {
    static func body(_ g: inout Grid, _ list: FilteredList, _ s: ConsoleState, table: Table,
                     empty: String, row: (Int) -> [(String, Role)]) {
        table.drawHeader(&g, y: 2)
        let h = s.listHeight
        if list.count == 0 {
            g.put(empty, x: 2, y: 3, role: .dim)
            return
        }
        let top = max(0, min(list.top, max(0, list.count - h)))
        var y = 3
        for pos in top..<min(list.count, top + h) {
            let i = list.visible[pos]
            table.drawRow(&g, y: y, cells: row(i), selected: pos == list.cursor, glyphs: s.glyphs)
            // A marked row has its mark beside the cursor's pointer and its own role, so mono
            // and every theme show it, under the cursor too.
            if list.isMarked(i) {
                g.put(s.glyphs.mark, x: 1, y: y, role: .info)
                if pos != list.cursor { g.restyle(x: 2, y: y, width: g.width - 2, role: .info) }
            }
            y += 1
        }
    }

    static func regions(_ g: inout Grid, _ s: ConsoleState) {
        Chrome.drawTitle(&g, "Pick a region")
        let t = Table(columns: [Column(title: "REGION", width: 20), Column(title: "NAME", width: 0)])
        body(&g, s.regionList, s, table: t, empty: s.loading.contains(.regions) ? "loading regions\(s.glyphs.ellipsis)" : "no regions") { i in
            let r = s.regions[i]
            let mark = r.RegionId == s.regionId ? " (current)" : ""
            return [(r.RegionId, .normal), (r.LocalName + mark, .normal)]
        }
        Chrome.drawStatus(&g, s, summary: Chrome.listSummary(s.regionList, total: s.regions.count, noun: "region"))
    }

    static func statusCell(_ status: String, _ gl: Glyphs) -> (String, Role) {
        switch status {
        case InstanceStatus.running: return ("\(gl.running) Running", .ok)
        case InstanceStatus.stopped: return ("\(gl.stopped) Stopped", .warn)
        default: return ("\(gl.stopped) \(status)", .dim)
        }
    }

    static func instances(_ g: inout Grid, _ s: ConsoleState) {
        let wide = g.width >= 110
        var cols = [Column(title: "NAME", width: 16)]
        if wide { cols.append(Column(title: "INSTANCE ID", width: 22)) }
        cols += [Column(title: "STATUS", width: 11), Column(title: "OS", width: wide ? 28 : 20),
                 Column(title: "ASSISTANT", width: 11), Column(title: "RAM ROLE", width: 0)]
        let inv = s.inventory, gl = s.glyphs
        body(&g, s.instanceList, s, table: Table(columns: cols),
             empty: s.loading.contains(.instances) ? "loading instances\(gl.ellipsis)" : "no instances in this region") { i in
            let ins = inv.instances[i]
            var cells: [(String, Role)] = [(ins.InstanceName, .normal)]
            if wide { cells.append((ins.InstanceId, .dim)) }
            cells.append(statusCell(ins.Status, gl))
            cells.append((ins.OSName.replacingOccurrences(of: " 64 bit", with: ""), .normal))
            switch inv.assistant[ins.InstanceId] {
            case true?: cells.append(("\(gl.ok) running", .ok))
            case false?: cells.append(("\(gl.fail) missing", .warn))
            case nil: cells.append(("? unknown", .dim))
            }
            if let role = inv.ramRoles[ins.InstanceId], !role.isEmpty { cells.append((role, .normal)) }
            else { cells.append(("\(gl.fail) none", .warn)) }
            return cells
        }
        Chrome.drawStatus(&g, s, summary: Chrome.listSummary(s.instanceList, total: inv.instances.count, noun: "instance"))
    }

    /// What the tags of a group's snapshots say: APPConsistent, FsConsistent or crash-consistent.
    static func consistency(_ g: SnapshotGroup) -> (String, Role) {
        let snaps = g.Snapshots.Snapshot
        if snaps.isEmpty { return ("-", .dim) }
        if snaps.allSatisfy({ $0.Tags.Tag.contains(ConsistencyTag.app) }) { return ("APPConsistent", .ok) }
        if snaps.allSatisfy({ $0.Tags.Tag.contains(ConsistencyTag.fs) }) { return ("FsConsistent", .info) }
        return ("crash-consistent", .dim)
    }

    static func groupStatusCell(_ g: SnapshotGroup, _ gl: Glyphs) -> (String, Role) {
        switch g.Status {
        case SnapshotStatus.accomplished: return ("\(gl.ok) accomplished", .ok)
        case SnapshotStatus.failed: return ("\(gl.fail) failed", .error)
        default:
            let snaps = g.Snapshots.Snapshot
            let p = snaps.isEmpty ? 0 : snaps.map { percent($0.Progress) }.reduce(0, +) / snaps.count
            return ("\(gl.running) progressing \(p)%", .warn)
        }
    }

    static func groups(_ g: inout Grid, _ s: ConsoleState) {
        let wide = g.width >= 110
        // Real group IDs are 24 characters; a wide screen shows them whole (the tests and
        // the operator's eyes look them up there).
        var cols = [Column(title: "NAME", width: 16), Column(title: "GROUP ID", width: wide ? 24 : 21)]
        if wide { cols.append(Column(title: "INSTANCE", width: 16)) }
        cols += [Column(title: "STATUS", width: 17), Column(title: "DISKS", width: 5, rightAligned: true)]
        if wide { cols.append(Column(title: "CREATED", width: 20)) }
        cols.append(Column(title: "CONSISTENCY", width: 0))
        let names = s.inventory.names
        body(&g, s.groupList, s, table: Table(columns: cols),
             empty: s.loading.contains(.groups) ? "loading groups\(s.glyphs.ellipsis)" : (s.readonly ? "no snapshot-consistent groups yet" : "no snapshot-consistent groups yet: press c to create one")) { i in
            let grp = s.groups[i]
            var cells: [(String, Role)] = [(grp.Name, .normal), (grp.SnapshotGroupId, .dim)]
            if wide { cells.append((names[grp.InstanceId] ?? grp.InstanceId, .normal)) }
            cells.append(groupStatusCell(grp, s.glyphs))
            cells.append((String(grp.Snapshots.Snapshot.count), .normal))
            if wide { cells.append((grp.CreationTime, .dim)) }
            cells.append(consistency(grp))
            return cells
        }
        Chrome.drawStatus(&g, s, summary: Chrome.listSummary(s.groupList, total: s.groups.count, noun: "group") + " · Enter opens")
    }

    static func invocationStatusCell(_ status: String, _ gl: Glyphs) -> (String, Role) {
        switch status {
        case InvocationStatus.success: return ("\(gl.ok) Success", .ok)
        case InvocationStatus.failed, InvocationStatus.timeout, "PartialFailed": return ("\(gl.fail) \(status)", .error)
        case InvocationStatus.running, "Pending": return ("\(gl.running) \(status)", .warn)
        default: return ("\(gl.stopped) \(status)", .dim)
        }
    }

    static func invocations(_ g: inout Grid, _ s: ConsoleState) {
        let wide = g.width >= 110
        var cols = [Column(title: "INVOKE ID", width: 22), Column(title: "STATUS", width: 15)]
        cols.append(Column(title: "INSTANCE", width: 16))
        if wide { cols.append(Column(title: "CREATED", width: 20)) }
        cols.append(Column(title: "COMMAND", width: 0))
        let names = s.inventory.names
        body(&g, s.invocationList, s, table: Table(columns: cols),
             empty: s.loading.contains(.invocations) ? "loading invocations\(s.glyphs.ellipsis)" : "no Cloud Assistant invocations yet") { i in
            let inv = s.invocations[i]
            let inst = inv.InvokeInstances.InvokeInstance.map { names[$0.InstanceId] ?? $0.InstanceId }.joined(separator: ",")
            var cells: [(String, Role)] = [(inv.InvokeId, .normal), invocationStatusCell(inv.InvocationStatus, s.glyphs), (inst, .normal)]
            if wide { cells.append((inv.CreationTime, .dim)) }
            cells.append((inv.CommandContent.replacingOccurrences(of: "acs-plugin-manager --exec --plugin ", with: ""), .dim))
            return cells
        }
        Chrome.drawStatus(&g, s, summary: Chrome.listSummary(s.invocationList, total: s.invocations.count, noun: "invocation") + " · Enter shows the log")
    }
}
