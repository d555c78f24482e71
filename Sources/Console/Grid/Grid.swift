/// Text attributes a cell can carry besides its colours.
public struct CellAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1)
    public static let dim = CellAttributes(rawValue: 2)
    public static let underline = CellAttributes(rawValue: 4)
    public static let reverse = CellAttributes(rawValue: 8)
    public static let italic = CellAttributes(rawValue: 16)
}

/// One terminal cell. A wide character fills its cell and marks the next one as its
/// continuation, so the grid's columns stay the terminal's columns.
public struct Cell: Hashable, Sendable {
    public var char: Character
    public var role: Role
    public var attributes: CellAttributes
    /// True for the right half of a wide character: nothing is drawn there.
    public var isContinuation: Bool

    public init(char: Character = " ", role: Role = .normal, attributes: CellAttributes = [], isContinuation: Bool = false) {
        self.char = char; self.role = role; self.attributes = attributes; self.isContinuation = isContinuation
    }
    public static let blank = Cell()
}

/// The in-memory screen every view draws into; the terminal adapter only flushes it.
public struct Grid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from (x, y), clipped at `maxX` (exclusive, default the right edge).
    /// Returns the column after the last cell written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .normal,
                             attributes: CellAttributes = [], maxX: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(maxX ?? width, width)
        var col = x
        for ch in text {
            let w = CharWidth.of(ch)
            if w == 0 { continue }
            if col + w > limit { break }
            if col >= 0 {
                self[col, y] = Cell(char: ch, role: role, attributes: attributes)
                if w == 2 { self[col + 1, y] = Cell(char: " ", role: role, attributes: attributes, isContinuation: true) }
            }
            col += w
        }
        return col
    }

    /// Paints a run of cells with one role (e.g. a selected row's background).
    public mutating func fill(x: Int, y: Int, width w: Int, role: Role, attributes: CellAttributes = [], char: Character = " ") {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<min(width, x + w) { self[col, y] = Cell(char: char, role: role, attributes: attributes) }
    }

    /// Re-colours a run of cells, keeping their characters (selection bars, search matches).
    public mutating func restyle(x: Int, y: Int, width w: Int, role: Role, attributes: CellAttributes? = nil) {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<min(width, x + w) {
            cells[y * width + col].role = role
            if let a = attributes { cells[y * width + col].attributes = a }
        }
    }

    /// One row as text, wide characters once (as a terminal shows them).
    public func row(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !self[x, y].isContinuation { s.append(self[x, y].char) }
        return s
    }

    /// The whole grid as text, one line per row, trailing spaces removed: what golden files hold.
    public var text: String {
        (0..<height).map { y -> String in
            var r = row(y)
            while r.last == " " { r.removeLast() }
            return r
        }.joined(separator: "\n")
    }

    /// Where a role is used, for tests that check that something is highlighted.
    public func cells(withRole role: Role) -> [(x: Int, y: Int)] {
        var out: [(Int, Int)] = []
        for y in 0..<height { for x in 0..<width where self[x, y].role == role { out.append((x, y)) } }
        return out
    }
}
