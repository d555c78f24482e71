/// How one role looks: colours plus attributes. Attributes alone must still tell roles
/// apart in the mono theme.
public struct Style: Hashable, Sendable {
    public var fg: ThemeColor
    public var bg: ThemeColor
    public var attributes: CellAttributes
    public init(fg: ThemeColor = .terminalDefault, bg: ThemeColor = .terminalDefault, attributes: CellAttributes = []) {
        self.fg = fg; self.bg = bg; self.attributes = attributes
    }
}

/// Named roles over a palette, as k9s skins: views name roles, the theme colours them.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [Role: Style]

    public init(name: String, styles: [Role: Style]) { self.name = name; self.styles = styles }

    public func style(_ role: Role) -> Style { styles[role] ?? styles[.normal] ?? Style() }

    /// The theme as a terminal of this depth can show it. With no colour at all, the
    /// attributes stay and the colours go: `mono` is written so that is enough.
    public func degraded(to depth: ColorDepth) -> Theme {
        var out = self
        for (role, s) in styles {
            out.styles[role] = Style(fg: s.fg.degraded(to: depth) ?? .terminalDefault,
                                     bg: s.bg.degraded(to: depth) ?? .terminalDefault,
                                     attributes: s.attributes)
        }
        return out
    }
}
