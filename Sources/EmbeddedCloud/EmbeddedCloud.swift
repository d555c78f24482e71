import AppSnapCore
import Foundation
import GRDB
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

/// A local, persistent, ECS-compatible cloud: one SQLite database (shared by every
/// appsnap process through WAL and a busy timeout) plus a storage pool of sparse disk
/// images, and emulated instances that run real commands in their own root directories.
public final class EmbeddedCloud: CloudAPI, Sendable {
    public let layout: StateLayout
    public let caller: Caller
    public let executablePath: String
    let clock: any AppSnapCore.Clock
    let spawner: DetachedSpawner
    let dbPool: DatabasePool
    /// Shared by the guests this cloud hands out and its own group workers: a worker
    /// asked for while one of those guests is frozen starts right after the thaw.
    let thawGate = ThawGate()
    let sealingKeyCache = SealingKeyCache()

    public var stateDirectory: URL { layout.root }

    /// Opens (creating, migrating and, on first use, seeding the demo inventory) the
    /// cloud under `stateDirectory`, then reconciles work that a dead process left behind.
    public convenience init(stateDirectory: URL, caller: Caller = .account, clock: any AppSnapCore.Clock = SystemClock(),
                            executablePath: String = EmbeddedCloud.currentExecutable()) throws {
        try self.init(stateDirectory: stateDirectory, caller: caller, clock: clock,
                      executablePath: executablePath, spawner: .posixSpawn)
    }

    /// `spawner` starts the detached group worker and invocation runner (tests inject one);
    /// `seedDemoIfNew: false` leaves a brand-new cloud with only its regions.
    public init(stateDirectory: URL, caller: Caller = .account, clock: any AppSnapCore.Clock = SystemClock(),
                executablePath: String = EmbeddedCloud.currentExecutable(), spawner: DetachedSpawner,
                seedDemoIfNew: Bool = true) throws {
        layout = StateLayout(root: stateDirectory)
        self.caller = caller
        self.clock = clock
        self.executablePath = executablePath
        self.spawner = spawner
        try layout.createSkeleton()
        let lock = try FileLock(path: layout.openLock.path)
        defer { lock.unlock() }
        var config = Configuration()
        // Several processes share the file: wait for a writer instead of failing at once.
        config.busyMode = .timeout(15)
        config.label = "appsnap.embedded-cloud"
        dbPool = try DatabasePool(path: layout.database.path, configuration: config)
        try Schema.migrator.migrate(dbPool)
        let empty = try dbPool.read { try RegionRecord.fetchCount($0) == 0 }
        if empty { try seed(demo: seedDemoIfNew) }
        try writeShim()
        try reconcile()
    }

