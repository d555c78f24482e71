import AppSnapCore
import Foundation
import GRDB
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

/// What `appsnap cloud host status` shows about one disk of the host instance.
public struct HostDiskStatus: Sendable, Hashable {
    public var diskId: String
    public var sizeGiB: Int
    public var image: String
    public var fsType: String
    public var mountPoint: String
    public var loopDevice: String?
    public var mounted: Bool
}

public struct HostStatus: Sendable, Hashable {
    public var instanceId: String
    public var instanceName: String
    public var regionId: String
    public var osName: String
    public var poolReflink: Bool
    public var pool: String
    public var disks: [HostDiskStatus]

    public var rendered: String {
        var lines = ["host instance  \(instanceId) (\(instanceName)) in \(regionId), \(osName)",
                     "storage pool   \(pool) (" + (poolReflink
                        ? "reflink: a snapshot is a FICLONE taken while frozen"
                        : "no reflink: a snapshot is a full copy, and I/O stays suspended as long as the copy takes; see `appsnap cloud init --pool-image`") + ")"]
        if disks.isEmpty { lines.append("disks          none attached") }
        for d in disks {
            let where_ = d.loopDevice.map { "\($0) \(d.mounted ? "mounted at" : "NOT mounted at") \(d.mountPoint)" }
                ?? "no loop device (run `appsnap cloud host up`)"
            lines.append("disk           \(d.diskId) \(d.sizeGiB) GiB \(d.fsType): \(where_)")
        }
        return lines.joined(separator: "\n")
    }
}

/// The host instance: this machine enrolled in the embedded cloud. Its root is `/`, its
/// /tmp the real /tmp; its disks are pool images on loop devices carrying real file
/// systems, mounted at /mnt/appsnap/DISK-ID unless another mount point is asked for.
extension EmbeddedCloud {
    public static let hostMountBase = "/mnt/appsnap"

    public func hostInstanceId() throws -> String? {
        try store.writer.read { db in
            try String.fetchOne(db, sql: "SELECT instanceId FROM instance WHERE isHost = 1")
        }
    }

    /// Registers this machine (once): Running, Cloud Assistant installed, `ramRole`
    /// attached (created with the plugin's policy if missing). Returns its ID and whether
    /// it was made now.
    public func enrollHost(name: String, regionId: String, osName: String, ramRole: String) throws -> (String, Bool) {
        guard geteuid() == 0 else { throw ECSError("Forbidden.NotRoot", "Enrolling this machine needs root: it mounts and freezes file systems.") }
        if let id = try hostInstanceId() { return (id, false) }
        let id = Self.newId("i", region: regionId)
        try store.writer.write { db in
            guard let region = try RegionRecord.fetchOne(db, key: regionId) else {
                throw ECSError.notFound("InvalidRegionId.NotFound", "The specified RegionId \"\(regionId)\" does not exist.")
            }
            if try RamRoleRecord.fetchOne(db, key: ramRole) == nil {
                try RamRoleRecord(roleName: ramRole, description: "appsnap host role").insert(db)
                for action in DemoInventory.readyPolicy { try RamRoleActionRecord(roleName: ramRole, action: action).insert(db) }
            }
            try InstanceRecord(instanceId: id, instanceName: name, regionId: regionId, zoneId: region.defaultZoneId,
                               status: InstanceStatus.running, osType: "linux", osName: osName, instanceType: "host",
                               creationTime: timestamp(), assistantInstalled: true,
                               assistantVersion: DemoInventory.assistantVersion, ramRoleName: ramRole, isHost: true).insert(db)
        }
        return (id, true)
    }

