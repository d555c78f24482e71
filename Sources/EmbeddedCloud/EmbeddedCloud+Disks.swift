import AppSnapCore
import Foundation
import GRDB
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

// Disks: what they are, made (empty or from a snapshot), attached, detached, and rolled
// back to a snapshot (SPEC §14).
extension EmbeddedCloud {
    public func describeDisks(regionId: String, instanceId: String?, diskIds: [String]?) async throws -> [Disk] {
        try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeDisks")
            var request = DiskRecord.filter(DiskRecord.Columns.regionId == regionId)
            if let instanceId, !instanceId.isEmpty { request = request.filter(DiskRecord.Columns.instanceId == instanceId) }
            if let ids = diskIds, !ids.isEmpty { request = request.filter(ids.contains(DiskRecord.Columns.diskId)) }
            let rows = try request.order(DiskRecord.Columns.instanceId, DiskRecord.Columns.device, DiskRecord.Columns.diskId).fetchAll(db)
            let tags = try TagRecord.tagSets(db, .disk, rows.map(\.diskId))
            return rows.map { Self.model($0, tags: tags[$0.diskId] ?? TagSet()) }
        }
    }

    static let diskCategories = ["cloud_essd", "cloud_ssd", "cloud_efficiency", "cloud"]

    public func createDisk(_ r: CreateDiskRequest) async throws -> String {
        struct Plan { var zone: String; var size: Int; var source: SnapshotRecord? }
        let plan: Plan = try await store.writer.read { db in
            try self.authorize(db, region: r.regionId, action: "CreateDisk")
            try Self.checkDiskName(r.diskName)
            guard Self.diskCategories.contains(r.category) else {
                throw ECSError("InvalidDiskCategory.ValueNotSupported", "The DiskCategory \"\(r.category)\" is not supported.")
            }
            let region = try RegionRecord.fetchOne(db, key: r.regionId)!
            var zone = r.zoneId.flatMap { $0.isEmpty ? nil : $0 } ?? region.defaultZoneId
            // A zone is known by the region's default or by an instance living in it; a
            // name that merely starts with the region's (cn-hangzhou-zz) is no zone.
            let zones = try Self.zones(db, region: region)
            guard zones.contains(zone) else {
                throw ECSError.notFound("InvalidZoneId.NotFound", "The specified ZoneId \"\(zone)\" does not exist in region \(r.regionId); its zones are \(zones.sorted().joined(separator: ", ")).")
            }
            if let sid = r.snapshotId, !sid.isEmpty {
                let s = try self.snapshot(db, sid, region: r.regionId)
                guard s.status == SnapshotStatus.accomplished else {
                    throw ECSError("InvalidSnapshot.NotReady", "The snapshot \(sid) is \(s.status); a disk can be made only from an accomplished snapshot.")
                }
                if r.zoneId == nil || r.zoneId!.isEmpty, let src = try DiskRecord.fetchOne(db, key: s.sourceDiskId) { zone = src.zoneId }
                let size = r.size ?? s.sourceDiskSize
                guard size >= s.sourceDiskSize else {
                    throw ECSError("InvalidSize.TooSmall", "Size \(size) GiB is smaller than the snapshot's source disk (\(s.sourceDiskSize) GiB).")
                }
                guard size <= 32768 else { throw ECSError("InvalidDiskSize.ValueNotSupported", "Size \(size) GiB is beyond 32768 GiB.") }
                return Plan(zone: zone, size: size, source: s)
            }
            guard let size = r.size else { throw ECSError.missingParameter("Size") }
            // ESSD PL0 starts at 1 GiB; small disks also keep local trials and benchmarks cheap.
            guard (1...32768).contains(size) else {
                throw ECSError("InvalidDiskSize.ValueNotSupported", "Size must be 1 to 32768 GiB; \(size) was given.")
            }
            return Plan(zone: zone, size: size, source: nil)
        }
        try checkPoolRoom(sizeGiB: plan.size)
        let diskId = Self.newId("d", region: r.regionId)
        let image = layout.diskImage(diskId)
        // Image before row: until the row is in, the orphan sweep must keep off.
        let writing = try FileLock(path: layout.imageWriteLock.path, exclusive: false)
        defer { writing.unlock() }
        do {
            if let s = plan.source {
                try PoolImages.copy(from: layout.snapshotImage(s.snapshotId), to: image)
                if plan.size > s.sourceDiskSize {
                    guard truncate(image.path, off_t(plan.size) * off_t(PoolImages.gibibyte)) == 0 else {
                        throw PoolError("cannot grow disk image", path: image.path)
                    }
                }
            } else {
                try PoolImages.create(at: image, sizeGiB: plan.size)
            }
        } catch {
            try? FileManager.default.removeItem(at: image)
            // The operator's state folder is nobody else's business, not even the caller's.
            throw ECSError("InternalError", "The disk image could not be made: \(hidingStatePath("\(error)"))", httpStatus: 500)
        }
        let record = DiskRecord(diskId: diskId, diskName: r.diskName, regionId: r.regionId, zoneId: plan.zone,
                                instanceId: nil, category: r.category, size: plan.size, status: "Available", type: "data",
                                device: "", multiAttach: "Disabled", sourceSnapshotId: plan.source?.snapshotId ?? "",
                                creationTime: timestamp())
        ImageLabel(disk: record).write(to: image)
        do {
            try await store.writer.write { db in
                // The snapshot may have gone while its image was copied; the copy is still whole.
                try record.insert(db)
            }
        } catch {
            try? FileManager.default.removeItem(at: image)
            throw error
        }
        return diskId
    }

    public func attachDisk(instanceId: String, diskId: String) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: nil, action: "AttachDisk")
            let instance = try self.instance(db, instanceId, region: nil)
            var disk = try self.disk(db, diskId, region: nil)
            guard disk.status == "Available", disk.instanceId == nil else {
                throw ECSError("IncorrectDiskStatus", "The disk \(diskId) is \(disk.status) (attached to \(disk.instanceId ?? "nothing")); only an Available disk can be attached.")
            }
            guard disk.zoneId == instance.zoneId else {
                throw ECSError("InvalidParameter.Zone", "The disk \(diskId) is in zone \(disk.zoneId) but the instance \(instanceId) is in zone \(instance.zoneId).")
            }
            let used = Set(try String.fetchAll(db, sql: "SELECT device FROM disk WHERE instanceId = ?", arguments: [instanceId]))
            guard let device = (1..<26).map(Self.deviceName).first(where: { !used.contains($0) }) else {
                throw ECSError("InstanceDiskLimitExceeded", "The instance \(instanceId) has no free device letter.")
            }
            disk.instanceId = instanceId
            disk.status = "In_use"
            disk.device = device
            try disk.update(db)
            // On the host the disk becomes a mounted file system; if it cannot, the
            // transaction rolls back and the disk stays Available.
            if instance.isHost { try self.bringUpOnHost(db, diskId: diskId) }
        }
    }

    public func detachDisk(instanceId: String, diskId: String) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: nil, action: "DetachDisk")
            let instance = try self.instance(db, instanceId, region: nil)
            var disk = try self.disk(db, diskId, region: nil)
            guard disk.instanceId == instanceId else {
                throw ECSError("IncorrectDiskStatus", "The disk \(diskId) is not attached to instance \(instanceId).")
            }
            guard disk.status != Self.reinitingStatus else {
                throw ECSError("IncorrectDiskStatus", "The disk \(diskId) is being rolled back; detach it when ResetDisks has answered.", httpStatus: 403)
            }
            guard disk.type != "system" else {
                throw ECSError("InvalidDiskType.NotSupported", "The disk \(diskId) is the system disk of \(instanceId); a system disk cannot be detached.")
            }
            if instance.isHost { try self.takeDownOnHost(diskId: diskId) }
            disk.instanceId = nil
            disk.status = "Available"
            disk.device = ""
            try disk.update(db)
        }
    }
}