    /// The running binary (resolved through /proc/self/exe), which the helpers re-enter.
    public static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// `appsnap cloud init [--demo]`: (re)initializes the cloud — every resource, image,
    /// instance root and invocation is removed — to the demo inventory or to the three
    /// regions alone.
    public func initialize(demo: Bool) throws {
        let lock = try FileLock(path: layout.openLock.path)
        defer { lock.unlock() }
        // Images about to be removed must not stay mounted on this machine.
        releaseHostDisks()
        try dbPool.write { db in
            for table in ["hostDisk", "invocationResult", "invocation", "tag", "snapshot", "snapshotGroup", "vssWriter",
                          "disk", "instance", "ramRoleAction", "ramRole", "region"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
        for dir in [layout.disks, layout.snapshots, layout.instances, layout.invocations] {
            try? FileManager.default.removeItem(at: dir)
        }
        try layout.createSkeleton()
        try seed(demo: demo)
    }

    /// `appsnap cloud reset`: removes everything the cloud keeps under the state directory.
    public static func reset(stateDirectory: URL) throws {
        let layout = StateLayout(root: stateDirectory)
        let fm = FileManager.default
        // Host disks and a pool image are mounted on this machine: take them down first,
        // so nothing is deleted from under a mount and no loop device is left behind.
        if fm.fileExists(atPath: layout.database.path) {
            try EmbeddedCloud(stateDirectory: stateDirectory, spawner: .posixSpawn, seedDemoIfNew: false).releaseMachineResources()
        }
        // pool.img (a --pool-image pool) holds every old disk and snapshot: it goes too, or
        // `cloud host up` would later mount it over a new cloud.
        let names = ["appsnap.sqlite", "appsnap.sqlite-wal", "appsnap.sqlite-shm", "pool.img", "access-keys.key"]
        for url in names.map({ layout.root.appendingPathComponent($0) }) + [layout.pool, layout.instances,
                                                                             layout.invocations, layout.bin, layout.run]
        where fm.fileExists(atPath: url.path) {
            try fm.removeItem(at: url)
        }
    }

    /// Where a running command's output streams, for `appsnap logs --follow`.
    public func outputFile(invokeId: String, instanceId: String) -> URL {
        layout.outputFile(invokeId: invokeId, instanceId: instanceId)
    }

    // MARK: - Seeding

    private func seed(demo: Bool) throws {
        let now = DemoInventory.creationTime
        var instances: [InstanceRecord] = [], disks: [DiskRecord] = [], writers: [VssWriterRecord] = []
        if demo {
            for spec in DemoInventory.instances {
                let zone = DemoInventory.regions.first { $0.regionId == spec.region }!.defaultZoneId
                let instanceId = DemoInventory.id(prefix: "i", region: spec.region, seed: spec.name)
                instances.append(InstanceRecord(
                    instanceId: instanceId, instanceName: spec.name, regionId: spec.region, zoneId: zone,
                    status: spec.status, osType: spec.osType, osName: spec.osName, instanceType: "ecs.g7.large",
                    creationTime: now, assistantInstalled: spec.assistant,
                    assistantVersion: spec.assistant ? DemoInventory.assistantVersion : "", ramRoleName: spec.role))
                for (n, d) in spec.disks.enumerated() {
                    let system = n == 0
                    disks.append(DiskRecord(
                        diskId: DemoInventory.id(prefix: "d", region: spec.region, seed: "\(spec.name)/\(n)"),
                        diskName: system ? "\(spec.name)-system" : "\(spec.name)-data\(n)",
                        regionId: spec.region, zoneId: zone, instanceId: instanceId, category: d.category,
                        size: d.sizeGiB, status: "In_use", type: system ? "system" : "data",
                        device: Self.deviceName(n), multiAttach: d.multiAttach ? "Enabled" : "Disabled",
                        sourceSnapshotId: "", creationTime: now))
                }
                writers += spec.vssWriters.map { VssWriterRecord(instanceId: instanceId, writerName: $0) }
            }
        }
        // Files first, rows last: a crash in between leaves files nothing refers to, never
        // rows whose files are missing.
        for disk in disks {
            let url = layout.diskImage(disk.diskId)
            try? FileManager.default.removeItem(at: url)
            try PoolImages.create(at: url, sizeGiB: disk.size)
        }
        for instance in instances { try makeInstanceRoot(instance.instanceId) }
        try dbPool.write { db in
            for region in DemoInventory.regions { try region.insert(db) }
            if demo {
                for (role, policy) in [(DemoInventory.readyRole, DemoInventory.readyPolicy),
                                       (DemoInventory.weakRole, DemoInventory.weakPolicy)] {
                    try RamRoleRecord(roleName: role, description: "appsnap demo role").insert(db)
                    for action in policy { try RamRoleActionRecord(roleName: role, action: action).insert(db) }
                }
            }
            for i in instances { try i.insert(db) }
            for d in disks { try d.insert(db) }
            for w in writers { try w.insert(db) }
        }
    }

    func makeInstanceRoot(_ instanceId: String) throws {
        let root = layout.instanceRoot(instanceId)
        let tmp = root.appendingPathComponent("tmp", isDirectory: true)
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        chmod(tmp.path, 0o1777)
    }

    /// `/dev/xvda` for the first disk, `/dev/xvdb` for the second, …
    static func deviceName(_ index: Int) -> String {
        "/dev/xvd" + String(UnicodeScalar(UInt8(97 + index)))
    }

    /// `bin/acs-plugin-manager`, so the seed's CommandContent runs `appsnap plugin-manager`.
    private func writeShim() throws {
        let text = "#!/bin/sh\nexec \"\(executablePath)\" plugin-manager \"$@\"\n"
        let shim = layout.pluginManagerShim
        if (try? String(contentsOf: shim, encoding: .utf8)) == text { return }
        let temp = layout.bin.appendingPathComponent(".acs-plugin-manager.\(getpid())")
        try Data(text.utf8).write(to: temp)
        chmod(temp.path, 0o755)
        guard rename(temp.path, shim.path) == 0 else {
            throw PoolError("cannot install", path: shim.path)
        }
    }

    // MARK: - Shared helpers

    func timestamp() -> String { Self.format(clock.now()) }

    /// `2026-11-27T12:17:59Z`, as ECS writes CreationTime. Built from gmtime_r rather than
    /// an ISO8601DateFormatter: setting one up costs milliseconds (time zone files, ICU),
    /// and CreateSnapshotGroup stamps its rows while the guest's file systems are frozen.
    static func format(_ date: Date) -> String {
        // To the millisecond first, as the formatter did, so the same instant gives the same text.
        var seconds = time_t(((date.timeIntervalSince1970 * 1000).rounded() / 1000).rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday),
                      Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec))
    }

