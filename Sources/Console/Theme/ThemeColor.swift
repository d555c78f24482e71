/// A colour as a theme names it, before the terminal's depth is known.
public enum ThemeColor: Hashable, Sendable {
    /// The terminal's own foreground or background (use_default_colors).
    case terminalDefault
    /// 0…15: the 8 ANSI colours and their bright forms.
    case ansi(Int)
    /// 0…255: the xterm 256-colour palette.
    case indexed(Int)
    case rgb(UInt8, UInt8, UInt8)

    static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `default`, an ANSI name (`red`, `brightred`), `0`…`255` or `#rrggbb`.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "default" || t == "none" { self = .terminalDefault; return }
        if let i = Self.ansiNames.firstIndex(of: t) { self = .ansi(i); return }
        if t.hasPrefix("bright"), let i = Self.ansiNames.firstIndex(of: String(t.dropFirst(6))) { self = .ansi(i + 8); return }
        if let n = Int(t), (0...255).contains(n) { self = n < 16 ? .ansi(n) : .indexed(n); return }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)); return
        }
        return nil
    }

    /// The colour's RGB value (for degrading), nil for the terminal default.
    var rgbValue: (Int, Int, Int)? {
        switch self {
        case .terminalDefault: return nil
        case .ansi(let i): return Self.ansiRGB[max(0, min(15, i))]
        case .indexed(let i): return Self.xtermRGB(i)
        case let .rgb(r, g, b): return (Int(r), Int(g), Int(b))
        }
    }

    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func xtermRGB(_ i: Int) -> (Int, Int, Int) {
        if i < 16 { return ansiRGB[max(0, i)] }
        if i < 232 {
            let n = i - 16
            let level = [0, 95, 135, 175, 215, 255]
            return (level[n / 36], level[(n / 6) % 6], level[n % 6])
        }
        let g = 8 + (min(i, 255) - 232) * 10
        return (g, g, g)
    }
}

/// How many colours the terminal can show.
public enum ColorDepth: Int, Comparable, Sendable, CaseIterable {
    case none = 0, eight = 8, sixteen = 16, x256 = 256, trueColor = 16_777_216

    public static func < (a: ColorDepth, b: ColorDepth) -> Bool { a.rawValue < b.rawValue }

    /// From ncurses' COLORS. Truecolor needs a direct-colour terminfo (e.g. xterm-direct),
    /// where colour numbers are 0xRRGGBB; COLORTERM alone cannot make ncurses send them.
    public static func detect(colors: Int) -> ColorDepth {
        if colors >= 16_777_216 { return .trueColor }
        if colors >= 256 { return .x256 }
        if colors >= 16 { return .sixteen }
        if colors >= 8 { return .eight }
        return .none
    }
}

extension ThemeColor {
    /// The nearest colour the terminal can show; nil means "no colour at all".
    public func degraded(to depth: ColorDepth) -> ThemeColor? {
        if self == .terminalDefault { return depth == .none ? nil : self }
        switch depth {
        case .none: return nil
        case .trueColor: return self
        case .x256:
            if case let .rgb(r, g, b) = self { return .indexed(Self.nearest256(Int(r), Int(g), Int(b))) }
            return self
        case .sixteen:
            if case .ansi = self { return self }
            return .ansi(Self.nearest(in: 0..<16, to: rgbValue!))
        case .eight:
            if case .ansi(let i) = self, i < 8 { return self }
            if case .ansi(let i) = self { return .ansi(i - 8) }
            return .ansi(Self.nearest(in: 0..<8, to: rgbValue!))
        }
    }

    static func nearest(in range: Range<Int>, to c: (Int, Int, Int)) -> Int {
        var best = range.lowerBound, bestD = Int.max
        for i in range {
            let p = ansiRGB[i]
            let d = (p.0 - c.0) * (p.0 - c.0) + (p.1 - c.1) * (p.1 - c.1) + (p.2 - c.2) * (p.2 - c.2)
            if d < bestD { best = i; bestD = d }
        }
        return best
    }

    static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        let cube = 16 + 36 * level(r) + 6 * level(g) + level(b)
        let gray = 232 + max(0, min(23, ((r + g + b) / 3 - 3) / 10))
        func dist(_ i: Int) -> Int { let p = xtermRGB(i); return (p.0 - r) * (p.0 - r) + (p.1 - g) * (p.1 - g) + (p.2 - b) * (p.2 - b) }
        return dist(gray) < dist(cube) ? gray : cube
    }
}