extension EmbeddedCloud {
    /// ECS's DiskName rule (empty means none), measured in code points like every name.
    static func checkDiskName(_ name: String) throws {
        guard !name.isEmpty else { return }
        let lower = name.lowercased()
        guard (2...128).contains(TextRules.length(name)), name.first!.isLetter, !lower.hasPrefix("http://"),
              !lower.hasPrefix("https://"), !TextRules.hasBidiControl(name),
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ECSError("InvalidDiskName.Malformed", "The specified DiskName (\(TextRules.length(name)) characters) is not valid: 2 to 128 characters (Unicode code points), starting with a letter, not with http:// or https://, without control or bidirectional characters.")
        }
    }

    static func zones(_ db: Database, region: RegionRecord) throws -> Set<String> {
        let used = try String.fetchAll(db, sql: "SELECT DISTINCT zoneId FROM instance WHERE regionId = ?", arguments: [region.regionId])
        return Set(used + [region.defaultZoneId])
    }

    /// A disk image is sparse, but the disk it stands for must be able to fill up: a size
    /// the pool's file system could never hold is refused before anything is written.
    func checkPoolRoom(sizeGiB: Int) throws {
        var fs = statvfs()
        guard statvfs(layout.disks.path, &fs) == 0 else {
            throw ECSError("InternalError", "The storage pool cannot be read: \(String(cString: strerror(errno)))", httpStatus: 500)
        }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        let wanted = Int64(sizeGiB) * Int64(PoolImages.gibibyte)
        guard wanted <= free else {
            throw ECSError("InvalidDiskSize.NotEnoughSpace", "Size \(sizeGiB) GiB does not fit in the storage pool: its file system has \(free >> 30) GiB free.")
        }
    }

    func hidingStatePath(_ text: String) -> String {
        text.replacingOccurrences(of: layout.root.path, with: "<state>")
    }
}

