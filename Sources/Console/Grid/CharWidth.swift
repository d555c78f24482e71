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
             0xffe0...0xffe6, 0x20000...0x2fffd, 0x30000...0x3fffd:
            return true
        case 0x2000...0x2bff, 0x1f000...0x1faff:
            return emoji.contains { $0.contains(v) }
        default:
            return false
        }
    }

    /// The symbols and emoji glibc's wcwidth (which ncurses draws by) gives two cells, as
    /// read off glibc 2.36 in C.UTF-8; the grid must agree cell for cell or a wide glyph's
    /// right half is overwritten. ✔ ✘ ● ▶ and the box drawing the views use stay narrow.
    private static let emoji: [ClosedRange<UInt32>] = [
        0x231a...0x231b, 0x2329...0x232a, 0x23e9...0x23ec, 0x23f0...0x23f0, 0x23f3...0x23f3, 0x25fd...0x25fe,
        0x2614...0x2615, 0x2648...0x2653, 0x267f...0x267f, 0x2693...0x2693, 0x26a1...0x26a1, 0x26aa...0x26ab,
        0x26bd...0x26be, 0x26c4...0x26c5, 0x26ce...0x26ce, 0x26d4...0x26d4, 0x26ea...0x26ea, 0x26f2...0x26f3,
        0x26f5...0x26f5, 0x26fa...0x26fa, 0x26fd...0x26fd, 0x2705...0x2705, 0x270a...0x270b, 0x2728...0x2728,
        0x274c...0x274c, 0x274e...0x274e, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797, 0x27b0...0x27b0,
        0x27bf...0x27bf, 0x2b1b...0x2b1c, 0x2b50...0x2b50, 0x2b55...0x2b55,
        0x1f004...0x1f004, 0x1f0cf...0x1f0cf, 0x1f18e...0x1f18e, 0x1f191...0x1f19a, 0x1f200...0x1f202,
        0x1f210...0x1f23b, 0x1f240...0x1f248, 0x1f250...0x1f251, 0x1f260...0x1f265, 0x1f300...0x1f320,
        0x1f32d...0x1f335, 0x1f337...0x1f37c, 0x1f37e...0x1f393, 0x1f3a0...0x1f3ca, 0x1f3cf...0x1f3d3,
        0x1f3e0...0x1f3f0, 0x1f3f4...0x1f3f4, 0x1f3f8...0x1f43e, 0x1f440...0x1f440, 0x1f442...0x1f4fc,
        0x1f4ff...0x1f53d, 0x1f54b...0x1f54e, 0x1f550...0x1f567, 0x1f57a...0x1f57a, 0x1f595...0x1f596,
        0x1f5a4...0x1f5a4, 0x1f5fb...0x1f64f, 0x1f680...0x1f6c5, 0x1f6cc...0x1f6cc, 0x1f6d0...0x1f6d2,
        0x1f6d5...0x1f6d7, 0x1f6dd...0x1f6df, 0x1f6eb...0x1f6ec, 0x1f6f4...0x1f6fc, 0x1f7e0...0x1f7eb,
        0x1f7f0...0x1f7f0, 0x1f90c...0x1f93a, 0x1f93c...0x1f945, 0x1f947...0x1f9ff, 0x1fa70...0x1fa74,
        0x1fa78...0x1fa7c, 0x1fa80...0x1fa86, 0x1fa90...0x1faac, 0x1fab0...0x1faba, 0x1fac0...0x1fac5,
        0x1fad0...0x1fad9, 0x1fae0...0x1fae7, 0x1faf0...0x1faf6,
    ]
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
