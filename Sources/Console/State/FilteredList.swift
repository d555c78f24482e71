/// A list's cursor, scroll position and `/` filter. The filter is incremental: typing one
/// more character only re-checks the rows that matched before, so a keystroke over
/// 10,000 rows stays cheap; the view draws only the visible rows.
public struct FilteredList: Sendable {
    /// Lower-cased search text, one per row.
    public private(set) var keys: [String] = []
    public private(set) var query: String = ""
    /// Indexes of the rows that match `query`, in row order.
    public private(set) var visible: [Int] = []
    /// Position in `visible`.
    public var cursor = 0
    /// First position of `visible` on screen.
    public var top = 0

    public init(keys: [String] = []) { setRows(keys) }

    public var count: Int { visible.count }
    public var selected: Int? { visible.indices.contains(cursor) ? visible[cursor] : nil }

    /// New rows (a reload): the query stays, applied in full; the cursor is kept in range.
    public mutating func setRows(_ keys: [String]) {
        self.keys = keys
        visible = Self.scan(keys, indexes: nil, query: query)
        clamp()
    }

    public mutating func setQuery(_ q: String) {
        let lower = q.lowercased()
        if lower == query { return }
        // Narrowing (one more character) re-checks only current matches; anything else rescans.
        let base: [Int]? = (!query.isEmpty && lower.hasPrefix(query)) ? visible : nil
        query = lower
        visible = Self.scan(keys, indexes: base, query: lower)
        cursor = 0; top = 0
    }

    static func scan(_ keys: [String], indexes: [Int]?, query: String) -> [Int] {
        if query.isEmpty { return indexes ?? Array(keys.indices) }
        if let idx = indexes { return idx.filter { keys[$0].contains(query) } }
        return keys.indices.filter { keys[$0].contains(query) }
    }

    public mutating func move(by delta: Int) {
        cursor = max(0, min(count - 1, cursor + delta))
        if count == 0 { cursor = 0 }
    }

    public mutating func moveTo(_ position: Int) { cursor = max(0, min(max(0, count - 1), position)) }

    /// Keeps the cursor on screen for a list `height` rows tall.
    public mutating func scrollIntoView(height: Int) {
        guard height > 0 else { return }
        if cursor < top { top = cursor }
        if cursor >= top + height { top = cursor - height + 1 }
        top = max(0, min(top, max(0, count - height)))
    }

    mutating func clamp() {
        if cursor >= count { cursor = max(0, count - 1) }
        if top > cursor { top = cursor }
    }
}
