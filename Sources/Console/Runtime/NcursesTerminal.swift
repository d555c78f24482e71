import CNcursesw
import Foundation

/// The only code that touches ncurses: it flushes the grid and reads keys.
public final class NcursesTerminal: TerminalPort {
    public private(set) var width: Int
    public private(set) var height: Int
    public let supportsUnicode: Bool
    public let colorDepth: ColorDepth
    private var previous: Grid?
    private var previousTheme: Theme?
    private var pairs: [Style: Int32] = [:]
    private var restored = false

    /// Sets the locale (wide characters need it), then takes over the terminal.
    public init(forceASCII: Bool = false, noColor: Bool = false,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        supportsUnicode = !forceASCII && codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        // COLORTERM=truecolor says the terminal takes 24-bit colours, but ncurses sends them
        // only with a direct-colour terminfo entry: use TERM's `-direct` sibling when installed.
        var direct: String?
        if !noColor, TrueColor.requested(environment), let term = environment["TERM"] {
            direct = TrueColor.directEntry(for: term, environment: environment)
        }
        if let d = direct, newterm(d, stdout, stdin) != nil {
            // newterm made the direct-colour screen current; stdscr is its window.
        } else {
            initscr()
        }
        raw()
        noecho()
        nonl()
        keypad(stdscr, true)
        nodelay(stdscr, true)
        set_escdelay(25)
        curs_set(0)
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            colorDepth = ColorDepth.detect(colors: Int(appsnap_colors()))
        } else {
            colorDepth = .none
        }
        width = Int(appsnap_cols()); height = Int(appsnap_lines())
    }

    deinit { restore() }

    public func restore() {
        guard !restored else { return }
        restored = true
        curs_set(1)
        endwin()
    }

    public func nextEvent() -> TerminalEvent? {
        var wc: wint_t = 0
        let r = wget_wch(stdscr, &wc)
        if r == appsnap_err() { return nil }
        if r == appsnap_key_code_yes() {
            switch Int32(wc) {
            case KEY_RESIZE:
                width = Int(getmaxx(stdscr)); height = Int(getmaxy(stdscr))
                previous = nil
                return .resize(width: width, height: height)
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_BTAB: return .key(.backTab)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_ENTER: return .key(.enter)
            default: return nil
            }
        }
        switch wc {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(UnicodeScalar(UInt8(wc) + 96))))
        // Ctrl-Space sends NUL and Ctrl-\ sends FS (raw mode keeps it from being SIGQUIT).
        case 0: return .key(.ctrl(" "))
        case 28: return .key(.ctrl("\\"))
        default:
            guard let u = UnicodeScalar(UInt32(wc)) else { return nil }
            return .key(.char(Character(u)))
        }
    }

    /// OSC 52 goes around ncurses, straight to the terminal: ncurses has no call for it and
    /// the sequence draws nothing (tmux takes it with `set-clipboard on`, as it does k9s's).
    public func copyToClipboard(_ text: String) {
        let b64 = Data(text.utf8).base64EncodedString()
        FileHandle.standardOutput.write(Data("\u{1b}]52;c;\(b64)\u{07}".utf8))
    }

    public func flush(_ grid: Grid, theme: Theme) {
        let shown = theme.degraded(to: colorDepth)
        let full = previous == nil || previous!.width != grid.width || previous!.height != grid.height || previousTheme != shown
        if full { werase(stdscr); pairs = [:] }
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                if !full, let p = previous, p[x, y] == cell { continue }
                put(cell, x: x, y: y, theme: shown)
            }
        }
        previous = grid
        previousTheme = shown
        wnoutrefresh(stdscr)
        doupdate()
    }

    private func put(_ cell: Cell, x: Int, y: Int, theme: Theme) {
        let style = theme.style(cell.role)
        var attrs = appsnap_a_normal()
        let a = style.attributes.union(cell.attributes)
        if a.contains(.bold) { attrs |= appsnap_a_bold() }
        if a.contains(.dim) { attrs |= appsnap_a_dim() }
        if a.contains(.underline) { attrs |= appsnap_a_underline() }
        if a.contains(.reverse) { attrs |= appsnap_a_reverse() }
        if a.contains(.italic) { attrs |= appsnap_a_italic() }
        let pair = colorDepth == .none ? 0 : pairNumber(style)
        var scalars = cell.char.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        if !supportsUnicode, cell.char.unicodeScalars.contains(where: { !$0.isASCII }) { scalars = [wchar_t(63)] }
        scalars.append(0)
        // Writing the bottom-right cell scrolls on some terminals and returns ERR; harmless.
        _ = appsnap_put_cell(Int32(y), Int32(x), scalars, attrs, pair)
    }

    private func colorNumber(_ c: ThemeColor) -> Int32 {
        if colorDepth == .trueColor { return TrueColor.number(c) }
        switch c {
        case .terminalDefault: return -1
        case .ansi(let i): return Int32(i)
        case .indexed(let i): return Int32(i)
        case let .rgb(r, g, b): return Int32(r) << 16 | Int32(g) << 8 | Int32(b)
        }
    }

    private func pairNumber(_ style: Style) -> Int32 {
        let key = Style(fg: style.fg, bg: style.bg)
        if let p = pairs[key] { return p }
        let next = Int32(pairs.count + 1)
        guard next < appsnap_color_pairs() else { return 0 }
        _ = appsnap_init_pair(next, colorNumber(style.fg), colorNumber(style.bg))
        pairs[key] = next
        return next
    }
}
