/// Output of a command, made safe to print to a terminal: a script's (or an attacker's)
/// escape sequences must not recolour, retitle, clear or rewrite the operator's screen,
/// nor hide lines with a carriage return. What remains is the text a reader sees.
public enum TerminalText {
    /// Removes ECMA-48 sequences whole (CSI `ESC [ … final`, OSC/DCS/SOS/PM/APC strings up to
    /// BEL or `ESC \`, two-character escapes), their 8-bit C1 forms, and every other control
    /// character except newline and tab. A sequence cut off at the end is dropped too.
    public static func sanitized(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let v = scalars[i].value
            switch v {
            case 0x0A, 0x09:
                out.append(scalars[i]); i += 1
            case 0x1B:
                i = skipEscape(scalars, from: i + 1)
            case 0x9B:
                i = skipCSI(scalars, from: i + 1)
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
                i = skipString(scalars, from: i + 1)
            case 0x00...0x1F, 0x7F...0x9F:
                i += 1
            default:
                out.append(scalars[i]); i += 1
            }
        }
        return String(out)
    }

    /// After ESC: `[` starts a CSI; `]`, `P`, `X`, `^`, `_` a string; otherwise
    /// intermediates (0x20–0x2F) and one final byte (0x30–0x7E).
    private static func skipEscape(_ s: [Unicode.Scalar], from start: Int) -> Int {
        guard start < s.count else { return start }
        switch s[start] {
        case "[": return skipCSI(s, from: start + 1)
        case "]", "P", "X", "^", "_": return skipString(s, from: start + 1)
        default:
            var i = start
            while i < s.count, (0x20...0x2F).contains(s[i].value) { i += 1 }
            if i < s.count, (0x30...0x7E).contains(s[i].value) { i += 1 }
            return i
        }
    }

    /// Parameters and intermediates (0x20–0x3F) up to a final byte (0x40–0x7E).
    private static func skipCSI(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start
        while i < s.count, (0x20...0x3F).contains(s[i].value) { i += 1 }
        if i < s.count, (0x40...0x7E).contains(s[i].value) { i += 1 }
        return i
    }

    /// Up to and including BEL, ST (0x9C) or `ESC \`.
    private static func skipString(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start
        while i < s.count {
            switch s[i].value {
            case 0x07, 0x9C: return i + 1
            case 0x1B: return i + 1 < s.count && s[i + 1] == "\\" ? i + 2 : i + 1
            default: i += 1
            }
        }
        return i
    }
}
