import AppSnapCore
import Foundation
import LinuxHost

/// An emulated Windows instance of the embedded cloud, as the -win plugin sees it: its VSS
/// writers come from the cloud's database, and the VSS freeze window is the same exclusive
/// flock on each disk image an emulated Linux instance holds (appsnap's writers to an
/// image take a shared one, so they wait exactly as writers wait on a frozen volume).
/// The run lock and the freeze come from a LinuxGuest over the same images; scripts are
/// not a Windows thing.
public struct EmulatedWindowsGuest: GuestHost {
    let disks: LinuxGuest
    let writers: [String]

    init(disks: LinuxGuest, writers: [String]) {
        self.disks = disks
        self.writers = writers
    }

    public var instanceId: String { disks.instanceId }
    public var regionId: String { disks.regionId }

    /// The plugin runs as SYSTEM on Windows.
    public var isRoot: Bool { true }

    public func acquireRunLock() throws -> RunLock? { try disks.acquireRunLock() }

    public func openScript(path: String) -> ScriptCheck {
        .rejected(reason: "script-not-used", detail: "Windows instances take no prescript or postscript; \(path) is not used")
    }

    public func runScript(_ script: CheckedScript, timeoutSeconds: Double,
                          output: @escaping @Sendable (String) -> Void) async -> ScriptResult {
        .failedToStart("Windows instances run no scripts")
    }

    public func freeze(disks list: [Disk], deadlineSeconds: Double) async throws -> FreezeHandle {
        try await disks.freeze(disks: list, deadlineSeconds: deadlineSeconds)
    }

    public func vssWriters() async throws -> [String] { writers }
}
