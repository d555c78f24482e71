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
    /// The database: its connection, migrator and the writes more than one place makes.
    let store: CloudStore
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
    ///
    /// Only an empty folder is ever seeded. A folder that holds images, instances or
    /// command output but no usable database is refused with `CloudStateError` and left
    /// exactly as it was: seeding there would hide the operator's disks and snapshots and
    /// re-create the demo images over theirs. `recovering` (for `cloud fsck`) opens such a
    /// folder without seeding, so that `rebuild()` can adopt what the pool holds.
    public init(stateDirectory: URL, caller: Caller = .account, clock: any AppSnapCore.Clock = SystemClock(),
                executablePath: String = EmbeddedCloud.currentExecutable(), spawner: DetachedSpawner,
                seedDemoIfNew: Bool = true, recovering: Bool = false) throws {
        layout = StateLayout(root: stateDirectory)
        self.caller = caller
        self.clock = clock
        self.executablePath = executablePath
        self.spawner = spawner
        try layout.createSkeleton()
        let lock = try FileLock(path: layout.openLock.path)
        defer { lock.unlock() }
        let file = DatabaseFile.inspect(layout.database)
        if file != .present && !recovering {
            try Self.refuseIfHoldingData(layout, database: file == .empty ? "empty (zero bytes)" : "missing")
        }
        do {
            let pool = try CloudStore.onDisk(layout)
            try layout.restrictDatabaseFiles()
            store = try CloudStore(pool)
        } catch let error as DatabaseError {
            throw CloudStateError.databaseUnusable(folder: layout.root.path, cause: Self.sqliteCause(error))
        }
        let empty = try store.writer.read { try RegionRecord.fetchCount($0) == 0 }
        if empty && !recovering {
            // A database with no rows at all (a seed cut short) beside data is no better.
            try Self.refuseIfHoldingData(layout, database: "without any resources")
            try seed(demo: seedDemoIfNew)
        }
        try writeShim()
        try reconcile()
        // Not while recovering: there every image lacks its row, and fsck adopts them.
        if !recovering { sweepOrphanedImages() }
    }

    private static func refuseIfHoldingData(_ layout: StateLayout, database: String) throws {
        let held = StateContents.scan(layout)
        guard held.isEmpty else {
            throw CloudStateError.databaseMissing(folder: layout.root.path, state: database, holds: held.summary)
        }
    }

    /// SQLite's own words ("file is not a database"), without GRDB's statement dump.
    static func sqliteCause(_ error: DatabaseError) -> String {
        error.message ?? error.resultCode.description
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
        try store.writer.write { db in
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
        // Every image of the pool is asked, not only the database's host disks: the
        // database may be the very thing that is missing or broken.
        for id in StateContents.scan(layout).diskImages {
            try HostDisk.takeDown(image: layout.diskImage(id).path)
        }
        try HostDisk.takeDown(image: layout.poolImage.path)
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
        let (instances, disks, writers) = demo ? Self.demoRecords() : ([], [], [])
        // Files first, rows last: a crash in between leaves files nothing refers to, never
        // rows whose files are missing. Only an empty folder is seeded, and the images are
        // made with O_EXCL: an existing image is never overwritten.
        for disk in disks {
            let url = layout.diskImage(disk.diskId)
            // No label: fsck knows the demo inventory's disks by their derived IDs.
            try PoolImages.create(at: url, sizeGiB: disk.size)
        }
        for instance in instances { try makeInstanceRoot(instance.instanceId) }
        try store.writer.write { db in
            for region in DemoInventory.regions { try region.insert(db) }
            if demo { try Self.insertDemoRoles(db) }
            for i in instances { try i.insert(db) }
            for d in disks { try d.insert(db) }
            for w in writers { try w.insert(db) }
        }
    }

    /// The demo inventory's rows. Its IDs are derived from the names, so `cloud fsck`
    /// can tell a demo image or instance folder by its name alone.
    static func demoRecords() -> ([InstanceRecord], [DiskRecord], [VssWriterRecord]) {
        let now = DemoInventory.creationTime
        var instances: [InstanceRecord] = [], disks: [DiskRecord] = [], writers: [VssWriterRecord] = []
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
        return (instances, disks, writers)
    }

    static func insertDemoRoles(_ db: Database) throws {
        for (role, policy) in [(DemoInventory.readyRole, DemoInventory.readyPolicy),
                               (DemoInventory.weakRole, DemoInventory.weakPolicy)]
        where try RamRoleRecord.fetchOne(db, key: role) == nil {
            try RamRoleRecord(roleName: role, description: "appsnap demo role").insert(db)
            for action in policy { try RamRoleActionRecord(roleName: role, action: action).insert(db) }
        }
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
        let regionPart = DemoInventory.regionCode(region)
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

/// A flock: exclusive while one process opens, seeds or reconciles the cloud; shared by
/// every copy that writes an image before its row (see `sweepOrphanedImages`).
final class FileLock {
    private let fd: Int32
    init(path: String, exclusive: Bool = true) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PoolError("cannot open lock", path: path) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else { let e = errno; close(fd); throw PoolError("cannot lock", path: path, errno: e) }
        }
    }

    private init(fd: Int32) { self.fd = fd }

    /// An exclusive lock, or nil at once when anyone holds it.
    static func ifFree(path: String) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return nil }
        return FileLock(fd: fd)
    }

    func unlock() { close(fd) }
}
