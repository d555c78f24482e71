import Foundation

/// Time comes through this port so tests control it.
public protocol Clock: Sendable {
    /// Wall time, for log records and CreationTime.
    func now() -> Date
    /// Monotonic seconds, for measuring durations and deadlines.
    func uptime() -> Double
    func sleep(seconds: Double) async
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
    public func uptime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    public func sleep(seconds: Double) async {
        try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
    }
}
