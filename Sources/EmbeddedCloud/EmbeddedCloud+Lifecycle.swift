import AppSnapCore
import Foundation
import GRDB
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

// The operator's lifecycle of SPEC §14: roll disks back to a snapshot, stop and start
// instances, rename a group.
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

    public func stopInstance(instanceId: String, forceStop: Bool, dryRun: Bool) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: nil, action: "StopInstance")
            var i = try self.instance(db, instanceId, region: nil)
            if i.isHost {
                throw ECSError("OperationDenied.HostInstance", "The instance \(instanceId) is this machine (the enrolled host) and cannot be stopped; to roll back one of its disks, detach the disk first.", httpStatus: 403)
            }
            guard i.status == InstanceStatus.running else {
                throw ECSError("IncorrectInstanceStatus", "The instance \(instanceId) is \(i.status); only a Running instance can be stopped.", httpStatus: 403)
            }
            let busy = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM invocationResult WHERE instanceId = ? AND recordStatus != 'Finished'",
                                        arguments: [instanceId]) ?? 0
            // An emulated instance cannot cut a command off mid-way as a power-off would.
            guard busy == 0 else {
                throw ECSError("OperationConflict", "A command is still running on the instance \(instanceId); wait for it to finish (DescribeInvocationResults), then stop it.", httpStatus: 403)
            }
            if dryRun { throw ECSError.dryRunOperation }
            i.status = InstanceStatus.stopped
            try i.update(db)
        }
    }

    public func startInstance(instanceId: String, dryRun: Bool) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: nil, action: "StartInstance")
            var i = try self.instance(db, instanceId, region: nil)
            guard i.status == InstanceStatus.stopped else {
                throw ECSError("IncorrectInstanceStatus", "The instance \(instanceId) is \(i.status); only a Stopped instance can be started.", httpStatus: 403)
            }
            let resetting = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM disk WHERE instanceId = ? AND status = ?",
                                             arguments: [instanceId, Self.reinitingStatus]) ?? 0
            guard resetting == 0 else {
                throw ECSError("IncorrectDiskStatus", "A disk of the instance \(instanceId) is being rolled back; start it when ResetDisks has answered.", httpStatus: 403)
            }
            if dryRun { throw ECSError.dryRunOperation }
            i.status = InstanceStatus.running
            try i.update(db)
        }
    }

    public func modifySnapshotGroup(regionId: String, snapshotGroupId: String, name: String?, description: String?) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: regionId, action: "ModifySnapshotGroup")
            var g = try self.group(db, snapshotGroupId, region: regionId)
            try Self.checkGroupText(name: name, description: description, descriptionMinimum: 2)
            if let name { g.name = name }
            if let description { g.description = description }
            try g.update(db)
        }
    }
}
