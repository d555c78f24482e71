/// How many terminal cells a character takes. Computed here, not with wcwidth(3), so the
/// grid (and its golden tests) do not depend on the process locale.
enum CharWidth {
    static func of(_ ch: Character) -> Int {
        guard let s = ch.unicodeScalars.first else { return 0 }
        let v = s.value
        if v < 0x20 || (v >= 0x7f && v < 0xa0) { return 0 }
        if s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .enclosingMark { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    static func of(_ s: String) -> Int { s.reduce(0) { $0 + of($1) } }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115f, 0x2e80...0x303e, 0x3041...0x33ff, 0x3400...0x4dbf, 0x4e00...0x9fff,
             0xa000...0xa4cf, 0xac00...0xd7a3, 0xf900...0xfaff, 0xfe30...0xfe4f, 0xff00...0xff60,
             0xffe0...0xffe6, 0x1f300...0x1f64f, 0x1f900...0x1f9ff, 0x20000...0x2fffd, 0x30000...0x3fffd:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// Cut to at most `width` cells, with `…` (or `~` in ASCII) marking the cut.
    func fitted(_ width: Int, ellipsis: String = "…") -> String {
        if width <= 0 { return "" }
        if CharWidth.of(self) <= width { return self }
        var out = ""
        var used = 0
        let room = width - CharWidth.of(ellipsis)
        for ch in self {
            let w = CharWidth.of(ch)
            if used + w > room { break }
            out.append(ch); used += w
        }
        return out + ellipsis
    }

    /// Padded with spaces (or cut) to exactly `width` cells.
    func padded(_ width: Int, ellipsis: String = "…") -> String {
        let s = fitted(width, ellipsis: ellipsis)
        let w = CharWidth.of(s)
        return w < width ? s + String(repeating: " ", count: width - w) : s
    }

    func leftPadded(_ width: Int) -> String {
        let w = CharWidth.of(self)
        return w < width ? String(repeating: " ", count: width - w) + self : fitted(width)
    }
}
