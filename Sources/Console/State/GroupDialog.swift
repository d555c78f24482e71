import AppSnapCore

/// A group action's dialog, over the screen it was opened from. It owns its focus, its
/// text field and where the action is; the cloud's answer comes back as an action.
public struct GroupDialog: Sendable {
    public enum Kind: Sendable {
        /// `groups` go; `hiddenMarks` of them are marked rows the filter hides.
        case delete(groups: [SnapshotGroup], hiddenMarks: Int)
        case rename(SnapshotGroup)
        case rollback(RollbackPlan)
        case restore(RestorePlan)
    }
    /// `.option(0)` and `.option(1)` are a dialog's checkboxes (roll back: stop first, start after).
    public enum Focus: Equatable, Sendable { case option(Int), field, ok, cancel }
    public enum Phase: Equatable, Sendable {
        case editing
        case working
        case failed(String)
        /// The action ended; the dialog shows how until it is closed.
        case done(String)
    }

    public var kind: Kind
    public var regionId: String
    public var focus: Focus
    public var field: TextField
    public var phase: Phase = .editing

    /// Delete starts on Cancel, as k9s does: Enter right away loses nothing.
    public static func delete(_ groups: [SnapshotGroup], hiddenMarks: Int, regionId: String) -> GroupDialog {
        GroupDialog(kind: .delete(groups: groups, hiddenMarks: hiddenMarks), regionId: regionId, focus: .cancel, field: TextField())
    }

    public static func rename(_ group: SnapshotGroup, regionId: String) -> GroupDialog {
        GroupDialog(kind: .rename(group), regionId: regionId, focus: .field, field: TextField(group.Name))
    }

    /// Restore on the host starts in the mount point box, with a path that is free to take.
    public static func restore(_ plan: RestorePlan) -> GroupDialog {
        GroupDialog(kind: .restore(plan), regionId: plan.regionId, focus: plan.onHost ? .field : .ok,
                    field: TextField(plan.onHost ? "/mnt/\(plan.group.Name)" : ""))
    }

    /// Roll back starts on the stop-first option; OK waits for the group's name.
    public static func rollback(_ plan: RollbackPlan) -> GroupDialog {
        GroupDialog(kind: .rollback(plan), regionId: plan.regionId, focus: .option(0), field: TextField())
    }

    /// The focus order: options, the text field (when the dialog has one), OK, Cancel.
    public var focusOrder: [Focus] {
        switch kind {
        case .delete: return [.ok, .cancel]
        case .rename: return [.field, .ok, .cancel]
        case .rollback: return [.option(0), .option(1), .field, .ok, .cancel]
        case .restore(let p): return p.onHost ? [.field, .ok, .cancel] : [.ok, .cancel]
        }
    }

    public var isFinished: Bool { if case .done = phase { return true }; return false }

    public var hasTextFocus: Bool { focus == .field && phase != .working && !isFinished }

    public var title: String {
        switch kind {
        case .delete(let groups, _): return groups.count == 1 ? "Delete Snapshot-consistent Group" : "Delete \(groups.count) Snapshot-consistent Groups"
        case .rename: return "Rename Snapshot-consistent Group"
        case .rollback(let p): return "Roll back \(p.instanceName) to \(p.group.Name)"
        case .restore(let p): return "Restore \(p.group.Name) to new disks"
        }
    }

    /// Why OK cannot be pressed yet, nil when it can. A rename takes ModifySnapshotGroup's
    /// rule (SPEC §14): 2–128 characters, starting with a letter, not http:// or https://.
    public var problem: String? {
        if case .rollback(let p) = kind {
            guard let dry = p.dryRun else { return "wait for the DryRun's answer" }
            if dry.contains(where: { $0.level == .error }) { return "the DryRun refused: see above" }
            if field.text != p.group.Name { return "type the group's name, \(p.group.Name), to confirm" }
            return nil
        }
        if case .restore(let p) = kind {
            guard p.onHost else { return nil }
            let path = field.text
            if !path.hasPrefix("/") || path == "/" { return "type where to mount: an absolute path other than /" }
            return nil
        }
        guard case .rename(let g) = kind else { return nil }
        let name = field.text
        if name == g.Name { return "type a new name" }
        if name.count < 2 || name.count > 128 { return "the name takes 2–128 characters" }
        if let f = name.first, !f.isLetter { return "the name starts with a letter" }
        if name.hasPrefix("http://") || name.hasPrefix("https://") { return "the name cannot start with http:// or https://" }
        return nil
    }
}
