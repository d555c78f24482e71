import Foundation

/// Work that must wait until no freeze taken through this gate is in force, then run at
/// once. While file systems are frozen every millisecond is I/O the applications cannot
/// do; work that can as well come a moment later (starting the embedded cloud's group
/// worker, a new process that loads libraries and reads images) is held here and runs
/// right after the thaw instead of competing with the freeze for CPU and disk.
///
/// Shared by a guest's freezes (`LinuxGuestConfig.thawGate`) and whoever has work to
/// put off. A hold is taken when freezing starts and released when the thaw is done or
/// the freeze failed; nothing is held when no freeze is.
public final class ThawGate: @unchecked Sendable {
    private let lock = NSLock()
    private var holds = 0
    private var waiting: [@Sendable () -> Void] = []

    public init() {}

    /// Runs `work` now when nothing is frozen, else right after the last thaw (on the
    /// thread that thaws). Work of a process that dies first never runs: use it only for
    /// work that is picked up again after a crash.
    public func whenThawed(_ work: @escaping @Sendable () -> Void) {
        lock.lock()
        if holds > 0 {
            waiting.append(work)
            lock.unlock()
            return
        }
        lock.unlock()
        work()
    }

    /// A freeze begins; the returned hold must be released exactly once (later calls do nothing).
    func hold() -> Hold {
        lock.lock()
        holds += 1
        lock.unlock()
        return Hold(gate: self)
    }

    fileprivate func release() {
        lock.lock()
        holds -= 1
        let ready = holds == 0 ? waiting : []
        if holds == 0 { waiting = [] }
        lock.unlock()
        for work in ready { work() }
    }

    /// One freeze's claim on the gate.
    final class Hold: @unchecked Sendable {
        private let lock = NSLock()
        private var gate: ThawGate?

        fileprivate init(gate: ThawGate) { self.gate = gate }

        func release() {
            lock.lock()
            let g = gate
            gate = nil
            lock.unlock()
            g?.release()
        }

        deinit { release() }
    }
}
