/// The live log: a bounded ring of lines (oldest dropped and counted), the follow/scroll
/// position, wrap, and search. Lines are addressed by their absolute number since the run
/// began, so the view stays put while old lines drop off.
public struct LogRing: Sendable {
    public let capacity: Int
    private var storage: [String] = []
    private var head = 0
    /// Lines that fell out of the ring.
    public private(set) var dropped = 0

    /// Following the tail: new lines scroll the view. Scrolling back pauses it.
    public var following = true
    /// Absolute number of the first line on screen while not following.
    public var topLine = 0
    public var wrap = false
    public private(set) var searchQuery = ""
    /// Absolute number of the line holding the current match.
    public private(set) var currentMatch: Int?
    /// Held lines containing the search query, kept up to date as lines come and go.
    public private(set) var matchCount = 0

    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(min(self.capacity, 4096))
    }

    /// Lines held now.
    public var count: Int { storage.count }
    /// Absolute number of the first line held.
    public var firstLine: Int { dropped }
    /// Absolute number one past the last line.
    public var endLine: Int { dropped + storage.count }
    public var totalLines: Int { endLine }

    public mutating func append(_ line: String) {
        if !searchQuery.isEmpty && matches(line) { matchCount += 1 }
        if storage.count < capacity {
            storage.append(line)
        } else {
            if !searchQuery.isEmpty && matches(storage[head]) { matchCount -= 1 }
            storage[head] = line
            head = (head + 1) % capacity
            dropped += 1
            if topLine < dropped { topLine = dropped }
            if let m = currentMatch, m < dropped { currentMatch = nil }
        }
    }

    public mutating func append<S: Sequence>(contentsOf lines: S) where S.Element == String {
        for l in lines { append(l) }
    }

    /// The line with this absolute number, if still held.
    public func line(_ n: Int) -> String? {
        guard n >= dropped, n < endLine else { return nil }
        let i = n - dropped
        return storage.count < capacity ? storage[i] : storage[(head + i) % capacity]
    }

    public var lines: [String] { (firstLine..<endLine).compactMap { line($0) } }

    // MARK: scrolling

    /// The first line on screen for a view `height` rows tall and `width` wide.
    public func top(height: Int, width: Int) -> Int {
        let tail = tailTop(height: height, width: width)
        if !following { return max(firstLine, min(topLine, tail)) }
        return tail
    }

    /// The first line of the last screenful: measured from the end backwards, so only the
    /// visible lines are looked at.
    func tailTop(height: Int, width: Int) -> Int {
        var rows = 0
        var n = endLine
        while n > firstLine {
            let r = rowsFor(line(n - 1) ?? "", width: width)
            if rows + r > height { break }
            rows += r; n -= 1
        }
        return n
    }

    func rowsFor(_ s: String, width: Int) -> Int {
        guard wrap, width > 0 else { return 1 }
        return Self.wrapped(s, width: width).count
    }

    /// A line cut into rows of at most `width` cells. A wide character that would straddle
    /// the edge starts the next row, so rows can hold fewer cells than `width`: counting
    /// and drawing both use this, or the tail would be under-counted and cut off.
    static func wrapped(_ line: String, width: Int) -> [String] {
        var rows: [String] = []
        var cur = "", w = 0
        for ch in line {
            let cw = CharWidth.of(ch)
            if w + cw > width { rows.append(cur); cur = ""; w = 0 }
            cur.append(ch); w += cw
        }
        rows.append(cur)
        return rows
    }

    public mutating func scroll(by delta: Int, height: Int, width: Int) {
        let current = top(height: height, width: width)
        topLine = max(firstLine, min(endLine - 1, current + delta))
        following = false
        // Scrolling never resumes following by itself; End or G does.
    }

    public mutating func scrollToTop() { topLine = firstLine; following = false }
    public mutating func follow() { following = true }

    // MARK: search

    public mutating func search(_ q: String, from: Int) {
        searchQuery = q
        currentMatch = nil
        lowerQuery = q.lowercased()
        matchCount = q.isEmpty ? 0 : (firstLine..<endLine).reduce(0) { $0 + (matches(line($1) ?? "") ? 1 : 0) }
        guard !q.isEmpty else { return }
        currentMatch = find(from: from, forward: true, includeStart: true)
        if let m = currentMatch { topLine = m; following = false }
    }

    public mutating func nextMatch(forward: Bool) {
        guard !searchQuery.isEmpty else { return }
        let start = currentMatch ?? (forward ? firstLine - 1 : endLine)
        if let m = find(from: start, forward: forward, includeStart: false) {
            currentMatch = m; topLine = m; following = false
        }
    }

    /// Searches with wrap-around.
    func find(from: Int, forward: Bool, includeStart: Bool) -> Int? {
        let total = count
        guard total > 0 else { return nil }
        var n = from
        for step in 0..<total + 1 {
            if step > 0 || !includeStart { n += forward ? 1 : -1 }
            if n >= endLine { n = firstLine }
            if n < firstLine { n = endLine - 1 }
            if let l = line(n), matches(l) { return n }
        }
        return nil
    }

    private var lowerQuery = ""

    /// Case-insensitive, as the search prompt promises.
    func matches(_ s: String) -> Bool { s.lowercased().contains(lowerQuery) }
}
