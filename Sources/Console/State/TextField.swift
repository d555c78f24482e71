/// One line of editable text with its own cursor: the Create dialog's Name, Description and
/// Timeout, the rename and confirm dialogs, and the `/`, `:`, search and save prompts all use
/// it, so every input edits with the same keys (the key map's `.textField` context).
public struct TextField: Equatable, Sendable {
    /// What a field accepts, checked on every insertion (paste included): a character the
    /// rule refuses is dropped and the rest of the text kept.
    public enum Rule: Equatable, Sendable {
        case any
        /// Decimal digits only, at most this many.
        case digits(max: Int)
    }

    public private(set) var text: String
    /// Position in characters from the start.
    public private(set) var cursor: Int
    public var rule: Rule
    /// Set when the last insertion dropped characters the rule refused, for the view to say.
    public private(set) var refused = false

    public init(_ text: String = "", rule: Rule = .any) {
        self.rule = rule
        self.text = ""
        self.cursor = 0
        insert(text)
    }

    public mutating func set(_ t: String) { text = ""; cursor = 0; insert(t) }

    func accepts(_ c: Character, count: Int) -> Bool {
        switch rule {
        case .any: return !c.isNewline && c.unicodeScalars.allSatisfy { $0.properties.generalCategory != .control }
        case .digits(let max): return c.isASCII && c.isNumber && count < max
        }
    }

    /// Typed or pasted text at the cursor; control characters and newlines of a paste go.
    public mutating func insert(_ s: String) {
        refused = false
        var chars = Array(text)
        var at = min(cursor, chars.count)
        for c in s {
            guard accepts(c, count: chars.count) else { refused = true; continue }
            chars.insert(c, at: at); at += 1
        }
        text = String(chars); cursor = at
    }

    /// Applies an editing command; false when the command is not an editing one.
    @discardableResult
    public mutating func perform(_ c: Command) -> Bool {
        var chars = Array(text)
        let at = min(cursor, chars.count)
        switch c {
        case .cursorLeft: cursor = max(0, at - 1)
        case .cursorRight: cursor = min(chars.count, at + 1)
        case .lineStart: cursor = 0
        case .lineEnd: cursor = chars.count
        case .deleteBackward:
            guard at > 0 else { return true }
            chars.remove(at: at - 1); cursor = at - 1
        case .deleteForward:
            if at < chars.count { chars.remove(at: at) }
        case .deleteToStart:
            chars.removeSubrange(0..<at); cursor = 0
        case .deleteWord:
            // As readline's Ctrl-W: the spaces before the cursor, then the word before them.
            var i = at
            while i > 0 && chars[i - 1] == " " { i -= 1 }
            while i > 0 && chars[i - 1] != " " { i -= 1 }
            chars.removeSubrange(i..<at); cursor = i
        default:
            return false
        }
        text = String(chars)
        return true
    }

    /// The text cut to `width` cells around the cursor, and the cursor's column in it.
    public func window(width: Int) -> (text: String, cursorColumn: Int) {
        let chars = Array(text)
        var start = 0
        while CharWidth.of(String(chars[start..<min(cursor, chars.count)])) >= width && start < cursor { start += 1 }
        var out = "", w = 0
        for c in chars[start...] {
            let cw = CharWidth.of(c)
            if w + cw > width { break }
            out.append(c); w += cw
        }
        return (out, CharWidth.of(String(chars[start..<min(cursor, chars.count)])))
    }
}
