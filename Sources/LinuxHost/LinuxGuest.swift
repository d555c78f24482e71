import AppSnapCore
import Foundation
import Glibc

/// The `GuestHost` port on real Linux: the enrolled host itself (root `/`) or one
/// emulated instance of the embedded cloud (its own root directory, image disks).
public struct LinuxGuest: GuestHost {
    public let config: LinuxGuestConfig
    private let scripts = OpenScripts()

    public init(config: LinuxGuestConfig) { self.config = config }

    public var instanceId: String { config.instanceId }
    public var regionId: String { config.regionId }
    public var isRoot: Bool { config.runsAsInstanceRoot || geteuid() == 0 }

    public func acquireRunLock() throws -> RunLock? {
        try FileRunLock.acquire(runDirectory: config.runDirectory, instanceId: config.instanceId)
    }

    public func openScript(path: String) -> ScriptCheck {
        let result = ScriptGuard(rootPath: config.rootPath, ownerUid: config.scriptOwnerUid).check(path: path)
        if case .ok(let script) = result { scripts.keep(script.descriptor) }
        return result
    }

    public func scriptChanged(_ script: CheckedScript) -> String? {
        ScriptGuard(rootPath: config.rootPath, ownerUid: config.scriptOwnerUid).changed(script)
    }

    public func runScript(_ script: CheckedScript, timeoutSeconds: Double,
                          output: @escaping @Sendable (String) -> Void) async -> ScriptResult {
        await runScript(script, timeoutSeconds: timeoutSeconds, started: { _ in }, output: output)
    }

    /// `started` hears the script's PID (also its process group) as soon as it runs.
    func runScript(_ script: CheckedScript, timeoutSeconds: Double, started: @escaping @Sendable (pid_t) -> Void,
                   output: @escaping @Sendable (String) -> Void) async -> ScriptResult {
        // Only a descriptor this guest checked may run: an arbitrary number could name any open file.
        guard scripts.holds(script.descriptor) else {
            return .failedToStart("\(script.path) was not checked by this guest")
        }
        let runner = ScriptRunner(workingDirectory: config.rootPath, clock: config.clock, launcher: config.scriptLauncher)
        return await onOwnThread {
            runner.run(descriptor: script.descriptor, timeoutSeconds: timeoutSeconds, started: started, output: output)
        }
    }

    /// Closes a checked script that will not run again (it also closes with the guest).
    public func discard(_ script: CheckedScript) {
        scripts.close(script.descriptor)
    }

    public func freeze(disks: [Disk], deadlineSeconds: Double) async throws -> FreezeHandle {
        try await Freezer(config: config).freeze(disks: disks, deadlineSeconds: deadlineSeconds)
    }

    public func vssWriters() async throws -> [String] {
        throw GuestError("VSS writers exist only on Windows; \(config.instanceId) is a Linux guest")
    }
}

/// Runs blocking work (waiting on processes, pipes, locks) on a thread of its own, so
/// it never holds one of the few threads of Swift's cooperative pool.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
