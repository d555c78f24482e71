import AppSnapCore

/// The group actions' dialogs: open, keys, and the cloud's answers. Over the groups list
/// or a group's detail; the screen below stays as it was.
enum GroupDialogs {
    static func contexts(_ d: GroupDialog) -> [KeyContext] {
        switch d.kind {
        case .delete: return [.confirm]
        case .rename, .rollback, .restore: return d.hasTextFocus ? [.textField, .groupAction] : [.groupAction]
        }
    }

    /// Delete takes the marked groups when there are marks, else the group under the cursor
    /// (or the one on the detail screen).
    static func open(_ s: inout ConsoleState, _ command: Command, group: SnapshotGroup?) -> [Effect] {
        guard let region = s.regionId else { return [] }
        switch command {
        case .delete:
            let marked = s.place == .tab(.groups) ? s.groupList.marked : []
            let groups = marked.isEmpty ? (group.map { [$0] } ?? []) : s.groups.filter { marked.contains($0.SnapshotGroupId) }
            guard !groups.isEmpty else { s.message = StatusMessage(level: .warn, text: "no group to delete here"); return [] }
            s.dialog = .delete(groups, hiddenMarks: marked.isEmpty ? 0 : s.groupList.hiddenMarks, regionId: region)
        case .rename:
            guard let g = group else { s.message = StatusMessage(level: .warn, text: "no group to rename here"); return [] }
            s.dialog = .rename(g, regionId: region)
        case .rollback:
            guard let g = group else { s.message = StatusMessage(level: .warn, text: "no group to roll back to here"); return [] }
            guard g.Status == SnapshotStatus.accomplished else {
                s.message = StatusMessage(level: .warn, text: "\(g.SnapshotGroupId) is \(g.Status): only an accomplished group can be rolled back to")
                return []
            }
            let plan = RollbackPlan(group: g, regionId: region, inventory: s.inventory)
            s.dialog = .rollback(plan)
            return [.checkRollback(plan)]
        case .restore:
            guard let g = group else { s.message = StatusMessage(level: .warn, text: "no group to restore here"); return [] }
            guard g.Status == SnapshotStatus.accomplished else {
                s.message = StatusMessage(level: .warn, text: "\(g.SnapshotGroupId) is \(g.Status): only an accomplished group can be restored")
                return []
            }
            s.dialog = .restore(RestorePlan(group: g, regionId: region, inventory: s.inventory, hostInstanceId: s.hostInstanceId))
        default:
            return []
        }
        return []
    }

    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        guard var d = s.dialog else { return nil }
        if d.phase == .working {
            // The cloud is answering: only closing the dialog (the call goes on) is possible.
            if command == .cancel { s.dialog = nil; return [] }
            if [.nextField, .previousField, .toggle, .confirm].contains(command) { return [] }
            return nil
        }
        if d.isFinished {
            // Done: Enter or Esc closes; the lists reload to show what changed.
            if command == .cancel || command == .confirm { s.dialog = nil; return Refresh.now(&s) }
            if [.nextField, .previousField, .toggle].contains(command) { return [] }
            return nil
        }
        let order = d.focusOrder
        let i = order.firstIndex(of: d.focus) ?? 0
        switch command {
        case .cancel: s.dialog = nil; return []
        case .nextField: d.focus = order[(i + 1) % order.count]
        case .previousField: d.focus = order[(i - 1 + order.count) % order.count]
        case .toggle:
            if case .option(let n) = d.focus, case .rollback(var p) = d.kind {
                if n == 0 { p.stopFirst.toggle() } else { p.startAfter.toggle() }
                d.kind = .rollback(p)
                s.dialog = d
                // The DryRun's answer depends on stopping first: ask again.
                if n == 0 { Rollbacks.update(&s) { $0.dryRun = nil }; return [.checkRollback(p)] }
                return []
            }
            // Space on a button presses it, as Enter does.
            if d.focus == .field { return [] }
            s.dialog = d
            return perform(&s, .confirm)
        case .confirm:
            if d.focus == .cancel { s.dialog = nil; return [] }
            if let p = d.problem { d.phase = .failed(p); s.dialog = d; return [] }
            d.phase = .working
            s.dialog = d
            switch d.kind {
            case .delete(let groups, _): return [.deleteGroups(regionId: d.regionId, groupIds: groups.map(\.SnapshotGroupId))]
            case .rename(let g): return [.renameGroup(regionId: d.regionId, groupId: g.SnapshotGroupId, name: d.field.text)]
            case .rollback(var p):
                for r in p.resets { p.disks[r.diskId] = .waiting }
                d.kind = .rollback(p)
                s.dialog = d
                return [.rollback(p)]
            case .restore(var p):
                for snap in p.snapshots { p.disks[snap.SnapshotId] = .waiting }
                d.kind = .restore(p)
                s.dialog = d
                return [.restore(p, mountPoint: p.onHost ? d.field.text : nil)]
            }
        default: return nil
        }
        s.dialog = d
        return []
    }

    static func deleted(_ s: inout ConsoleState, deleted: [String], failures: [String: String]) -> [Effect] {
        let gone = Set(deleted)
        s.groups.removeAll { gone.contains($0.SnapshotGroupId) }
        Lists.setGroupRows(&s)
        if case .groupDetail(let id) = s.place, gone.contains(id) { s.stack.removeLast() }
        if failures.isEmpty {
            s.dialog = nil
            s.message = StatusMessage(level: .info, text: "deleted \(plural(deleted.count, "group")): \(deleted.joined(separator: ", "))")
        } else if var d = s.dialog {
            let why = failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            d.phase = .failed("\(plural(failures.count, "group")) not deleted: \(why)")
            if case .delete(let groups, _) = d.kind {
                d.kind = .delete(groups: groups.filter { !gone.contains($0.SnapshotGroupId) }, hiddenMarks: 0)
            }
            d.focus = .cancel
            s.dialog = d
        }
        return Refresh.load(&s, [.groups])
    }

    static func renamed(_ s: inout ConsoleState, id: String, name: String) -> [Effect] {
        if let i = s.groups.firstIndex(where: { $0.SnapshotGroupId == id }) {
            s.groups[i].Name = name
            Lists.setGroupRows(&s)
        }
        s.dialog = nil
        s.message = StatusMessage(level: .info, text: "renamed \(id) to \(name)")
        return Refresh.load(&s, [.groups])
    }

    static func failed(_ s: inout ConsoleState, message: String) {
        guard var d = s.dialog else { return }
        d.phase = .failed(message)
        s.dialog = d
    }
}
