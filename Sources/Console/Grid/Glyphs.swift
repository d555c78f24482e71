/// The characters the views draw with: Unicode when the locale is UTF-8, ASCII otherwise.
public struct Glyphs: Sendable, Equatable {
    public var horizontal: String
    public var vertical: String
    public var topLeft: String, topRight: String, bottomLeft: String, bottomRight: String
    public var crumbSeparator: String
    public var barDone: String, barTodo: String
    public var checked: String, unchecked: String, blocked: String
    public var ok: String, fail: String, running: String, stopped: String
    public var pointer: String
    public var ellipsis: String
    public var times: String
    /// Around a value that ←/→ change (the Create dialog's instance).
    public var pickLeft: String = "◁", pickRight: String = "▷"
    /// In the left margin of a marked row.
    public var mark: String = "•"

    public static let unicode = Glyphs(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐",
                                       bottomLeft: "└", bottomRight: "┘", crumbSeparator: " › ",
                                       barDone: "█", barTodo: "░", checked: "[x]", unchecked: "[ ]", blocked: "[-]",
                                       ok: "✔", fail: "✘", running: "●", stopped: "○", pointer: "▶",
                                       ellipsis: "…", times: "×")
    public static let ascii = Glyphs(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+",
                                     bottomLeft: "+", bottomRight: "+", crumbSeparator: " > ",
                                     barDone: "#", barTodo: ".", checked: "[x]", unchecked: "[ ]", blocked: "[-]",
                                     ok: "+", fail: "x", running: "*", stopped: "o", pointer: ">",
                                     ellipsis: "~", times: "x", pickLeft: "<", pickRight: ">", mark: "*")
}
