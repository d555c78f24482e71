import AppSnapCore

/// One screen of the console: its key context, what it does with a command, how it draws
/// and its breadcrumb. The app (`Keys`, `render`, `Chrome`) only looks the unit up for the
/// place on top of the stack and delegates, so a new screen is one new file and one line
/// in `Place.screen`.
protocol Screen {
    /// The key contexts, first match wins (a focused text field's `.textField` comes first).
    static func contexts(_ s: ConsoleState) -> [KeyContext]
    /// Nil when the screen does not handle the command (the key-map test fails on that for
    /// any command the map binds in this screen's context).
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]?
    static func render(_ g: inout Grid, _ s: ConsoleState)
    static func crumb(_ s: ConsoleState) -> String
}

extension Place {
    var screen: Screen.Type {
        switch self {
        case .regions: return RegionsScreen.self
        case .tab(.instances): return InstancesScreen.self
        case .tab(.groups): return GroupsScreen.self
        case .tab(.invocations): return InvocationsScreen.self
        case .groupDetail: return GroupDetailScreen.self
        case .create: return CreateScreen.self
        case .run: return RunScreen.self
        case .help: return HelpScreen.self
        }
    }
}
