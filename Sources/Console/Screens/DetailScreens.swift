import AppSnapCore

/// A scrolled-text view's offset after a movement command; nil for any other command.
func scrolled(_ offset: Int, _ command: Command, page: Int) -> Int? {
    switch command {
    case .up: return max(0, offset - 1)
    case .down: return offset + 1
    case .pageUp: return max(0, offset - page)
    case .pageDown: return offset + page
    case .top: return 0
    case .bottom: return Int.max / 2
    default: return nil
    }
}

enum GroupDetailScreen: Screen {
    static func contexts(_ s: ConsoleState) -> [KeyContext] { [.groupDetail] }
    static func crumb(_ s: ConsoleState) -> String { if case .groupDetail(let id) = s.place { return id }; return "" }
    static func render(_ g: inout Grid, _ s: ConsoleState) {
        if case .groupDetail(let id) = s.place { GroupDetailView.render(&g, s, id: id) }
    }
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        guard case .groupDetail(let id) = s.place else { return nil }
        if let v = scrolled(s.detailScroll, command, page: max(1, s.listHeight - 1)) { s.detailScroll = v; return [] }
        let group = s.groups.first { $0.SnapshotGroupId == id }
        switch command {
        case .create: return CreateScreen.open(&s)
        case .refresh:
            if let r = s.regionId { return [.pollGroup(regionId: r, groupId: id, after: 0)] }
            return []
        case .copyId: return Keys.copy(&s, id)
        case .rollback, .restore, .rename, .delete: return GroupDialogs.open(&s, command, group: group)
        default: return nil
        }
    }
}

enum HelpScreen: Screen {
    static func contexts(_ s: ConsoleState) -> [KeyContext] { [.help] }
    static func crumb(_ s: ConsoleState) -> String { "Help" }
    static func render(_ g: inout Grid, _ s: ConsoleState) { HelpView.render(&g, s) }
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        guard let v = scrolled(s.helpScroll, command, page: max(1, s.listHeight - 1)) else { return nil }
        s.helpScroll = min(v, max(0, HelpView.lines(s.keyMap).count - 1))
        return []
    }
}

enum RunScreen: Screen {
    static func contexts(_ s: ConsoleState) -> [KeyContext] { [.log] }
    static func crumb(_ s: ConsoleState) -> String { s.run?.invokeId ?? s.run?.groupId ?? "Run" }
    static func render(_ g: inout Grid, _ s: ConsoleState) { RunView.render(&g, s) }
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? { LogKeys.perform(&s, command) }
}
