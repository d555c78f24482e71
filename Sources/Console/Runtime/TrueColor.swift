import Foundation

/// 24-bit colour through ncurses: when it is asked for, which terminfo entry gives it, and
/// how a theme colour becomes a direct-colour number.
enum TrueColor {
    /// COLORTERM is how terminals announce 24-bit colour (`truecolor` or `24bit`).
    static func requested(_ environment: [String: String]) -> Bool {
        let v = (environment["COLORTERM"] ?? "").lowercased()
        return v == "truecolor" || v == "24bit"
    }

    /// The installed direct-colour sibling of `term` (`xterm-256color` → `xterm-direct`), or
    /// nil when TERM already is one or none is installed (then 256 colours it is).
    static func directEntry(for term: String, environment: [String: String]) -> String? {
        if term.hasSuffix("-direct") || term.isEmpty { return nil }
        var base = term
        for suffix in ["-256color", "-88color", "-color", "-16color"] where base.hasSuffix(suffix) {
            base = String(base.dropLast(suffix.count))
        }
        let candidates = ["\(term)-direct", "\(base)-direct"]
        return candidates.first { installed($0, environment: environment) }
    }

    /// Looks in the folders ncurses searches, in its order.
    static func installed(_ name: String, environment: [String: String]) -> Bool {
        guard let first = name.first else { return false }
        var dirs: [String] = []
        if let t = environment["TERMINFO"], !t.isEmpty { dirs.append(t) }
        if let h = environment["HOME"] { dirs.append(h + "/.terminfo") }
        if let list = environment["TERMINFO_DIRS"] { dirs += list.split(separator: ":").map(String.init) }
        dirs += ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
        let hex = String(format: "%02x", first.asciiValue ?? 0)
        return dirs.contains { dir in
            FileManager.default.fileExists(atPath: "\(dir)/\(first)/\(name)")
                || FileManager.default.fileExists(atPath: "\(dir)/\(hex)/\(name)")
        }
    }

    /// A direct-colour terminfo entry reads numbers below 8 as the ANSI palette and any
    /// other as 0xRRGGBB, so bright and 256-palette colours are sent as their RGB value.
    static func number(_ c: ThemeColor) -> Int32 {
        switch c {
        case .terminalDefault: return -1
        case .ansi(let i) where i < 8: return Int32(i)
        default:
            guard let (r, g, b) = c.rgbValue else { return -1 }
            // 0x000001…0x000007 would be read as palette entries; the nearest RGB is 8.
            return max(8, Int32(r) << 16 | Int32(g) << 8 | Int32(b))
        }
    }
}
