import Foundation
@testable import AppSnapCore

/// Time that moves only when the test or a fake says so; `sleep` moves it at once.
final class FakeClock: AppSnapCore.Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var offset: Double = 0
    /// 2025-03-04 08:09:25 UTC, the seed's day.
    let base = Date(timeIntervalSince1970: 1_741_075_765)

    func now() -> Date { lock.lock(); defer { lock.unlock() }; return base.addingTimeInterval(offset) }
    func uptime() -> Double { lock.lock(); defer { lock.unlock() }; return 1000 + offset }
    func sleep(seconds: Double) async { advance(max(0, seconds)) }
    func advance(_ seconds: Double) { lock.lock(); offset += seconds; lock.unlock() }
}

/// One ordered record of what the fakes were asked to do, shared by cloud and guest,
/// so a test can check the order of steps (prescript → freeze → create → thaw → postscript).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ e: String) { lock.lock(); items.append(e); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    func index(of e: String) -> Int? { all.firstIndex(of: e) }
    func contains(_ e: String) -> Bool { all.contains(e) }
}
