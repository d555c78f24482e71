import AppSnapCore
import Foundation
import GRDB
import Testing
@testable import EmbeddedCloud

@Suite struct SnapshotGroupTests {
    @Test func snapshotHoldsTheImageAtTheCallAndCreateDiskGivesItBack() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let data = try await t.disks(of: "linux-app-1").first { $0.Type == "data" }!
        let old = Array("point-in-time bytes".utf8), new = Array("overwritten later!!".utf8)
        let offset: off_t = 5 << 30 + 4096
        try writeBytes(old, to: t.image(data.DiskId), at: offset)

        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId,
                                                              diskIds: [data.DiskId], name: "PointInTime"))
        try writeBytes(new, to: t.image(data.DiskId), at: offset)
        try await t.cloud.finishGroup(gid)

        let group = try #require(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid]).first)
        let snap = try #require(group.Snapshots.Snapshot.first)
        let diskId = try await t.cloud.createDisk(.init(regionId: hz, snapshotId: snap.SnapshotId, diskName: "restored"))
        let restored = try #require(try await t.cloud.describeDisks(regionId: hz, instanceId: nil, diskIds: [diskId]).first)
        #expect(restored.Status == "Available")
        #expect(restored.SourceSnapshotId == snap.SnapshotId)
        #expect(restored.Size == data.Size)
        #expect(try readBytes(old.count, from: t.image(diskId), at: offset) == old)
        #expect(try readBytes(new.count, from: t.image(data.DiskId), at: offset) == new)
    }

    @Test func groupGoesProgressingThenAccomplishedWithAChecksum() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let disks = try await t.disks(of: "linux-app-1")
        try writeBytes(Array(repeating: 0xab, count: 3 << 20), to: t.image(disks[1].DiskId), at: 1 << 30)

        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "WholeInstance",
                                                              description: "all three", tags: [Tag("team", "db")]))
        #expect(gid.hasPrefix("ssg-"))
        let before = try #require(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: app.InstanceId, snapshotGroupIds: nil).first)
        #expect(before.Status == "progressing")
        #expect(before.Snapshots.Snapshot.count == 3)
        #expect(before.Snapshots.Snapshot.allSatisfy { $0.Status == "progressing" && $0.Progress == "0%" })
        #expect(before.Tags.Tag == [Tag("team", "db")])
        #expect(t.spawns.argvs.contains(["/usr/bin/false", "cloud", "_finish-group", "--state", t.state.url.path, gid]))

        try await t.cloud.finishGroup(gid)
        let after = try #require(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid]).first)
        #expect(after.Status == "accomplished")
        #expect(after.Snapshots.Snapshot.allSatisfy { $0.Status == "accomplished" && $0.Progress == "100%" })
        #expect(Set(after.Snapshots.Snapshot.map(\.SourceDiskId)) == Set(disks.map(\.DiskId)))
        let rows = try await t.cloud.store.writer.read { try SnapshotRecord.fetchAll($0) }
        let written = try #require(rows.first { $0.sourceDiskId == disks[1].DiskId })
        #expect(written.dataBytes == 3 << 20)
        #expect(written.checksum != nil)
        let holes = try #require(rows.first { $0.sourceDiskId == disks[2].DiskId })
        #expect(holes.dataBytes == 0)
        #expect(holes.checksum != written.checksum)
    }

    @Test func excludedAndIneligibleDisks() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let disks = try await t.disks(of: "linux-app-1")
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId,
                                                              excludeDiskIds: [disks[0].DiskId], name: "NoSystem"))
        let g = try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])
        #expect(Set(g[0].Snapshots.Snapshot.map(\.SourceDiskId)) == Set(disks.dropFirst().map(\.DiskId)))

        let db = try await t.instance("linux-db-1")
        #expect(await ecsCode { _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: db.InstanceId, name: "Mixed")) }
                == "InvalidDiskCategory.NotSupported")
        let shared = try await t.instance("linux-shared-1")
        #expect(await ecsCode { _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: shared.InstanceId, name: "Shared")) }
                == "InvalidDisk.MultiAttachEnabled")
        #expect(await ecsCode { _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId,
                                                                            excludeDiskIds: disks.map(\.DiskId), name: "Nothing")) }
                == "InvalidParameter.DiskCount")
    }

    @Test func errorCodes() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let c = t.cloud
        #expect(await ecsCode { _ = try await c.createSnapshotGroup(.init(regionId: "mars-1", instanceId: app.InstanceId, name: "Xy")) }
                == "InvalidRegionId.NotFound")
        #expect(await ecsCode { _ = try await c.createSnapshotGroup(.init(regionId: "", instanceId: app.InstanceId, name: "Xy")) }
                == "MissingParameter")
        #expect(await ecsCode { _ = try await c.createSnapshotGroup(.init(regionId: hz, instanceId: "i-nope", name: "Xy")) }
                == "InvalidInstanceId.NotFound")
        // An instance of another region is not found in this one.
        let sh = try await t.instance("linux-sh-1", region: "cn-shanghai")
        #expect(await ecsCode { _ = try await c.createSnapshotGroup(.init(regionId: hz, instanceId: sh.InstanceId, name: "Xy")) }
                == "InvalidInstanceId.NotFound")
        #expect(await ecsCode { _ = try await c.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, diskIds: ["d-nope"], name: "Xy")) }
                == "InvalidDiskId.NotFound")
        #expect(await ecsCode { _ = try await c.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "")) }
                == "MissingParameter")
        #expect(await ecsCode { _ = try await c.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "1bad")) }
                == "InvalidName.Malformed")
        #expect(await ecsCode { try await c.deleteSnapshotGroup(regionId: hz, snapshotGroupId: "ssg-nope") }
                == "InvalidSnapshotGroupId.NotFound")
        #expect(await ecsCode { try await c.deleteSnapshot(regionId: hz, snapshotId: "s-nope") } == "InvalidSnapshotId.NotFound")
        #expect(await ecsCode { _ = try await c.createDisk(.init(regionId: hz, snapshotId: "s-nope")) } == "InvalidSnapshotId.NotFound")
        #expect(await ecsCode { _ = try await c.describeInstances(regionId: "nowhere", instanceIds: nil) } == "InvalidRegionId.NotFound")
        #expect(try await c.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: ["ssg-nope"]).isEmpty)
    }

    @Test func dryRunValidatesAndCreatesNothing() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        #expect(await ecsCode { _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId,
                                                                                name: "Dry", dryRun: true)) } == "DryRunOperation")
        #expect(await ecsCode { _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: "i-nope",
                                                                                name: "Dry", dryRun: true)) } == "InvalidInstanceId.NotFound")
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: nil).isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: t.cloud.layout.snapshots.path)
        #expect(files.isEmpty)
    }

    @Test func seventeenDisksAreTooMany() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        // 3 disks already; 14 more makes 17.
        for n in 0..<14 {
            let d = try await t.cloud.createDisk(.init(regionId: hz, size: 20, diskName: "extra\(n)"))
            try await t.cloud.attachDisk(instanceId: app.InstanceId, diskId: d)
        }
        #expect(await ecsCode { _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Many")) }
                == "InvalidParameter.DiskCount")
        let one = try await t.disks(of: "linux-app-1").last!
        try await t.cloud.detachDisk(instanceId: app.InstanceId, diskId: one.DiskId)
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Sixteen"))
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0].Snapshots.Snapshot.count == 16)
    }

    @Test func quotaOf256ManualSnapshotsADisk() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let disk = try await t.disks(of: "linux-app-1")[2]
        for n in 0..<256 {
            _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, diskIds: [disk.DiskId], name: "Q\(n)"))
        }
        #expect(try await t.cloud.describeSnapshots(regionId: hz, snapshotIds: nil, diskId: disk.DiskId, instanceId: nil).count == 256)
        #expect(await ecsCode { _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId,
                                                                                diskIds: [disk.DiskId], name: "Q256")) } == "QuotaExceed.Snapshot")
        // Another disk of the same instance is not affected; freeing one slot lets it through again.
        let other = try await t.disks(of: "linux-app-1")[1]
        _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, diskIds: [other.DiskId], name: "Other"))
        let victim = try await t.cloud.describeSnapshots(regionId: hz, snapshotIds: nil, diskId: disk.DiskId, instanceId: nil)[0]
        try await t.cloud.deleteSnapshot(regionId: hz, snapshotId: victim.SnapshotId)
        _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, diskIds: [disk.DiskId], name: "Q257"))
    }

    @Test func deleteRemovesRowsAndImages() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Gone"))
        let snaps = try await t.cloud.describeSnapshots(regionId: hz, snapshotIds: nil, diskId: nil, instanceId: app.InstanceId)
        #expect(snaps.count == 3)
        #expect(snaps.allSatisfy { FileManager.default.fileExists(atPath: t.cloud.layout.snapshotImage($0.SnapshotId).path) })
        try await t.cloud.deleteSnapshot(regionId: hz, snapshotId: snaps[0].SnapshotId)
        #expect(!FileManager.default.fileExists(atPath: t.cloud.layout.snapshotImage(snaps[0].SnapshotId).path))
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0].Snapshots.Snapshot.count == 2)
        try await t.cloud.deleteSnapshotGroup(regionId: hz, snapshotGroupId: gid)
        #expect(try await t.cloud.describeSnapshots(regionId: hz, snapshotIds: nil, diskId: nil, instanceId: app.InstanceId).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.cloud.layout.snapshots.path).isEmpty)
        // The worker of a deleted group has nothing to do and says so.
        #expect(await ecsCode { try await t.cloud.finishGroup(gid) } == "InvalidSnapshotGroupId.NotFound")
    }

    @Test func reconcileResumesAGroupWhoseWorkerDied() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Orphan"))
        #expect(t.spawns.argvs.filter { $0.last == gid }.count == 1)
        // The recorded worker pid names no process: the next start must pick the group up.
        _ = try t.open()
        #expect(t.spawns.argvs.filter { $0.last == gid }.count == 2)
        try await t.cloud.finishGroup(gid)
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0].Status == "accomplished")
        // Accomplished groups are left alone.
        _ = try t.open()
        #expect(t.spawns.argvs.filter { $0.last == gid }.count == 2)
    }

    @Test func aReaderTakesOverAGroupWhoseWorkerDied() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Waited"))
        #expect(t.spawns.argvs.filter { $0.last == gid }.count == 1)
        // The plugin polls through the handle it already has: no new open, no reconcile.
        let seen = try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0]
        #expect(seen.Status == "progressing")
        #expect(t.spawns.argvs.filter { $0.last == gid }.count == 2, "the reader started a worker in place of the dead one")
        try await t.cloud.finishGroup(gid)
        _ = try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])
        #expect(t.spawns.argvs.filter { $0.last == gid }.count == 2, "a finished group is left alone")
    }

    @Test func reconcileFailsAGroupWhoseImagesAreGone() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Broken"))
        let snap = try await t.cloud.describeSnapshots(regionId: hz, snapshotIds: nil, diskId: nil, instanceId: app.InstanceId)[0]
        try FileManager.default.removeItem(at: t.cloud.layout.snapshotImage(snap.SnapshotId))
        let reopened = try t.open()
        let g = try await reopened.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0]
        #expect(g.Status == "failed")
        #expect(g.Snapshots.Snapshot.allSatisfy { $0.Status == "failed" })
    }

    @Test func aLiveWorkerIsNotDisturbed() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Busy"))
        let me = ProcessIdentity.current()
        try await t.cloud.store.writer.write { db in
            try db.execute(sql: "UPDATE snapshotGroup SET workerPid = ?, workerStartTicks = ?", arguments: [Int(me.pid), me.startTicks])
        }
        _ = try t.open()
        #expect(t.spawns.argvs.filter { $0.last == gid }.count == 1)
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0].Status == "progressing")
    }
}
