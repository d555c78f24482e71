/// What a key asks for. The reducer acts on commands, never on raw keys (text fields aside).
public enum Command: String, CaseIterable, Sendable {
    case up, down, left, right, pageUp, pageDown, top, bottom
    case confirm, toggle, nextField, previousField
    case filter, jump, back, quit, help
    case nextTab, previousTab, create, refresh
    case follow, wrap, search, nextMatch, previousMatch, save
    case deleteBackward, deleteForward
}

/// Where the operator is, which decides which bindings apply.
public enum KeyContext: String, CaseIterable, Sendable {
    case regions, list, groupDetail, create, log, help
}

/// One binding: keys, the command, the words for the hint bar and help, and where it applies.
public struct Binding: Sendable {
    public var keys: [Key]
    public var command: Command
    public var help: String
    /// The hint bar's word, when the binding is shown there (the help screen shows every binding).
    public var hint: String?
    public var contexts: Set<KeyContext>
}

/// The one key table: it drives the reducer, the hint bar, the `?` help screen and the tests.
public struct KeyMap: Sendable {
    public var bindings: [Binding]

    public static let standard: KeyMap = {
        let all = Set(KeyContext.allCases)
        let lists: Set<KeyContext> = [.regions, .list, .groupDetail, .log, .help]
        func b(_ keys: [Key], _ c: Command, _ help: String, hint: String? = nil, _ ctx: Set<KeyContext>) -> Binding {
            Binding(keys: keys, command: c, help: help, hint: hint, contexts: ctx)
        }
        return KeyMap(bindings: [
            b([.up, .char("k")], .up, "move up", lists),
            b([.down, .char("j")], .down, "move down", lists),
            b([.up], .up, "previous field", [.create]),
            b([.down], .down, "next field", [.create]),
            b([.left, .char("h")], .left, "previous tab", [.list]),
            b([.right, .char("l")], .right, "next tab", [.list]),
            b([.left], .left, "cursor left (on Instance: the previous instance)", [.create]),
            b([.right], .right, "cursor right (on Instance: the next instance)", [.create]),
            b([.home, .ctrl("a")], .top, "cursor to the start of the text", [.create]),
            b([.end, .ctrl("e")], .bottom, "cursor to the end of the text", [.create]),
            b([.backspace], .deleteBackward, "delete the character before the cursor", [.create]),
            b([.delete, .ctrl("d")], .deleteForward, "delete the character under the cursor", [.create]),
            b([.pageUp, .ctrl("b")], .pageUp, "page up", lists),
            b([.pageDown, .ctrl("f")], .pageDown, "page down", lists),
            b([.home, .char("g")], .top, "go to the top", [.regions, .list, .groupDetail, .help]),
            b([.end, .char("G")], .bottom, "go to the bottom", [.regions, .list, .groupDetail, .help]),
            b([.home, .char("g")], .top, "go to the first line (pauses following)", [.log]),
            b([.end, .char("G")], .follow, "go to the end and follow the log", hint: "follow", [.log]),
            b([.enter], .confirm, "open / choose", hint: "open", [.regions, .list]),
            b([.enter], .confirm, "create the group (OK)", hint: "OK", [.create]),
            b([.char(" ")], .toggle, "toggle", hint: "toggle", [.create]),
            b([.tab], .nextField, "next field", hint: "field", [.create]),
            b([.backTab], .previousField, "previous field", [.create]),
            b([.tab], .nextTab, "next tab", [.list]),
            b([.backTab], .previousTab, "previous tab", [.list]),
            b([.char("c")], .create, "create a snapshot-consistent group", hint: "create", [.list, .groupDetail]),
            b([.char("r"), .ctrl("r")], .refresh, "refresh", [.regions, .list, .groupDetail]),
            b([.char("/")], .filter, "filter", hint: "filter", [.regions, .list]),
            b([.char("/")], .search, "search the log", hint: "search", [.log]),
            b([.char("n")], .nextMatch, "next match", [.log]),
            b([.char("N")], .previousMatch, "previous match", [.log]),
            b([.char("w")], .wrap, "wrap long lines on/off", hint: "wrap", [.log]),
            b([.char("s")], .save, "save the log to a file", hint: "save", [.log]),
            b([.char(":")], .jump, "jump to a view (regions, instances, groups, invocations, help)", hint: "jump",
              [.regions, .list, .groupDetail, .log]),
            b([.escape], .back, "go back", hint: "back", all),
            b([.char("?")], .help, "this help", hint: "help", [.regions, .list, .groupDetail, .log]),
            b([.char("q")], .quit, "quit", hint: "quit", [.regions, .list, .groupDetail, .log, .help]),
            b([.ctrl("c")], .quit, "quit", all),
        ])
    }()

    public func command(for key: Key, in context: KeyContext) -> Command? {
        bindings.first { $0.contexts.contains(context) && $0.keys.contains(key) }?.command
    }

    public func bindings(in context: KeyContext) -> [Binding] { bindings.filter { $0.contexts.contains(context) } }

    /// The hint bar's items: the first key's label and the short word.
    public func hints(in context: KeyContext) -> [(key: String, label: String)] {
        bindings(in: context).compactMap { b in b.hint.map { (key: b.keys[0].label, label: $0) } }
    }
}
