import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud

/// The operator's lifecycle of SPEC §14 on the embedded cloud, through the same ECS
/// action table the command line and the endpoint use.
@Suite struct LifecycleTests {
    /// A group of linux-app-1's disks, with `before` written into each first.
    func group(_ t: TestCloud, name: String = "Before", before: [UInt8]) async throws -> (Instance, [Disk], String) {
        let app = try await t.instance("linux-app-1")
        let disks = try await t.disks(of: "linux-app-1")
        for d in disks { try writeBytes(before, to: t.image(d.DiskId), at: 1 << 20) }
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: name))
        try await t.cloud.finishGroup(gid)
        return (app, disks, gid)
    }

    func call(_ t: TestCloud, _ action: String, _ params: [String: String]) async throws -> [String: Any] {
        let body = try await ECSActions.call(action, params, on: t.cloud)
        return try JSONSerialization.jsonObject(with: body.json()) as! [String: Any]
    }

    @Test func resetDisksRollsAStoppedInstanceBackToItsGroup() async throws {
        let t = try TestCloud()
        let before = Array("at the snapshot".utf8), after = Array("written later!!".utf8)
        let (app, disks, gid) = try await group(t, before: before)
        for d in disks { try writeBytes(after, to: t.image(d.DiskId), at: 1 << 20) }
        let snaps = try #require(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid]).first).Snapshots.Snapshot
        var params = ["RegionId": hz]
        for (n, s) in snaps.enumerated() { params["Disk.\(n + 1).DiskId"] = s.SourceDiskId; params["Disk.\(n + 1).SnapshotId"] = s.SnapshotId }

        #expect(await ecsCode { _ = try await call(t, "ResetDisks", params) } == "IncorrectInstanceStatus", "running: refused")
        #expect(try readBytes(after.count, from: t.image(disks[0].DiskId), at: 1 << 20) == after, "a refusal changes nothing")
        _ = try await call(t, "StopInstance", ["InstanceId": app.InstanceId])
        var dry = params; dry["DryRun"] = "true"
        #expect(await ecsCode { _ = try await call(t, "ResetDisks", dry) } == "DryRunOperation")
        #expect(try readBytes(after.count, from: t.image(disks[0].DiskId), at: 1 << 20) == after, "a dry run changes nothing")

        let answer = try await call(t, "ResetDisks", params)
        let progress = ((answer["OperationProgressSet"] as? [String: Any])?["OperationProgress"] as? [[String: Any]]) ?? []
        #expect(progress.count == disks.count)
        #expect(progress.allSatisfy { $0["OperationStatus"] as? String == "Success" })
        for d in disks { #expect(try readBytes(before.count, from: t.image(d.DiskId), at: 1 << 20) == before) }
        let after2 = try await t.disks(of: "linux-app-1")
        #expect(after2.allSatisfy { $0.Status == "In_use" }, "each disk is back to its own status")
        _ = try await call(t, "StartInstance", ["InstanceId": app.InstanceId])
        #expect(try await t.instance("linux-app-1").Status == "Running")
    }

    @Test func aDiskRollsBackOnlyToItsOwnAccomplishedSnapshot() async throws {
        let t = try TestCloud()
        let (app, disks, gid) = try await group(t, before: [1, 2, 3])
        let snaps = try #require(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid]).first).Snapshots.Snapshot
        try await t.cloud.stopInstance(instanceId: app.InstanceId, forceStop: false, dryRun: false)
        let other = try #require(snaps.first { $0.SourceDiskId != disks[0].DiskId })
        #expect(await ecsCode { _ = try await call(t, "ResetDisk", ["DiskId": disks[0].DiskId, "SnapshotId": other.SnapshotId]) }
                == "InvalidSnapshotId.NotBelongToDisk")
        #expect(await ecsCode { _ = try await call(t, "ResetDisk", ["DiskId": disks[0].DiskId]) } == "MissingParameter")
        #expect(await ecsCode { _ = try await call(t, "ResetDisks", ["RegionId": hz, "Disk.1.DiskId": disks[0].DiskId]) } == "MissingParameter")
        let own = try #require(snaps.first { $0.SourceDiskId == disks[0].DiskId })
        _ = try await call(t, "ResetDisk", ["DiskId": disks[0].DiskId, "SnapshotId": own.SnapshotId])
    }

    @Test func stopAndStartFollowTheInstancesState() async throws {
        let t = try TestCloud()
        let stopped = try await t.instance("linux-stopped-1")
        #expect(await ecsCode { try await t.cloud.stopInstance(instanceId: stopped.InstanceId, forceStop: false, dryRun: false) } == "IncorrectInstanceStatus")
        let running = try await t.instance("linux-db-1")
        #expect(await ecsCode { try await t.cloud.startInstance(instanceId: running.InstanceId, dryRun: false) } == "IncorrectInstanceStatus")
        #expect(await ecsCode { try await t.cloud.stopInstance(instanceId: running.InstanceId, forceStop: false, dryRun: true) } == "DryRunOperation")
        #expect(try await t.instance("linux-db-1").Status == "Running")
        #expect(await ecsCode { _ = try await call(t, "StopInstance", ["InstanceId": running.InstanceId, "StoppedMode": "Sleep"]) } == "InvalidParameter")
        #expect(await ecsCode { _ = try await call(t, "StopInstance", ["InstanceId": "i-nosuch"]) } == "InvalidInstanceId.NotFound")
    }

    @Test func modifySnapshotGroupRenamesWithinTheRules() async throws {
        let t = try TestCloud()
        let (_, _, gid) = try await group(t, before: [9])
        _ = try await call(t, "ModifySnapshotGroup", ["RegionId": hz, "SnapshotGroupId": gid, "Name": "Renamed", "Description": "after review"])
        let g = try #require(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid]).first)
        #expect(g.Name == "Renamed" && g.Description == "after review")
        #expect(await ecsCode { _ = try await call(t, "ModifySnapshotGroup", ["RegionId": hz, "SnapshotGroupId": gid, "Name": "1bad"]) } == "InvalidName.Malformed")
        #expect(await ecsCode { _ = try await call(t, "ModifySnapshotGroup", ["RegionId": hz, "SnapshotGroupId": gid, "Description": "x"]) } == "InvalidDescription.Malformed")
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid]).first?.Name == "Renamed")
    }

    @Test func describeSnapshotGroupsFiltersAndPagesWithNextToken() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        var made: [String] = []
        for n in 0..<5 {
            let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "G\(n)",
                                                                  tags: n % 2 == 0 ? [Tag("tier", "gold")] : []))
            if n < 4 { try await t.cloud.finishGroup(gid) }
            made.append(gid)
        }
        func ids(_ r: [String: Any]) -> [String] {
            ((r["SnapshotGroups"] as? [String: Any])?["SnapshotGroup"] as? [[String: Any]] ?? []).compactMap { $0["SnapshotGroupId"] as? String }
        }
        var seen: [String] = [], token = ""
        repeat {
            var p = ["RegionId": hz, "MaxResults": "2"]
            if !token.isEmpty { p["NextToken"] = token }
            let r = try await call(t, "DescribeSnapshotGroups", p)
            #expect(ids(r).count <= 2)
            seen += ids(r)
            token = r["NextToken"] as? String ?? ""
        } while !token.isEmpty
        #expect(Set(seen) == Set(made) && seen.count == 5, "every group once over the pages")

        let gold = try await call(t, "DescribeSnapshotGroups", ["RegionId": hz, "Tag.1.Key": "tier", "Tag.1.Value": "gold"])
        #expect(Set(ids(gold)) == [made[0], made[2], made[4]])
        let goldDone = try await call(t, "DescribeSnapshotGroups", ["RegionId": hz, "Tag.1.Key": "tier", "Status.1": "accomplished"])
        #expect(Set(ids(goldDone)) == [made[0], made[2]], "filters combine with AND")
        let named = try await call(t, "DescribeSnapshotGroups", ["RegionId": hz, "Name": "G3", "InstanceId": app.InstanceId])
        #expect(ids(named) == [made[3]])
        #expect(await ecsCode { _ = try await call(t, "DescribeSnapshotGroups", ["RegionId": hz, "Status.1": "done"]) } == "InvalidParameter")
        #expect(await ecsCode { _ = try await call(t, "DescribeSnapshotGroups", ["RegionId": hz, "NextToken": "garbage"]) } == "InvalidNextToken.Malformed")
        #expect(await ecsCode { _ = try await call(t, "DescribeSnapshotGroups", ["RegionId": hz, "MaxResults": "101"]) } == "InvalidParameter")
    }

    @Test func accessKeysKeepTheirSecretSealedAndTheirPolicy() async throws {
        let t = try TestCloud()
        let (info, secret) = try t.cloud.createAccessKey(actions: nil)
        #expect(info.Actions.contains("ecs:CreateSnapshot*"), "the demo role's policy by default")
        let grant = try #require(try t.cloud.accessKeyGrant(info.AccessKeyId))
        #expect(grant.secret == secret)
        let other = try t.open()
        #expect(try other.accessKeyGrant(info.AccessKeyId)?.secret == secret, "another process opens the same seal")
        let raw = try Data(contentsOf: t.cloud.layout.database)
        #expect(raw.range(of: Data(secret.utf8)) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: t.cloud.layout.accessKeySealingKey.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(await ecsCode { _ = try t.cloud.createAccessKey(actions: ["DescribeDisks"]) } == "InvalidParameter")
        try t.cloud.deleteAccessKey(info.AccessKeyId)
        #expect(try t.cloud.accessKeyGrant(info.AccessKeyId) == nil)
        #expect(await ecsCode { try t.cloud.deleteAccessKey(info.AccessKeyId) } == "InvalidAccessKeyId.NotFound")
    }
}
