import Foundation

public enum LogLevel: String, Sendable, CaseIterable, Hashable {
    case debug, info, warn, error
}

/// A wall-clock instant to 100 ns, kept as integers: a `Date` (a Double) cannot hold
/// seven fractional digits exactly at today's epoch, and `parse` must invert `render`.
public struct LogTimestamp: Hashable, Sendable, Comparable {
    /// Whole seconds since 1970-01-01 UTC.
    public var seconds: Int64
    /// 100-nanosecond ticks within the second, 0..<10_000_000.
    public var ticks: Int32

    public init(seconds: Int64, ticks: Int32) {
        self.seconds = seconds; self.ticks = ticks
    }

    public init(_ date: Date) {
        let t = date.timeIntervalSince1970
        var s = Int64(t.rounded(.down))
        var k = Int64(((t - Double(s)) * 1e7).rounded())
        if k >= 10_000_000 { s += 1; k -= 10_000_000 }
        seconds = s; ticks = Int32(k)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(seconds) + Double(ticks) / 1e7) }

    public static func < (a: LogTimestamp, b: LogTimestamp) -> Bool {
        (a.seconds, a.ticks) < (b.seconds, b.ticks)
    }
}

/// One line of plugin output (SPEC §9):
/// `[level="info"][time="2025-03-04 16:09:25.8200239"][message="…"]`.
public struct LogRecord: Hashable, Sendable {
    public var level: LogLevel
    public var time: LogTimestamp
    public var message: String

    public init(level: LogLevel, time: LogTimestamp, message: String) {
        self.level = level; self.time = time; self.message = message
    }

    public init(level: LogLevel, date: Date, message: String) {
        self.init(level: level, time: LogTimestamp(date), message: message)
    }

    /// The record as one line, time in `timeZone` (local by default).
    public func render(timeZone: TimeZone = .current) -> String {
        "[level=\"\(level.rawValue)\"][time=\"\(Self.formatTime(time, timeZone))\"][message=\"\(Self.escape(message))\"]"
    }

    /// Inverts `render`: nil when the line is not a record.
    public static func parse(_ line: String, timeZone: TimeZone = .current) -> LogRecord? {
        var rest = Substring(line)
        guard let levelText = field("level", &rest), let level = LogLevel(rawValue: String(levelText)),
              let timeText = field("time", &rest), let time = parseTime(timeText, timeZone),
              let raw = field("message", &rest), rest.isEmpty,
              let message = unescape(raw) else { return nil }
        return LogRecord(level: level, time: time, message: message)
    }

    // MARK: - escaping

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    static func unescape(_ s: Substring) -> String? {
        var out = ""
        var it = s.unicodeScalars.makeIterator()
        while let ch = it.next() {
            guard ch == "\\" else { out.unicodeScalars.append(ch); continue }
            switch it.next() {
            case "\"": out += "\""
            case "\\": out += "\\"
            case "n": out += "\n"
            case "r": out += "\r"
            case "t": out += "\t"
            default: return nil
            }
        }
        return out
    }

    /// Reads `[name="value"]` off the front of `rest`; the value is returned still escaped.
    private static func field(_ name: String, _ rest: inout Substring) -> Substring? {
        let head = "[\(name)=\""
        guard rest.hasPrefix(head) else { return nil }
        let body = rest.dropFirst(head.count)
        var i = body.startIndex
        while i < body.endIndex {
            let c = body[i]
            if c == "\\" {
                i = body.index(after: i)
                guard i < body.endIndex else { return nil }
            } else if c == "\"" {
                let after = body.index(after: i)
                guard after < body.endIndex, body[after] == "]" else { return nil }
                rest = body[body.index(after: after)...]
                return body[body.startIndex..<i]
            }
            i = body.index(after: i)
        }
        return nil
    }

    // MARK: - time

    private static func calendar(_ tz: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = tz
        return c
    }

    static func formatTime(_ t: LogTimestamp, _ tz: TimeZone) -> String {
        let d = calendar(tz).dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: Double(t.seconds)))
        func pad(_ v: Int?, _ n: Int) -> String {
            let s = String(v ?? 0)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(d.year, 4))-\(pad(d.month, 2))-\(pad(d.day, 2)) \(pad(d.hour, 2)):\(pad(d.minute, 2)):\(pad(d.second, 2)).\(pad(Int(t.ticks), 7))"
    }

    static func parseTime(_ s: Substring, _ tz: TimeZone) -> LogTimestamp? {
        // yyyy-MM-dd HH:mm:ss.fffffff
        let parts = s.split(separator: " ")
        guard parts.count == 2 else { return nil }
        let ymd = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        let hmsf = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard ymd.count == 3, hmsf.count == 2, hmsf[1].count == 7, hmsf[1].allSatisfy(\.isASCIIDigit) else { return nil }
        let hms = hmsf[0].split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 3 else { return nil }
        let nums = (ymd + hms).map { $0.allSatisfy(\.isASCIIDigit) && !$0.isEmpty ? Int($0) : nil }
        guard nums.allSatisfy({ $0 != nil }), let ticks = Int32(hmsf[1]) else { return nil }
        var dc = DateComponents()
        dc.year = nums[0]; dc.month = nums[1]; dc.day = nums[2]
        dc.hour = nums[3]; dc.minute = nums[4]; dc.second = nums[5]
        guard let date = calendar(tz).date(from: dc) else { return nil }
        return LogTimestamp(seconds: Int64(date.timeIntervalSince1970.rounded()), ticks: ticks)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
