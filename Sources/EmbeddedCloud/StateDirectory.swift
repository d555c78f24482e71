import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the embedded cloud keeps its state, and the layout under it.
public enum StateDirectory {
    /// `--state DIR`, else `APPSNAP_STATE`, else `$XDG_DATA_HOME/appsnap`, else `~/.local/share/appsnap`.
    public static func resolve(flag: String?, environment: [String: String]) -> URL {
        func nonEmpty(_ s: String?) -> String? { (s?.isEmpty ?? true) ? nil : s }
        if let dir = nonEmpty(flag) { return absolute(dir, environment) }
        if let dir = nonEmpty(environment["APPSNAP_STATE"]) { return absolute(dir, environment) }
        if let xdg = nonEmpty(environment["XDG_DATA_HOME"]) {
            return absolute(xdg, environment).appendingPathComponent("appsnap", isDirectory: true)
        }
        let home = nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".local/share/appsnap", isDirectory: true)
    }

    private static func absolute(_ path: String, _ environment: [String: String]) -> URL {
        var p = path
        if p == "~" || p.hasPrefix("~/") {
            let home = environment["HOME"] ?? NSHomeDirectory()
            p = home + p.dropFirst()
        }
        if !p.hasPrefix("/") {
            p = FileManager.default.currentDirectoryPath + "/" + p
        }
        return URL(fileURLWithPath: p, isDirectory: true).standardizedFileURL
    }
}

/// The files and folders under a state directory (one place names them all).
public struct StateLayout: Sendable, Hashable {
    public let root: URL
    public init(root: URL) { self.root = root.standardizedFileURL }

    public var database: URL { root.appendingPathComponent("appsnap.sqlite") }
    /// A `--pool-image` pool: an XFS file system on a loop image, mounted at `pool`.
    public var poolImage: URL { root.appendingPathComponent("pool.img") }
    /// The key that seals access-key secrets (0600, beside the database it unlocks).
    public var accessKeySealingKey: URL { root.appendingPathComponent("access-keys.key") }
    public var pool: URL { root.appendingPathComponent("pool", isDirectory: true) }
    public var disks: URL { pool.appendingPathComponent("disks", isDirectory: true) }
    public var snapshots: URL { pool.appendingPathComponent("snapshots", isDirectory: true) }
    /// Images a crash left without a row, moved out of the way (never deleted).
    public var orphans: URL { pool.appendingPathComponent("orphans", isDirectory: true) }
    /// Held shared by every copy that writes an image before its row; the sweep of
    /// orphaned images runs only when it can hold it alone.
    public var imageWriteLock: URL { run.appendingPathComponent("image-writes.lock") }
    public var instances: URL { root.appendingPathComponent("instances", isDirectory: true) }
    public var invocations: URL { root.appendingPathComponent("invocations", isDirectory: true) }
    public var bin: URL { root.appendingPathComponent("bin", isDirectory: true) }
    public var pluginManagerShim: URL { bin.appendingPathComponent("acs-plugin-manager") }
    public var run: URL { root.appendingPathComponent("run", isDirectory: true) }
    /// Serializes opening, migrating, seeding and reconciling across processes.
    public var openLock: URL { run.appendingPathComponent("cloud-open.lock") }

    public func diskImage(_ diskId: String) -> URL { disks.appendingPathComponent("\(diskId).img") }
    public func snapshotImage(_ snapshotId: String) -> URL { snapshots.appendingPathComponent("\(snapshotId).img") }
    public func instanceRoot(_ instanceId: String) -> URL {
        instances.appendingPathComponent(instanceId, isDirectory: true).appendingPathComponent("root", isDirectory: true)
    }
    public func invocationDirectory(_ invokeId: String) -> URL { invocations.appendingPathComponent(invokeId, isDirectory: true) }
    public func outputFile(invokeId: String, instanceId: String) -> URL {
        invocationDirectory(invokeId).appendingPathComponent("\(instanceId).out")
    }
    /// The folder an invocation's agent serves one instance from. Short, because the
    /// socket's whole path must fit in 108 bytes.
    public func agentDirectory(invokeId: String, instanceId: String) -> URL {
        var h = FNV1a64()
        h.update(Array((invokeId + "/" + instanceId).utf8))
        return run.appendingPathComponent("agent", isDirectory: true).appendingPathComponent(String(h.value, radix: 36), isDirectory: true)
    }
    public func instanceRunLock(_ instanceId: String) -> URL { run.appendingPathComponent("\(instanceId).lock") }

    /// Creates the folders that must exist before anything else happens. A state folder
    /// made here is the operator's alone (0700, whatever the umask): it holds every
    /// command's content and output. A folder the operator made keeps its mode.
    func createSkeleton() throws {
        let fm = FileManager.default
        let rootIsNew = !fm.fileExists(atPath: root.path)
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        if rootIsNew { try Self.setMode(0o700, root.path) }
        for dir in [pool, disks, snapshots, instances, invocations, bin, run] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        }
    }

    /// The database and its WAL and shared-memory files, 0600 whatever the umask. SQLite
    /// creates the -wal and -shm files with the main file's mode, so once that is 0600 the
    /// later ones are too.
    func restrictDatabaseFiles() throws {
        for suffix in ["", "-wal", "-shm"] {
            let path = database.path + suffix
            if FileManager.default.fileExists(atPath: path) { try Self.setMode(0o600, path) }
        }
    }

    static func setMode(_ mode: mode_t, _ path: String) throws {
        guard chmod(path, mode) == 0 else { throw PoolError("cannot set the mode of", path: path) }
    }
}
