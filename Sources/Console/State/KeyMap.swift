/// What a key asks for. The reducer acts on commands, never on raw keys; the one exception
/// is a printable character in a context that `typesText`, which goes into the text field.
public enum Command: String, CaseIterable, Sendable {
    case up, down, left, right, pageUp, pageDown, top, bottom
    case confirm, cancel, toggle, nextField, previousField, pickPrevious, pickNext
    case filter, jump, back, quit, help
    case nextTab, previousTab, create, refresh
    case follow, wrap, search, nextMatch, previousMatch, save
    // Text editing (the `.textField` context).
    case cursorLeft, cursorRight, lineStart, lineEnd, deleteBackward, deleteForward, deleteToStart, deleteWord
    // Lists.
    case mark, markRange, clearMarks, copyId
    // Group actions (SPEC §14).
    case rollback, restore, rename, delete
}

/// Where the operator is, which decides which bindings apply. A screen or dialog may stack
/// two: a focused text field's `.textField` first, then the dialog's own.
public enum KeyContext: String, CaseIterable, Sendable {
    case regions, list, groups, groupDetail, create, textField, prompt, confirm, groupAction, log, help
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

    /// Commands that change the cloud; `--readonly` takes them out of the map, so they vanish
    /// from dispatch, hints and help at once.
    public static let writing: Set<Command> = [.create, .rollback, .restore, .rename, .delete]

    /// Contexts where a printable character that no binding takes is typed into the field.
    public static let typingContexts: Set<KeyContext> = [.textField]