    /// A fresh ECS-looking ID: `s-bp1…`, `ssg-bp1…`, `d-bp1…`, `t-bp1…`.
    static func newId(_ prefix: String, region: String) -> String {
        let regionPart = ["cn-hangzhou": "bp1", "cn-shanghai": "uf6", "ap-southeast-1": "t4n"][region] ?? "xx0"
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var rng = SystemRandomNumberGenerator()
        return "\(prefix)-\(regionPart)" + String((0..<17).map { _ in alphabet[Int(rng.next() % 36)] })
    }

    /// Checks the region exists (and was given) and that the caller may do `action`.
    func authorize(_ db: Database, region: String?, action: String, aboutOnly: [String]? = nil) throws {
        if let region {
            guard !region.isEmpty else { throw ECSError.missingParameter("RegionId") }
            guard try RegionRecord.fetchOne(db, key: region) != nil else {
                throw ECSError.notFound("InvalidRegionId.NotFound", "The specified RegionId \"\(region)\" does not exist.")
            }
        }
        try Authorization.check(db, caller: caller, action: action, aboutOnly: aboutOnly)
    }

    func instance(_ db: Database, _ id: String, region: String?) throws -> InstanceRecord {
        guard !id.isEmpty else { throw ECSError.missingParameter("InstanceId") }
        guard let i = try InstanceRecord.fetchOne(db, key: id), region == nil || i.regionId == region else {
            throw ECSError.notFound("InvalidInstanceId.NotFound", "The specified instance \"\(id)\" does not exist.")
        }
        return i
    }

    func disk(_ db: Database, _ id: String, region: String?) throws -> DiskRecord {
        guard !id.isEmpty else { throw ECSError.missingParameter("DiskId") }
        guard let d = try DiskRecord.fetchOne(db, key: id), region == nil || d.regionId == region else {
            throw ECSError.notFound("InvalidDiskId.NotFound", "The specified disk \"\(id)\" does not exist.")
        }
        return d
    }

    func snapshot(_ db: Database, _ id: String, region: String) throws -> SnapshotRecord {
        guard !id.isEmpty else { throw ECSError.missingParameter("SnapshotId") }
        guard let s = try SnapshotRecord.fetchOne(db, key: id), s.regionId == region else {
            throw ECSError.notFound("InvalidSnapshotId.NotFound", "The specified snapshot \"\(id)\" does not exist.")
        }
        return s
    }

    func group(_ db: Database, _ id: String, region: String) throws -> SnapshotGroupRecord {
        guard !id.isEmpty else { throw ECSError.missingParameter("SnapshotGroupId") }
        guard let g = try SnapshotGroupRecord.fetchOne(db, key: id), g.regionId == region else {
            throw ECSError.notFound("InvalidSnapshotGroupId.NotFound", "The specified snapshot group \"\(id)\" does not exist.")
        }
        return g
    }
}

/// An exclusive flock held while one process opens, seeds or reconciles the cloud.
final class FileLock {
    private let fd: Int32
    init(path: String, exclusive: Bool = true) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PoolError("cannot open lock", path: path) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else { let e = errno; close(fd); throw PoolError("cannot lock", path: path, errno: e) }
        }
    }
    func unlock() { close(fd) }
}
