import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud

@Suite struct ResourceTests {
    @Test func tagsOnEveryResourceTypeShowInDescribe() async throws {
        let t = try TestCloud()
        let c = t.cloud
        let app = try await t.instance("linux-app-1")
        let disk = try await t.disks(of: "linux-app-1")[0]
        let gid = try await c.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, diskIds: [disk.DiskId], name: "Tagged"))
        let snap = try await c.describeSnapshots(regionId: hz, snapshotIds: nil, diskId: disk.DiskId, instanceId: nil)[0]
        try await c.tagResources(regionId: hz, resourceType: "snapshot", resourceIds: [snap.SnapshotId],
                                 tags: [ConsistencyTag.app, Tag(ConsistencyTag.freezeMsKey, "12")], dryRun: false)
        try await c.tagResources(regionId: hz, resourceType: "disk", resourceIds: [disk.DiskId], tags: [Tag("env", "prod")], dryRun: false)
        try await c.tagResources(regionId: hz, resourceType: "instance", resourceIds: [app.InstanceId], tags: [Tag("env", "prod")], dryRun: false)
        try await c.tagResources(regionId: hz, resourceType: "snapshotgroup", resourceIds: [gid], tags: [Tag("env", "prod")], dryRun: false)
        // Retagging a key replaces its value.
        try await c.tagResources(regionId: hz, resourceType: "disk", resourceIds: [disk.DiskId], tags: [Tag("env", "test")], dryRun: false)

        let s = try await c.describeSnapshots(regionId: hz, snapshotIds: [snap.SnapshotId], diskId: nil, instanceId: nil)[0]
        #expect(Set(s.Tags.Tag) == [ConsistencyTag.app, Tag("appsnap:freeze-ms", "12")])
        #expect(try await c.describeDisks(regionId: hz, instanceId: nil, diskIds: [disk.DiskId])[0].Tags.Tag == [Tag("env", "test")])
        let g = try await c.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0]
        #expect(g.Tags.Tag == [Tag("env", "prod")])
        #expect(g.Snapshots.Snapshot[0].Tags.Tag.contains(ConsistencyTag.app))
    }

    @Test func tagErrors() async throws {
        let t = try TestCloud()
        let c = t.cloud
        let app = try await t.instance("linux-app-1")
        #expect(await ecsCode { try await c.tagResources(regionId: hz, resourceType: "snapshot", resourceIds: ["s-nope"], tags: [Tag("a", "b")], dryRun: false) }
                == "InvalidSnapshotId.NotFound")
        #expect(await ecsCode { try await c.tagResources(regionId: hz, resourceType: "disk", resourceIds: ["d-nope"], tags: [Tag("a", "b")], dryRun: false) }
                == "InvalidDiskId.NotFound")
        #expect(await ecsCode { try await c.tagResources(regionId: hz, resourceType: "instance", resourceIds: ["i-nope"], tags: [Tag("a", "b")], dryRun: false) }
                == "InvalidInstanceId.NotFound")
        #expect(await ecsCode { try await c.tagResources(regionId: hz, resourceType: "vpc", resourceIds: [app.InstanceId], tags: [Tag("a", "b")], dryRun: false) }
                == "InvalidResourceType.NotSupported")
        #expect(await ecsCode { try await c.tagResources(regionId: hz, resourceType: "instance", resourceIds: [], tags: [Tag("a", "b")], dryRun: false) }
                == "MissingParameter")
        #expect(await ecsCode { try await c.tagResources(regionId: hz, resourceType: "instance", resourceIds: [app.InstanceId], tags: [], dryRun: false) }
                == "MissingParameter")
        #expect(await ecsCode { try await c.tagResources(regionId: hz, resourceType: "instance", resourceIds: [app.InstanceId], tags: [Tag("acs:x", "b")], dryRun: false) }
                == "InvalidTagKey.Malformed")
        let many = (0..<21).map { Tag("k\($0)", "v") }
        #expect(await ecsCode { try await c.tagResources(regionId: hz, resourceType: "instance", resourceIds: [app.InstanceId], tags: many, dryRun: false) }
                == "InvalidParameter")
    }

    @Test func createAttachDetachDisk() async throws {
        let t = try TestCloud()
        let c = t.cloud
        let app = try await t.instance("linux-app-1")
        let d = try await c.createDisk(.init(regionId: hz, size: 25, diskName: "scratch"))
        var disk = try await c.describeDisks(regionId: hz, instanceId: nil, diskIds: [d])[0]
        #expect(disk.Status == "Available" && disk.InstanceId == "" && disk.Device == "" && disk.Size == 25)
        #expect((try FileManager.default.attributesOfItem(atPath: t.image(d).path)[.size] as? Int) == 25 << 30)

        try await c.attachDisk(instanceId: app.InstanceId, diskId: d)
        disk = try await c.describeDisks(regionId: hz, instanceId: nil, diskIds: [d])[0]
        #expect(disk.Status == "In_use" && disk.InstanceId == app.InstanceId && disk.Device == "/dev/xvdd")
        #expect(await ecsCode { try await c.attachDisk(instanceId: app.InstanceId, diskId: d) } == "IncorrectDiskStatus")

        let db = try await t.instance("linux-db-1")
        #expect(await ecsCode { try await c.detachDisk(instanceId: db.InstanceId, diskId: d) } == "IncorrectDiskStatus")
        let system = try await t.disks(of: "linux-app-1").first { $0.Type == "system" }!
        #expect(await ecsCode { try await c.detachDisk(instanceId: app.InstanceId, diskId: system.DiskId) } == "InvalidDiskType.NotSupported")
        try await c.detachDisk(instanceId: app.InstanceId, diskId: d)
        disk = try await c.describeDisks(regionId: hz, instanceId: nil, diskIds: [d])[0]
        #expect(disk.Status == "Available" && disk.InstanceId == "" && disk.Device == "")

        #expect(await ecsCode { try await c.attachDisk(instanceId: "i-nope", diskId: d) } == "InvalidInstanceId.NotFound")
        #expect(await ecsCode { try await c.attachDisk(instanceId: app.InstanceId, diskId: "d-nope") } == "InvalidDiskId.NotFound")
        #expect(await ecsCode { _ = try await c.createDisk(.init(regionId: hz)) } == "MissingParameter")
        #expect(await ecsCode { _ = try await c.createDisk(.init(regionId: hz, size: 25, category: "floppy")) } == "InvalidDiskCategory.ValueNotSupported")
    }

    @Test func createDiskNeedsAnAccomplishedSnapshot() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let disk = try await t.disks(of: "linux-app-1")[1]
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, diskIds: [disk.DiskId], name: "Young"))
        let snap = try await t.cloud.describeSnapshots(regionId: hz, snapshotIds: nil, diskId: disk.DiskId, instanceId: nil)[0]
        #expect(await ecsCode { _ = try await t.cloud.createDisk(.init(regionId: hz, snapshotId: snap.SnapshotId)) } == "InvalidSnapshot.NotReady")
        try await t.cloud.finishGroup(gid)
        #expect(await ecsCode { _ = try await t.cloud.createDisk(.init(regionId: hz, snapshotId: snap.SnapshotId, size: 10)) } == "InvalidSize.TooSmall")
        let bigger = try await t.cloud.createDisk(.init(regionId: hz, snapshotId: snap.SnapshotId, size: disk.Size + 10))
        #expect(try await t.cloud.describeDisks(regionId: hz, instanceId: nil, diskIds: [bigger])[0].Size == disk.Size + 10)
    }

    @Test func cloudAssistantInstall() async throws {
        let t = try TestCloud()
        let c = t.cloud
        let noassist = try await t.instance("linux-noassist-1")
        #expect(try await c.describeCloudAssistantStatus(regionId: hz, instanceIds: [noassist.InstanceId])[0].isRunning == false)
        try await c.installCloudAssistant(regionId: hz, instanceIds: [noassist.InstanceId])
        let s = try await c.describeCloudAssistantStatus(regionId: hz, instanceIds: [noassist.InstanceId])[0]
        #expect(s.isRunning && !s.CloudAssistantVersion.isEmpty && s.OSType == "linux")
        #expect(await ecsCode { try await c.installCloudAssistant(regionId: hz, instanceIds: ["i-nope"]) } == "InvalidInstanceId.NotFound")
        #expect(await ecsCode { _ = try await c.describeInstanceRamRole(regionId: hz, instanceIds: ["i-nope"]) } == "InvalidInstanceId.NotFound")
    }

    @Test func twoHandlesOnOneDatabaseWorkConcurrently() async throws {
        let t = try TestCloud()
        let a = t.cloud, b = try t.open()
        let app = try await t.instance("linux-app-1")
        let disks = try await t.disks(of: "linux-app-1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, cloud) in [a, b, a, b, a, b, a, b].enumerated() {
                group.addTask {
                    let gid = try await cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId,
                                                                        diskIds: [disks[n % 3].DiskId], name: "C\(n)"))
                    try await cloud.tagResources(regionId: hz, resourceType: "snapshotgroup", resourceIds: [gid],
                                                 tags: [Tag("n", "\(n)")], dryRun: false)
                    try await cloud.finishGroup(gid)
                }
            }
            try await group.waitForAll()
        }
        let seenByA = try await a.describeSnapshotGroups(regionId: hz, instanceId: app.InstanceId, snapshotGroupIds: nil)
        let seenByB = try await b.describeSnapshotGroups(regionId: hz, instanceId: app.InstanceId, snapshotGroupIds: nil)
        #expect(seenByA.count == 8)
        #expect(seenByA == seenByB)
        #expect(seenByA.allSatisfy { $0.Status == "accomplished" && $0.Tags.Tag.count == 1 })
    }
}