    public static let standard: KeyMap = {
        let all = Set(KeyContext.allCases)
        let lists: Set<KeyContext> = [.regions, .list, .groupDetail, .log, .help]
        let screens: Set<KeyContext> = [.regions, .list, .groupDetail, .log, .help]
        func b(_ keys: [Key], _ c: Command, _ help: String, hint: String? = nil, _ ctx: Set<KeyContext>) -> Binding {
            Binding(keys: keys, command: c, help: help, hint: hint, contexts: ctx)
        }
        return KeyMap(bindings: [
            b([.up, .char("k")], .up, "move up", lists),
            b([.down, .char("j")], .down, "move down", lists),
            b([.left, .char("h")], .left, "previous tab", [.list]),
            b([.right, .char("l")], .right, "next tab", [.list]),
            b([.pageUp, .ctrl("b")], .pageUp, "page up", lists),
            b([.pageDown, .ctrl("f")], .pageDown, "page down", lists),
            b([.home, .char("g")], .top, "go to the top", [.regions, .list, .groupDetail, .help]),
            b([.end, .char("G")], .bottom, "go to the bottom", [.regions, .list, .groupDetail, .help]),
            b([.home, .char("g")], .top, "go to the first line (pauses following)", [.log]),
            b([.end, .char("G")], .follow, "go to the end and follow the log", hint: "follow", [.log]),
            b([.enter], .confirm, "open / choose", hint: "open", [.regions, .list]),
            b([.tab], .nextTab, "next tab", [.list]),
            b([.backTab], .previousTab, "previous tab", [.list]),

            // Marks, as k9s: Space, Ctrl-Space for the range to the last mark, Ctrl-\ clears.
            b([.char(" ")], .mark, "mark / unmark the row", [.list]),
            b([.ctrl(" ")], .markRange, "mark every row from the last mark to this one", [.list]),
            b([.ctrl("\\")], .clearMarks, "clear the marks", [.list]),
            b([.char("y")], .copyId, "copy the row's ID to the clipboard (OSC 52)", [.list, .groupDetail]),

            b([.char("c")], .create, "create a snapshot-consistent group", hint: "create", [.list, .groupDetail]),
            b([.char("b")], .rollback, "roll the instance back to the group", hint: "rollback", [.groups, .groupDetail]),
            b([.char("t")], .restore, "restore the group to new disks (on this machine: mounted)", hint: "restore", [.groups, .groupDetail]),
            b([.char("e")], .rename, "rename the group", hint: "rename", [.groups, .groupDetail]),
            b([.ctrl("d")], .delete, "delete the group, or the marked ones", hint: "delete", [.groups, .groupDetail]),
            b([.char("r"), .ctrl("r")], .refresh, "refresh now", [.regions, .list, .groupDetail]),
            b([.char("/")], .filter, "filter", hint: "filter", [.regions, .list]),
            b([.char("/")], .search, "search the log", hint: "search", [.log]),
            b([.char("n")], .nextMatch, "next match", [.log]),
            b([.char("N")], .previousMatch, "previous match", [.log]),
            b([.char("w")], .wrap, "wrap long lines on/off", hint: "wrap", [.log]),
            b([.char("s")], .save, "save the log to a file", hint: "save", [.log]),
            b([.char(":")], .jump, "jump to a view (regions, instances, groups, invocations, help)", hint: "jump",
              [.regions, .list, .groupDetail, .log]),

            // The Create dialog (outside a text field; inside one, letters type).
            b([.tab, .down, .char("j")], .nextField, "next field", hint: "field", [.create]),
            b([.backTab, .up, .char("k")], .previousField, "previous field", [.create]),
            b([.left, .char("h")], .pickPrevious, "on Instance: the previous instance", [.create]),
            b([.right, .char("l")], .pickNext, "on Instance: the next instance", [.create]),
            b([.char(" ")], .toggle, "toggle / press the focused button", hint: "toggle", [.create]),
            b([.enter], .confirm, "create the group (OK; on Cancel: cancel)", hint: "OK", [.create]),

            // Group action dialogs: roll back, restore, rename, delete.
            b([.tab, .down], .nextField, "next field or button", hint: "field", [.confirm, .groupAction]),
            b([.backTab, .up], .previousField, "previous field or button", [.confirm, .groupAction]),
            b([.left, .char("h")], .previousField, "previous button", [.confirm]),
            b([.right, .char("l")], .nextField, "next button", [.confirm]),
            b([.char(" ")], .toggle, "toggle the focused option (a button: press it)", [.groupAction]),
            b([.enter], .confirm, "press the focused button", hint: "OK", [.confirm, .groupAction]),
            b([.escape], .cancel, "cancel", hint: "cancel", [.create, .confirm, .groupAction]),

            // Every text field and prompt.
            b([.left], .cursorLeft, "cursor left", [.textField]),
            b([.right], .cursorRight, "cursor right", [.textField]),
            b([.home, .ctrl("a")], .lineStart, "cursor to the start of the text", [.textField]),
            b([.end, .ctrl("e")], .lineEnd, "cursor to the end of the text", [.textField]),
            b([.backspace], .deleteBackward, "delete the character before the cursor", [.textField]),
            b([.delete, .ctrl("d")], .deleteForward, "delete the character under the cursor", [.textField]),
            b([.ctrl("u")], .deleteToStart, "delete to the start of the text", [.textField]),
            b([.ctrl("w")], .deleteWord, "delete the word before the cursor", [.textField]),
            b([.enter], .confirm, "apply", hint: "apply", [.prompt]),
            b([.escape], .cancel, "cancel (a filter is cleared)", hint: "cancel", [.prompt]),

            b([.escape], .back, "go back", hint: "back", screens),
            b([.char("?")], .help, "this help", hint: "help", [.regions, .list, .groupDetail, .log]),
            b([.char("q")], .quit, "quit", hint: "quit", [.regions, .list, .groupDetail, .log, .help]),
            b([.ctrl("c")], .quit, "quit", all.subtracting([.textField])),
        ])
    }()

    /// The map without the commands that change the cloud.
    public func readOnly() -> KeyMap { KeyMap(bindings: bindings.filter { !Self.writing.contains($0.command) }) }

    public func command(for key: Key, in context: KeyContext) -> Command? {
        bindings.first { $0.contexts.contains(context) && $0.keys.contains(key) }?.command
    }

    /// The first context of the stack that binds the key.
    public func command(for key: Key, in stack: [KeyContext]) -> Command? {
        for c in stack { if let cmd = command(for: key, in: c) { return cmd } }
        return nil
    }

    public func bindings(in context: KeyContext) -> [Binding] { bindings.filter { $0.contexts.contains(context) } }

    public func binds(_ c: Command, in context: KeyContext) -> Bool { bindings(in: context).contains { $0.command == c } }

    /// The hint bar's items: the first key's label and the short word.
    public func hints(in context: KeyContext) -> [(key: String, label: String)] {
        bindings(in: context).compactMap { b in b.hint.map { (key: b.keys[0].label, label: $0) } }
    }

    /// The innermost context's hints first: on the groups list its actions come before what
    /// every list does, so a narrow bar cuts the general ones.
    public func hints(in stack: [KeyContext]) -> [(key: String, label: String)] { stack.flatMap { hints(in: $0) } }
}
