import Foundation
@testable import AppSnapCore

/// An in-memory instance: scripts whose checks and results the test sets, a freezer that
/// can fail, expire or fail to thaw, VSS writers, and a run lock.
final class FakeGuest: GuestHost, @unchecked Sendable {
    enum FreezeMode {
        case ok
        /// `freeze` throws: freezing was not complete.
        case fails
        /// The freezer thawed on its own right away (it died, or its deadline was tiny).
        case expiresAtOnce
        /// The freezer never thaws on its own, so only the workflow's own clock can see the bound pass.
        case ignoresDeadline
    }

    private let lock = NSLock()
    let instanceId: String
    let regionId: String
    let clock: FakeClock
    let events: EventLog

    var isRoot = true
    var lockTaken = false
    var lockHeldElsewhere = false
    var locksTaken = 0
    /// path → what openScript says; a path not here is missing.
    var scripts: [String: ScriptCheck] = [:]
    /// Scripts whose file changed after the check: at once, or only once prescript has run.
    var changed: [String: String] = [:]
    var changedOncePrescriptRan: [String: String] = [:]
    var results: [String: ScriptResult] = [:]
    var outputs: [String: [String]] = [:]
    var scriptSeconds: Double = 0.5
    private(set) var scriptTimeouts: [Double] = []
    var freezeMode: FreezeMode = .ok
    var thawFails = false
    var freezeSeconds: Double = 0.02
    /// diskId → mount points on it.
    var mounts: [String: [String]] = [:]
    /// What is frozen right now.
    private(set) var frozenNow: [String] = []
    var writers: [String]? = ["SqlServerWriter", "System Writer"]
    var onFreeze: (@Sendable () -> Void)?
    var onThaw: (@Sendable () -> Void)?

    init(instanceId: String, regionId: String = "cn-hangzhou", clock: FakeClock, events: EventLog) {
        self.instanceId = instanceId; self.regionId = regionId; self.clock = clock; self.events = events
    }

    func with<T>(_ body: () throws -> T) rethrows -> T { lock.lock(); defer { lock.unlock() }; return try body() }

    /// Both scripts pass the checks and exit 0.
    func installGoodScripts() {
        with {
            for p in ["/tmp/prescript.sh", "/tmp/postscript.sh"] {
                scripts[p] = .ok(CheckedScript(path: p, descriptor: -1))
                results[p] = .exited(0)
            }
            outputs["/tmp/prescript.sh"] = ["flush tables with read lock", "locked"]
            outputs["/tmp/postscript.sh"] = ["unlock tables"]
        }
    }

    var ran: [String] { events.all.filter { $0.hasPrefix("run ") } }
    var isFrozen: Bool { with { !frozenNow.isEmpty } }
    var lockIsHeld: Bool { with { lockTaken } }

    // MARK: - GuestHost

    func acquireRunLock() throws -> RunLock? {
        events.add("lock")
        return with {
            if lockHeldElsewhere || lockTaken { return nil }
            lockTaken = true; locksTaken += 1
            return FakeLock(guest: self)
        }
    }

    fileprivate func unlock() { events.add("unlock"); with { lockTaken = false } }

    func openScript(path: String) -> ScriptCheck {
        events.add("open \(path)")
        return with { scripts[path] ?? .rejected(reason: "script-missing", detail: "\(path) does not exist") }
    }

    func scriptChanged(_ script: CheckedScript) -> String? {
        let prescriptRan = events.contains("run /tmp/prescript.sh")
        return with { changed[script.path] ?? (prescriptRan ? changedOncePrescriptRan[script.path] : nil) }
    }

    func runScript(_ script: CheckedScript, timeoutSeconds: Double,
                   output: @escaping @Sendable (String) -> Void) async -> ScriptResult {
        events.add("run \(script.path)")
        let (lines, result) = with { () -> ([String], ScriptResult) in
            scriptTimeouts.append(timeoutSeconds)
            return (outputs[script.path] ?? [], results[script.path] ?? .exited(0))
        }
        for l in lines { output(l) }
        clock.advance(result == .timedOut ? timeoutSeconds : scriptSeconds)
        return result
    }

    func freeze(disks: [Disk], deadlineSeconds: Double) async throws -> FreezeHandle {
        events.add("freeze")
        clock.advance(freezeSeconds)
        if freezeMode == .fails { throw GuestError("FIFREEZE /data: Operation not supported") }
        var seen = Set<String>()
        let points = disks.flatMap { mounts[$0.DiskId] ?? [] }.filter { seen.insert($0).inserted }
        with { frozenNow = points }
        onFreeze?()
        return FakeFreeze(guest: self, frozen: points, start: clock.uptime(), deadline: deadlineSeconds, mode: freezeMode)
    }

    fileprivate func thaw(_ h: FakeFreeze) throws {
        events.add("thaw")
        onThaw?()
        clock.advance(0.01)
        if thawFails { throw GuestError("FITHAW /data: Input/output error") }
        with { frozenNow = [] }
    }

    /// The freezer's own deadline: what a real freezer child does when it passes.
    fileprivate func thawedByDeadline() { with { frozenNow = [] } }

    func vssWriters() async throws -> [String] {
        guard let w = writers else { throw GuestError("VSS service is not running") }
        return w
    }
}

private struct FakeLock: RunLock {
    let guest: FakeGuest
    func release() { guest.unlock() }
}

private final class FakeFreeze: FreezeHandle, @unchecked Sendable {
    let guest: FakeGuest
    let frozen: [String]
    let start: Double
    let deadline: Double
    let mode: FakeGuest.FreezeMode

    init(guest: FakeGuest, frozen: [String], start: Double, deadline: Double, mode: FakeGuest.FreezeMode) {
        self.guest = guest; self.frozen = frozen; self.start = start; self.deadline = deadline; self.mode = mode
    }

    var expired: Bool {
        let gone: Bool
        switch mode {
        case .expiresAtOnce: gone = true
        case .ignoresDeadline: gone = false
        default: gone = guest.clock.uptime() - start > deadline
        }
        if gone { guest.thawedByDeadline() }
        return gone
    }

    func thaw() async throws {
        if expired { guest.events.add("thaw"); return }
        try guest.thaw(self)
    }
}
