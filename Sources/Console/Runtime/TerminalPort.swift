/// What the runtime needs from a terminal. The ncurses adapter is the real one; tests
/// and the benchmark drive the session without any terminal.
public enum TerminalEvent: Equatable, Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
}

public protocol TerminalPort: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// False when the locale is not UTF-8: the views then draw with ASCII glyphs.
    var supportsUnicode: Bool { get }
    var colorDepth: ColorDepth { get }
    /// The next key or resize, or nil at once when there is none.
    func nextEvent() -> TerminalEvent?
    /// Shows the grid; only cells that changed since the last flush need to be sent.
    func flush(_ grid: Grid, theme: Theme)
    /// Asks the terminal to put `text` on the clipboard (OSC 52).
    func copyToClipboard(_ text: String)
    /// Gives the terminal back as it was. Safe to call more than once.
    func restore()
}