    /// This machine's OS as /etc/os-release names it.
    public static func hostOSName() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "Linux" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "Linux"
    }

    /// A new data disk for the host instance of any size from 1 GiB (ECS's own minimum of
    /// 20 GiB is for cloud disks; small host disks are for tests and benchmarks).
    public func createHostDisk(sizeGiB: Int, name: String = "") throws -> String {
        guard sizeGiB >= 1, sizeGiB <= 32768 else { throw ECSError.invalidParameter("Size", "1 to 32768 GiB; \(sizeGiB) was given") }
        guard let hostId = try hostInstanceId() else { throw Self.notEnrolled }
        let host = try store.writer.read { db in try self.instance(db, hostId, region: nil) }
        try checkPoolRoom(sizeGiB: sizeGiB)
        let diskId = Self.newId("d", region: host.regionId)
        let record = DiskRecord(diskId: diskId, diskName: name, regionId: host.regionId, zoneId: host.zoneId, instanceId: nil,
                                category: "cloud_essd", size: sizeGiB, status: "Available", type: "data", device: "",
                                multiAttach: "Disabled", sourceSnapshotId: "", creationTime: timestamp())
        let writing = try FileLock(path: layout.imageWriteLock.path, exclusive: false)
        defer { writing.unlock() }
        try PoolImages.create(at: layout.diskImage(diskId), sizeGiB: sizeGiB)
        ImageLabel(disk: record).write(to: layout.diskImage(diskId))
        do {
            try store.writer.write { db in
                try record.insert(db)
            }
        } catch {
            try? FileManager.default.removeItem(at: layout.diskImage(diskId))
            throw error
        }
        return diskId
    }

    /// Chooses the file system (made on the first attach only) and the mount point of a
    /// disk before it is attached to the host.
    public func setHostDiskOptions(diskId: String, fileSystem: FileSystemKind?, mountPoint: String?) throws {
        try store.writer.write { db in
            let disk = try self.disk(db, diskId, region: nil)
            var row = try HostDiskRecord.fetchOne(db, key: diskId)
                ?? HostDiskRecord(diskId: diskId, fsType: FileSystemKind.ext4.rawValue, mountPoint: Self.defaultMountPoint(diskId))
            if let fileSystem { row.fsType = fileSystem.rawValue }
            if let mountPoint {
                guard mountPoint.hasPrefix("/"), mountPoint != "/" else {
                    throw ECSError.invalidParameter("MountPoint", "an absolute path other than /; \"\(mountPoint)\" was given")
                }
                guard disk.instanceId == nil else {
                    throw ECSError("IncorrectDiskStatus", "The disk \(diskId) is attached; detach it before choosing another mount point.")
                }
                row.mountPoint = URL(fileURLWithPath: mountPoint).standardizedFileURL.path
            }
            try row.upsert(db)
        }
    }

    static func defaultMountPoint(_ diskId: String) -> String { hostMountBase + "/" + diskId }

    static var notEnrolled: ECSError {
        ECSError("InvalidOperation.HostNotEnrolled", "This machine is not enrolled: run `appsnap cloud host enroll` as root first.")
    }

    /// Attach on the host: loop device, file system if none, mount. Called inside the
    /// AttachDisk transaction, so a failure leaves the disk Available.
    func bringUpOnHost(_ db: Database, diskId: String) throws {
        guard geteuid() == 0 else {
            throw ECSError("Forbidden.NotRoot", "Attaching a disk to the host instance needs root (loop device, mkfs, mount).")
        }
        let options = try HostDiskRecord.fetchOne(db, key: diskId)
            ?? HostDiskRecord(diskId: diskId, fsType: FileSystemKind.ext4.rawValue, mountPoint: Self.defaultMountPoint(diskId))
        try options.upsert(db)
        do {
            try HostDisk.bringUp(image: layout.diskImage(diskId).path, kind: FileSystemKind(rawValue: options.fsType) ?? .ext4,
                                 mountPoint: options.mountPoint)
        } catch {
            throw ECSError("InternalError", "The disk \(diskId) could not be attached to this machine: \(error)", httpStatus: 500)
        }
    }

    func takeDownOnHost(diskId: String) throws {
        guard geteuid() == 0 else {
            throw ECSError("Forbidden.NotRoot", "Detaching a disk from the host instance needs root (umount, loop device).")
        }
        do { try HostDisk.takeDown(image: layout.diskImage(diskId).path) } catch {
            throw ECSError("InvalidOperation.DiskBusy", "The disk \(diskId) could not be unmounted or detached: \(error)")
        }
    }

    /// `appsnap cloud host up`: after a reboot, the pool image (if any) is mounted again and
    /// every disk attached to the host gets its loop device and mount back. One line a disk.
    public func hostUp() throws -> [String] {
        var lines: [String] = []
        if try mountPoolImage() { lines.append("pool: \(poolImage.path) mounted at \(layout.pool.path)") }
        guard let hostId = try hostInstanceId() else { throw Self.notEnrolled }
        let rows = try store.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT disk.diskId, hostDisk.fsType, hostDisk.mountPoint FROM disk
                LEFT JOIN hostDisk USING (diskId) WHERE disk.instanceId = ? ORDER BY disk.device
                """, arguments: [hostId])
        }
        for row in rows {
            let id: String = row["diskId"]
            let mountPoint: String = row["mountPoint"] ?? Self.defaultMountPoint(id)
            let kind = FileSystemKind(rawValue: row["fsType"] ?? "ext4") ?? .ext4
            do {
                let device = try HostDisk.bringUp(image: layout.diskImage(id).path, kind: kind, mountPoint: mountPoint)
                lines.append("\(id): \(device) mounted at \(mountPoint)")
            } catch {
                lines.append("\(id): FAILED: \(error)")
            }
        }
        return lines
    }

    public func hostStatus() throws -> HostStatus {
        guard let hostId = try hostInstanceId() else { throw Self.notEnrolled }
        let (host, rows) = try store.writer.read { db in
            (try self.instance(db, hostId, region: nil),
             try Row.fetchAll(db, sql: """
                SELECT disk.diskId, disk.size, hostDisk.fsType, hostDisk.mountPoint FROM disk
                LEFT JOIN hostDisk USING (diskId) WHERE disk.instanceId = ? ORDER BY disk.device
                """, arguments: [hostId]))
        }
        let disks = rows.map { row -> HostDiskStatus in
            let id: String = row["diskId"]
            let mountPoint: String = row["mountPoint"] ?? Self.defaultMountPoint(id)
            let image = layout.diskImage(id).path
            let state = HostDisk.state(image: image, mountPoint: mountPoint)
            return HostDiskStatus(diskId: id, sizeGiB: row["size"], image: image,
                                  fsType: state.fileSystem ?? row["fsType"] ?? "ext4", mountPoint: mountPoint,
                                  loopDevice: state.device, mounted: state.mounted)
        }
        return HostStatus(instanceId: host.instanceId, instanceName: host.instanceName, regionId: host.regionId,
                          osName: host.osName, poolReflink: PoolImages.reflinkSupported(directory: layout.snapshots),
                          pool: layout.pool.path, disks: disks)
    }

    /// Before the cloud is wiped: every host disk unmounted and its loop device detached.
    func releaseHostDisks() {
        guard let ids = try? store.writer.read({ db in
            try String.fetchAll(db, sql: "SELECT diskId FROM disk JOIN instance USING (instanceId) WHERE instance.isHost = 1")
        }) else { return }
        for id in ids { try? HostDisk.takeDown(image: layout.diskImage(id).path) }
    }

    /// The loop device carrying a host disk's image, for the guest's freezer.
    func hostDiskLocation(_ disk: Disk) -> DiskLocation? {
        LoopDevice.device(backing: layout.diskImage(disk.DiskId).path).map { .blockDevice($0) }
    }
}

// MARK: - An XFS reflink pool on a loop image

extension EmbeddedCloud {
    /// Where `cloud init --pool-image` keeps the pool's backing image.
    public var poolImage: URL { layout.poolImage }

    /// `appsnap cloud init --pool-image SIZE`: for file systems without reflink, the
    /// storage pool becomes an XFS file system with reflink=1 on a sparse image of `bytes`
    /// apparent size, mounted at the pool folder. Wipes the cloud (callers then initialize).
    public func makePoolImage(bytes: Int64) throws {
        guard geteuid() == 0 else { throw ECSError("Forbidden.NotRoot", "--pool-image needs root: it makes and mounts a file system.") }
        guard bytes >= 300 << 20 else { throw ECSError.invalidParameter("pool-image", "at least 300M (XFS's smallest file system); \(bytes) bytes were given") }
        try Self.checkPoolImageTools()
        releaseHostDisks()
        try HostDisk.takeDown(image: poolImage.path)
        try? FileManager.default.removeItem(at: layout.pool)
        try? FileManager.default.removeItem(at: poolImage)
        let fd = open(poolImage.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PoolError("cannot create pool image", path: poolImage.path) }
        let sized = ftruncate(fd, off_t(bytes)) == 0
        close(fd)
        guard sized else { throw PoolError("cannot size pool image", path: poolImage.path) }
        try FileSystemTools.make(.xfs, on: poolImage.path, extraOptions: ["-m", "reflink=1"])
        try mountPoolImage()
    }

    /// What `--pool-image` runs, checked before the old pool is taken down (or the cloud
    /// wiped): a missing tool must not leave the cloud without a pool.
    public static func checkPoolImageTools() throws {
        try ToolPackages.require(["mkfs.xfs", "losetup", "mount", "umount", "blkid"])
    }

    /// Mounts the pool image at the pool folder unless it already is. False when there is no pool image.
    @discardableResult
    public func mountPoolImage() throws -> Bool {
        guard FileManager.default.fileExists(atPath: poolImage.path) else { return false }
        try HostDisk.bringUp(image: poolImage.path, kind: .xfs, mountPoint: layout.pool.path)
        try layout.createSkeleton()
        return true
    }
}

extension EmbeddedCloud {
    /// How this cloud takes a snapshot's point in time, for the plugin's log: with reflink
    /// a clone costs no copy; without, I/O stays suspended for the whole copy.
    public func snapshotCopyNote() -> (reflink: Bool, message: String) {
        if PoolImages.reflinkSupported(directory: layout.snapshots) {
            return (true, "Snapshots are reflink clones (FICLONE) of the disk images in \(layout.pool.path): the point in time costs no copy")
        }
        return (false, "The storage pool \(layout.pool.path) has no reflink: each snapshot is a full copy of its disk image, so I/O stays suspended as long as the copy takes (`appsnap cloud init --pool-image SIZE` makes an XFS reflink pool)")
    }
}
