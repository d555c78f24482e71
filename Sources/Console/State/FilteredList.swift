/// A list's cursor, scroll position and `/` filter. The filter is incremental: typing one
/// more character only re-checks the rows that matched before, and deleting one goes back
/// to the matches remembered for the shorter text, so a keystroke over 10,000 rows stays
/// cheap; the view draws only the visible rows.
public struct FilteredList: Sendable {
    /// Lower-cased search text, one per row.
    public private(set) var keys: [String] = []
    /// The same as UTF-8 bytes: matching compares bytes, not Characters.
    private var bytes: [[UInt8]] = []
    public private(set) var query: String = ""
    /// Indexes of the rows that match `query`, in row order.
    public private(set) var visible: [Int] = []
    /// The matches of each shorter query typed on the way to `query`, for Backspace.
    private var narrowed: [(query: String, visible: [Int])] = []
    /// Position in `visible`.
    public var cursor = 0
    /// First position of `visible` on screen.
    public var top = 0
    /// Each row's ID (instance, group, invocation): what the cursor and the marks hold on to
    /// when a refresh moves rows.
    public private(set) var ids: [String] = []
    /// Marked rows, by ID; a refresh keeps those still listed.
    public private(set) var marked: Set<String> = []
    /// The last row marked, where Ctrl-Space's range starts.
    public private(set) var anchor: String?

    public init(keys: [String] = []) { setRows(keys) }

    public var count: Int { visible.count }
    public var selected: Int? { visible.indices.contains(cursor) ? visible[cursor] : nil }
    public var selectedId: String? { selected.flatMap { ids.indices.contains($0) ? ids[$0] : nil } }

    /// New rows (a reload): the query stays, applied in full. With IDs the cursor stays on
    /// the row it was on wherever that row moved, and marks of rows gone are dropped.
    public mutating func setRows(_ keys: [String], ids newIds: [String]? = nil) {
        let was = selectedId
        let oldCursor = cursor, oldTop = top
        self.keys = keys
        bytes = keys.map { Array($0.utf8) }
        narrowed = []
        ids = newIds ?? []
        visible = Self.scan(bytes, indexes: nil, query: query)
        if !marked.isEmpty { marked.formIntersection(ids) }
        if let a = anchor, !marked.contains(a) { anchor = nil }
        if let id = was, !ids.isEmpty, let row = ids.firstIndex(of: id), let pos = visible.firstIndex(of: row) {
            cursor = pos
            // Keep the row where it was on screen when it can be.
            top = max(0, pos - (oldCursor - oldTop))
        }
        clamp()
    }

    public func isMarked(_ row: Int) -> Bool { ids.indices.contains(row) && marked.contains(ids[row]) }

    /// Space: marks or unmarks the row under the cursor.
    public mutating func toggleMark() {
        guard let id = selectedId else { return }
        if marked.remove(id) == nil { marked.insert(id); anchor = id } else if anchor == id { anchor = nil }
    }

    /// Ctrl-Space: marks every visible row from the last mark to the cursor (only the cursor's
    /// row when nothing is marked yet).
    public mutating func markRange() {
        guard let id = selectedId else { return }
        guard let a = anchor, let ar = ids.firstIndex(of: a), let from = visible.firstIndex(of: ar) else {
            marked.insert(id); anchor = id; return
        }
        for pos in min(from, cursor)...max(from, cursor) { marked.insert(ids[visible[pos]]) }
        anchor = id
    }

    public mutating func clearMarks() { marked = []; anchor = nil }

    /// Marked rows the filter hides: a delete of the marked ones says how many it cannot show.
    public var hiddenMarks: Int {
        guard !marked.isEmpty else { return 0 }
        let shown = Set(visible.map { ids[$0] })
        return marked.subtracting(shown).count
    }

    public mutating func setQuery(_ q: String) {
        let lower = q.lowercased()
        if lower == query { return }
        if !query.isEmpty && lower.hasPrefix(query) {
            // Narrowing: only the current matches can still match.
            narrowed.append((query, visible))
            visible = Self.scan(bytes, indexes: visible, query: lower)
        } else if let i = narrowed.lastIndex(where: { $0.query == lower }) {
            // Widening back to a text typed before: its matches are remembered.
            visible = narrowed[i].visible
            narrowed.removeSubrange(i...)
        } else {
            narrowed = []
            visible = Self.scan(bytes, indexes: nil, query: lower)
        }
        query = lower
        cursor = 0; top = 0
    }

    static func scan(_ keys: [[UInt8]], indexes: [Int]?, query: String) -> [Int] {
        if query.isEmpty { return indexes ?? Array(keys.indices) }
        let needle = Array(query.utf8)
        if let idx = indexes { return idx.filter { contains(keys[$0], needle) } }
        return keys.indices.filter { contains(keys[$0], needle) }
    }

    /// Substring search on UTF-8 bytes (a match of valid UTF-8 starts on a character boundary).
    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        let n = needle.count, h = hay.count
        if n == 0 { return true }
        if n > h { return false }
        return hay.withUnsafeBufferPointer { hp in
            needle.withUnsafeBufferPointer { np in
                let first = np[0]
                var i = 0
                while i <= h - n {
                    if hp[i] == first {
                        var j = 1
                        while j < n && hp[i + j] == np[j] { j += 1 }
                        if j == n { return true }
                    }
                    i += 1
                }
                return false
            }
        }
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
