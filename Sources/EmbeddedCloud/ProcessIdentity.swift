import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process named by pid plus its start time, so a pid the kernel handed out again
/// is never mistaken for the worker that once had it.
struct ProcessIdentity: Hashable, Sendable {
    var pid: Int32
    var startTicks: Int

    static func current() -> ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTicks: startTicks(of: pid) ?? 0)
    }

    static func of(_ pid: Int32) -> ProcessIdentity? {
        startTicks(of: pid).map { ProcessIdentity(pid: pid, startTicks: $0) }
    }

    /// Alive and the same process (a zombie counts as gone: its work is over).
    var isAlive: Bool {
        guard let stat = Self.stat(pid) else { return false }
        return stat.state != "Z" && stat.state != "X" && stat.startTicks == startTicks
    }

    /// Field 22 of /proc/PID/stat (after the parenthesised command, which may hold spaces).
    static func startTicks(of pid: Int32) -> Int? { stat(pid)?.startTicks }

    private static func stat(_ pid: Int32) -> (state: Character, startTicks: Int)? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 is fields[19].
        guard fields.count > 19, let state = fields[0].first, let ticks = Int(fields[19]) else { return nil }
        return (state, ticks)
    }
}
