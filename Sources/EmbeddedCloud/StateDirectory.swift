import Foundation

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
    /// The key that seals access-key secrets (0600, beside the database it unlocks).
    public var accessKeySealingKey: URL { root.appendingPathComponent("access-keys.key") }
    public var pool: URL { root.appendingPathComponent("pool", isDirectory: true) }
    public var disks: URL { pool.appendingPathComponent("disks", isDirectory: true) }
    public var snapshots: URL { pool.appendingPathComponent("snapshots", isDirectory: true) }
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
    public func instanceRunLock(_ instanceId: String) -> URL { run.appendingPathComponent("\(instanceId).lock") }

    /// Creates the folders that must exist before anything else happens.
    func createSkeleton() throws {
        let fm = FileManager.default
        for dir in [root, pool, disks, snapshots, instances, invocations, bin, run] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        }
    }
}
