import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud

@Suite struct AuthorizationTests {
    @Test func readyRoleMayDoWhatItsPolicySays() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let asApp = try t.open(caller: .instanceRole(app.InstanceId))
        // ecs:DescribeDisks, ecs:CreateSnapshot*, ecs:DescribeSnapshot*, ecs:TagResources, ecs:DeleteSnapshotGroup
        let disks = try await asApp.describeDisks(regionId: hz, instanceId: app.InstanceId, diskIds: nil)
        #expect(disks.count == 3)
        let gid = try await asApp.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "ByRole"))
        let group = try await asApp.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0]
        try await asApp.tagResources(regionId: hz, resourceType: "snapshot", resourceIds: group.Snapshots.Snapshot.map(\.SnapshotId),
                                     tags: [ConsistencyTag.fs], dryRun: false)
        let snaps = try await asApp.describeSnapshots(regionId: hz, snapshotIds: nil, diskId: nil, instanceId: app.InstanceId)
        #expect(snaps.allSatisfy { $0.Tags.Tag.contains(ConsistencyTag.fs) })
        // What the metadata service tells an instance about itself needs no policy...
        #expect(try await asApp.describeInstances(regionId: hz, instanceIds: [app.InstanceId]).map(\.InstanceName) == ["linux-app-1"])
        #expect(try await asApp.describeInstanceRamRole(regionId: hz, instanceIds: [app.InstanceId]).map(\.RamRoleName) == ["AppSnapshotRoleName"])
        // ...anything beyond it does.
        let db = try await t.instance("linux-db-1")
        #expect(await ecsCode { _ = try await asApp.describeInstances(regionId: hz, instanceIds: nil) } == "Forbidden.RAM")
        #expect(await ecsCode { _ = try await asApp.describeInstances(regionId: hz, instanceIds: [db.InstanceId]) } == "Forbidden.RAM")
        #expect(await ecsCode { _ = try await asApp.describeInstanceRamRole(regionId: hz, instanceIds: [app.InstanceId, db.InstanceId]) } == "Forbidden.RAM")
        #expect(await ecsCode { try await asApp.deleteSnapshot(regionId: hz, snapshotId: snaps[0].SnapshotId) } == "Forbidden.RAM")
        #expect(await ecsCode { _ = try await asApp.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "true",
                                                                     instanceIds: [app.InstanceId])) } == "Forbidden.RAM")
        // The plugin removes a half-made group (exit 11) with the role it runs as.
        try await asApp.deleteSnapshotGroup(regionId: hz, snapshotGroupId: gid)
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid]).isEmpty)
    }

    @Test func weakRoleCannotTagAndDryRunSaysSo() async throws {
        let t = try TestCloud()
        let weak = try await t.instance("linux-weakrole-1")
        let asWeak = try t.open(caller: .instanceRole(weak.InstanceId))
        let gid = try await asWeak.createSnapshotGroup(.init(regionId: hz, instanceId: weak.InstanceId, name: "Weak"))
        do {
            try await asWeak.tagResources(regionId: hz, resourceType: "snapshotgroup", resourceIds: [gid], tags: [Tag("a", "b")], dryRun: true)
            Issue.record("TagResources must be refused")
        } catch let e as ECSError {
            #expect(e.Code == "Forbidden.RAM")
            #expect(e.Message.contains("ecs:TagResources"))
            #expect(e.httpStatus == 403)
        }
        // The account may; DryRun validates and tags nothing.
        #expect(await ecsCode { try await t.cloud.tagResources(regionId: hz, resourceType: "snapshotgroup", resourceIds: [gid],
                                                               tags: [Tag("a", "b")], dryRun: true) } == "DryRunOperation")
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0].Tags.Tag.isEmpty)
        // DryRun on CreateSnapshotGroup checks the role before saying it would pass.
        #expect(await ecsCode { _ = try await asWeak.createSnapshotGroup(.init(regionId: hz, instanceId: weak.InstanceId, name: "WeakDry", dryRun: true)) }
                == "DryRunOperation")
    }

    @Test func noRoleMayDoNothing() async throws {
        let t = try TestCloud()
        let none = try await t.instance("linux-norole-1")
        let asNone = try t.open(caller: .instanceRole(none.InstanceId))
        #expect(await ecsCode { _ = try await asNone.describeDisks(regionId: hz, instanceId: none.InstanceId, diskIds: nil) } == "Forbidden.RAM")
        // It can still learn that no role is attached, as from its metadata.
        #expect(try await asNone.describeInstanceRamRole(regionId: hz, instanceIds: [none.InstanceId]).map(\.RamRoleName) == [""])
        #expect(await ecsCode { _ = try await asNone.createSnapshotGroup(.init(regionId: hz, instanceId: none.InstanceId, name: "Nope", dryRun: true)) }
                == "Forbidden.RAM")
        let ghost = try t.open(caller: .instanceRole("i-doesnotexist"))
        #expect(await ecsCode { _ = try await ghost.describeRegions() } == "Forbidden.RAM")
    }

    @Test func patternsMatchLikeRAM() {
        #expect(Authorization.allows("ecs:DescribeSnapshot*", "ecs:DescribeSnapshotGroups"))
        #expect(Authorization.allows("ecs:DescribeSnapshot*", "ecs:DescribeSnapshots"))
        #expect(Authorization.allows("ecs:CreateSnapshot*", "ecs:CreateSnapshotGroup"))
        #expect(Authorization.allows("ecs:*", "ecs:DeleteSnapshot"))
        #expect(Authorization.allows("ECS:describedisks", "ecs:DescribeDisks"))
        #expect(!Authorization.allows("ecs:DescribeSnapshot*", "ecs:DeleteSnapshot"))
        #expect(!Authorization.allows("ecs:TagResources", "ecs:UntagResources"))
    }
}
