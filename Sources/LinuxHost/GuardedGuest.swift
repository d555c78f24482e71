import AppSnapCore
import Foundation
import Glibc

/// A `LinuxGuest` whose run cannot leave an application suspended (SPEC §7): before
/// prescript starts, a guardian process holds the checked postscript and runs it if the
/// plugin dies; each step is written to the run's phase file (`RunPhase`).
public final class GuardedGuest: GuestHost, @unchecked Sendable {
    private let inner: LinuxGuest
    private let lock = NSLock()
    private var postscript: CheckedScript?
    private var guardian: GuardianProcess?

    public init(_ inner: LinuxGuest) { self.inner = inner }

    public var instanceId: String { inner.instanceId }
    public var regionId: String { inner.regionId }
    public var isRoot: Bool { inner.isRoot }

    private func phase(_ p: String) {
        RunPhase.set(p, runDirectory: inner.config.runDirectory, instanceId: inner.config.instanceId)
    }

    public func acquireRunLock() throws -> RunLock? { try inner.acquireRunLock() }

    public func scriptChanged(_ script: CheckedScript) -> String? { inner.scriptChanged(script) }

    public func openScript(path: String) -> ScriptCheck {
        let check = inner.openScript(path: path)
        if case .ok(let s) = check, path.hasSuffix("/postscript.sh") {
            lock.withLock { postscript = s }
        }
        return check
    }

    public func runScript(_ script: CheckedScript, timeoutSeconds: Double,
                          output: @escaping @Sendable (String) -> Void) async -> ScriptResult {
        let post = lock.withLock { postscript }
        guard let post else {
            return await inner.runScript(script, timeoutSeconds: timeoutSeconds, output: output)
        }
        if script.descriptor == post.descriptor {
            let g = lock.withLock { guardian }
            guard let g else {
                // No guardian (prescript never ran under one): run it here.
                phase("postscript")
                let r = await inner.runScript(script, timeoutSeconds: timeoutSeconds, output: output)
                phase("after-postscript")
                return r
            }
            // The guardian runs it, so it runs exactly once even if this process dies now.
            let r = await onOwnThread { g.runPostscript(output: output) }
            g.finish()
            lock.withLock { guardian = nil }
            return r
        }
        // The prescript: no guardian, no prescript.
        let g: GuardianProcess
        do {
            g = try GuardianProcess.start(executable: inner.config.executablePath, runDirectory: inner.config.runDirectory,
                                          instanceId: inner.config.instanceId, postscript: post.descriptor,
                                          timeoutSeconds: timeoutSeconds, launcher: inner.config.scriptLauncher)
        } catch {
            return .failedToStart("\(error): prescript.sh is not run without it, so postscript.sh is guaranteed")
        }
        lock.withLock { guardian = g }
        // Armed the moment prescript exists: a plugin killed before the spawn ran no
        // prescript, so no postscript is owed. (Between the spawn returning and this
        // line being sent lies a window of microseconds the guardian cannot see.)
        let r = await inner.runScript(script, timeoutSeconds: timeoutSeconds,
                                      started: { [weak self] in g.say("prescript \($0)"); self?.phase("prescript") },
                                      output: output)
        phase("after-prescript")
        return r
    }

    public func freeze(disks: [Disk], deadlineSeconds: Double) async throws -> FreezeHandle {
        phase("freezing")
        let handle = try await inner.freeze(disks: disks, deadlineSeconds: deadlineSeconds)
        phase("frozen")
        return PhasedFreezeHandle(handle, onThaw: { [weak self] in self?.phase("thawed") })
    }

    public func vssWriters() async throws -> [String] { try await inner.vssWriters() }

    /// The run is over: a guardian still waiting (postscript never ran because the run
    /// never got that far) is dismissed.
    public func finish() {
        let g = lock.withLock { () -> GuardianProcess? in let g = guardian; guardian = nil; return g }
        g?.finish()
        phase("done")
    }
}

private final class PhasedFreezeHandle: FreezeHandle, @unchecked Sendable {
    let inner: FreezeHandle
    let onThaw: @Sendable () -> Void
    init(_ inner: FreezeHandle, onThaw: @escaping @Sendable () -> Void) { self.inner = inner; self.onThaw = onThaw }
    var frozen: [String] { inner.frozen }
    var expired: Bool { inner.expired }
    var windowSeconds: Double? { inner.windowSeconds }
    func thaw() async throws {
        defer { onThaw() }
        try await inner.thaw()
    }
}