// MARK: - Rolling disks back

extension EmbeddedCloud {
    /// While a disk is being rolled back: attach, start and another reset wait for it.
    static let reinitingStatus = "ReIniting"

    public func resetDisks(regionId: String?, disks: [DiskReset], dryRun: Bool) async throws -> [OperationProgress] {
        guard !disks.isEmpty else { throw ECSError.missingParameter("Disk.1.DiskId") }
        // Check every disk, then claim them all in one write: a disk being rolled back is
        // ReIniting, so the instance cannot be started nor the disk attached meanwhile.
        let claimed: [(DiskRecord, SnapshotRecord)] = try await store.writer.write { db in
            try self.authorize(db, region: regionId, action: regionId == nil ? "ResetDisk" : "ResetDisks")
            var seen = Set<String>()
            let plan = try disks.map { r -> (DiskRecord, SnapshotRecord) in
                guard seen.insert(r.diskId).inserted else { throw ECSError.invalidParameter("DiskId", "disk \(r.diskId) is given twice") }
                return try self.checkReset(db, r, regionId: regionId)
            }
            if dryRun { throw ECSError.dryRunOperation }
            for (d, _) in plan {
                try db.execute(sql: "UPDATE disk SET status = ? WHERE diskId = ?", arguments: [Self.reinitingStatus, d.diskId])
            }
            return plan
        }
        var progress: [OperationProgress] = []
        for (disk, snapshot) in claimed {
            let items = [RelatedItem("DiskId", disk.diskId), RelatedItem("SnapshotId", snapshot.snapshotId)]
            do {
                try rewriteImage(diskId: disk.diskId, from: snapshot.snapshotId)
                progress.append(OperationProgress(success: true, items: items))
            } catch {
                progress.append(OperationProgress(success: false, items: items, errorCode: "InternalError",
                                                  errorMessage: "The disk \(disk.diskId) could not be rolled back and keeps its data: \(error)"))
            }
            // The disk's own status again, rolled back or not.
            try await store.writer.write { db in
                try db.execute(sql: "UPDATE disk SET status = ? WHERE diskId = ?", arguments: [disk.status, disk.diskId])
            }
        }
        return progress
    }

    /// The disk and snapshot of one reset, if it may be done now.
    private func checkReset(_ db: Database, _ r: DiskReset, regionId: String?) throws -> (DiskRecord, SnapshotRecord) {
        let disk = try self.disk(db, r.diskId, region: regionId)
        let snapshot = try self.snapshot(db, r.snapshotId, region: disk.regionId)
        guard snapshot.sourceDiskId == disk.diskId else {
            throw ECSError("InvalidSnapshotId.NotBelongToDisk", "The snapshot \(snapshot.snapshotId) was taken of disk \(snapshot.sourceDiskId), not of \(disk.diskId): a disk can be rolled back only to its own snapshots.")
        }
        guard snapshot.status == SnapshotStatus.accomplished else {
            throw ECSError("IncorrectSnapshotStatus", "The snapshot \(snapshot.snapshotId) is \(snapshot.status); a disk can be rolled back only to an accomplished snapshot.", httpStatus: 403)
        }
        guard disk.status == "In_use" || disk.status == "Available" else {
            throw ECSError("IncorrectDiskStatus", "The disk \(disk.diskId) is \(disk.status); wait until it is In_use or Available.", httpStatus: 403)
        }
        if let instanceId = disk.instanceId {
            let instance = try self.instance(db, instanceId, region: nil)
            if instance.isHost {
                throw ECSError("IncorrectDiskStatus", "The disk \(disk.diskId) is attached to the host instance \(instanceId), which cannot be stopped: detach the disk (DetachDisk), roll it back, then attach it again.", httpStatus: 403)
            }
            guard instance.status == InstanceStatus.stopped else {
                throw ECSError("IncorrectInstanceStatus", "The instance \(instanceId) is \(instance.status); stop it (StopInstance) before rolling back its disk \(disk.diskId).", httpStatus: 403)
            }
        }
        return (disk, snapshot)
    }

    /// The disk's image becomes the snapshot's: cloned (reflink where the pool has it) to a
    /// temporary file beside it, then renamed over it, under the image's exclusive lock, so
    /// a reader sees the old image or the new one and never a half-written one.
    private func rewriteImage(diskId: String, from snapshotId: String) throws {
        let image = layout.diskImage(diskId).path
        let temp = image + ".reset-\(getpid())"
        try DiskImageLock.withExclusiveLock(imagePath: image) {
            do {
                try Reflink.clone(from: layout.snapshotImage(snapshotId).path, to: temp)
                chmod(temp, 0o600)
                guard rename(temp, image) == 0 else { throw PoolError("cannot replace", path: image) }
            } catch {
                unlink(temp)
                throw error
            }
        }
    }
}
