import AppSnapCore

/// A group action's dialog, over the screen it was opened from. It owns its focus, its
/// text field and where the action is; the cloud's answer comes back as an action.
public struct GroupDialog: Sendable {
    public enum Kind: Sendable {
        /// `groups` go; `hiddenMarks` of them are marked rows the filter hides.
        case delete(groups: [SnapshotGroup], hiddenMarks: Int)
        case rename(SnapshotGroup)
    }
    public enum Focus: Equatable, Sendable { case field, ok, cancel }
    public enum Phase: Equatable, Sendable {
        case editing
        case working
        case failed(String)
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

    /// The focus order: the text field (when the dialog has one), OK, Cancel.
    public var focusOrder: [Focus] {
        switch kind {
        case .delete: return [.ok, .cancel]
        case .rename: return [.field, .ok, .cancel]
        }
    }

    public var hasTextFocus: Bool { focus == .field && phase != .working }

    public var title: String {
        switch kind {
        case .delete(let groups, _): return groups.count == 1 ? "Delete Snapshot-consistent Group" : "Delete \(groups.count) Snapshot-consistent Groups"
        case .rename: return "Rename Snapshot-consistent Group"
        }
    }

    /// Why OK cannot be pressed yet, nil when it can. A rename takes ModifySnapshotGroup's
    /// rule (SPEC §14): 2–128 characters, starting with a letter, not http:// or https://.
    public var problem: String? {
        guard case .rename(let g) = kind else { return nil }
        let name = field.text
        if name == g.Name { return "type a new name" }
        if name.count < 2 || name.count > 128 { return "the name takes 2–128 characters" }
        if let f = name.first, !f.isLetter { return "the name starts with a letter" }
        if name.hasPrefix("http://") || name.hasPrefix("https://") { return "the name cannot start with http:// or https://" }
        return nil
    }
}
