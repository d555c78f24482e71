/// A key press, as the terminal adapter reports it and the tests type it.
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right
    case enter, escape, tab, backTab, backspace, delete
    case home, end, pageUp, pageDown
    case ctrl(Character)

    /// How the help screen and hint bar write the key.
    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .ctrl(" "): return "^Space"
        case .ctrl(let c): return "^" + String(c).uppercased()
        }
    }

    /// The character a text field takes from this key, if any.
    var typed: Character? {
        if case .char(let c) = self, c.isLetter || c.isNumber || c.isPunctuation || c.isSymbol || c == " " { return c }
        return nil
    }
}
