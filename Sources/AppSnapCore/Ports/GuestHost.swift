import Foundation

/// What the plugin needs from the machine it runs on: the instance's identity, its
/// scripts, its file systems and (on Windows) its VSS writers. LinuxHost implements it
/// for a real Linux machine; the embedded cloud for its emulated instances; tests in memory.
public protocol GuestHost: Sendable {
    /// The instance this guest is, as its metadata service would say.
    var instanceId: String { get }
    var regionId: String { get }
    /// Whether the plugin runs with root rights on the instance (SPEC §4 step 2).
    var isRoot: Bool { get }

    /// The per-instance run lock. Nil when another run holds it (exit 16).
    func acquireRunLock() throws -> RunLock?

    /// Check a script against SPEC §6 and keep it open: the checked file is the one that runs.
    func openScript(path: String) -> ScriptCheck
    /// Run a checked script in its own process group; each output line goes to `output`.
    /// On timeout the whole group is killed.
    func runScript(_ script: CheckedScript, timeoutSeconds: Double,
                   output: @escaping @Sendable (String) -> Void) async -> ScriptResult

    /// Nil while the file at the script's path is still the file that was checked and it
    /// has not been modified since; otherwise a sentence saying what changed. A script
    /// swapped or edited between check and run is never trusted for app-consistency.
    func scriptChanged(_ script: CheckedScript) -> String?

    /// Freeze the file systems that live on these disks (each superblock once), held by a
    /// freezer that thaws on its own when `deadlineSeconds` pass. Throws `GuestError` if
    /// freezing is not complete.
    func freeze(disks: [Disk], deadlineSeconds: Double) async throws -> FreezeHandle

    /// Windows: the VSS writers present on the instance.
    func vssWriters() async throws -> [String]
}

extension GuestHost {
    /// Guests whose scripts cannot change underneath (in-memory, Windows) need not say.
    public func scriptChanged(_ script: CheckedScript) -> String? { nil }
}

public protocol RunLock: Sendable {
    func release()
}

public protocol FreezeHandle: Sendable {
    /// What is frozen (mount points, or volumes), for the log.
    var frozen: [String] { get }
    /// True once the freezer thawed on its own because the deadline passed (exit 11).
    var expired: Bool { get }
    /// Thaw in reverse order. Throws `GuestError` if any file system could not be thawed.
    func thaw() async throws
    /// First freeze to last thaw as the freezer measured it (default nil: see the extension).
    var windowSeconds: Double? { get }
}

extension FreezeHandle {
    /// The suspension window as the freezer measured it (first freeze to last thaw), once
    /// thawed; nil when the guest cannot tell, and the caller's own measure stands.
    public var windowSeconds: Double? { nil }
}

/// A script that passed the rules of SPEC §6, held open.
public struct CheckedScript: Sendable {
    public var path: String
    /// The open descriptor that runs (never the path again); -1 for in-memory guests.
    public var descriptor: Int32
    public var opaque: String
    public init(path: String, descriptor: Int32, opaque: String = "") {
        self.path = path; self.descriptor = descriptor; self.opaque = opaque
    }
}

public enum ScriptCheck: Sendable {
    case ok(CheckedScript)
    /// `reason` is the short token for `appsnap:consistency-reason` (e.g. `script-mode-0755`,
    /// `script-symlink`, `script-owner-uid-1000`, `script-not-regular-file`, `script-missing`,
    /// `script-path-not-allowed`); `detail` is the sentence for the log.
    case rejected(reason: String, detail: String)
}

public enum ScriptResult: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
    case timedOut
    case failedToStart(String)

    public var succeeded: Bool { self == .exited(0) }
}

public struct GuestError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
