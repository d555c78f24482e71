import Foundation
import Testing
@testable import AppSnapCore

/// The flat-parameter front of every ECS action: what it reads, what it refuses, and
/// that a refused request never reaches the cloud.
@Suite struct ECSActionsTests {
    func code(_ body: () async throws -> Void) async -> String? {
        do { try await body(); return nil } catch let e as ECSError { return e.Code } catch { return "\(error)" }
    }

    func json(_ body: ECSBody) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: body.json()) as? [String: Any])
    }

    @Test func anUnknownParameterIsRefusedBeforeTheCloudIsCalled() async {
        let env = TestEnv()
        let c = await code {
            _ = try await ECSActions.call("TagResources", ["RegionId": "cn-hangzhou", "ResourceType": "snapshot",
                                                           "ResourceId.1": "s-1", "Tag.1.Key": "k", "Colour": "blue"], on: env.cloud)
        }
        #expect(c == "InvalidParameter")
        #expect(env.cloud.calls.isEmpty, "nothing reached the cloud: \(env.cloud.calls)")
    }

    @Test func missingAndMistypedParametersNameTheKey() async {
        let env = TestEnv()
        do {
            _ = try await ECSActions.call("DescribeDisks", [:], on: env.cloud)
            Issue.record("no RegionId must fail")
        } catch let e as ECSError {
            #expect(e.Code == "MissingParameter")
            #expect(e.Message.contains("RegionId"))
        } catch { Issue.record("\(error)") }
        #expect(await code { _ = try await ECSActions.call("DescribeSnapshots", ["RegionId": "r", "PageSize": "ten"], on: env.cloud) }
                == "InvalidParameter")
        #expect(await code { _ = try await ECSActions.call("DescribeSnapshots", ["RegionId": "r", "PageSize": "500"], on: env.cloud) }
                == "InvalidParameter")
        #expect(await code { _ = try await ECSActions.call("TagResources", ["RegionId": "r", "ResourceType": "snapshot",
                                                                              "ResourceId.1": "s-1", "Tag.1.Key": "k",
                                                                              "DryRun": "maybe"], on: env.cloud) } == "InvalidParameter")
        #expect(await code { _ = try await ECSActions.call("Explode", [:], on: env.cloud) } == "InvalidAction.NotFound")
    }

    @Test func flatListsMustBeNumberedWithoutGaps() async {
        let env = TestEnv()
        let c = await code {
            _ = try await ECSActions.call("DescribeDisks", ["RegionId": "cn-hangzhou", "DiskId.1": "d-1", "DiskId.3": "d-3"], on: env.cloud)
        }
        #expect(c == "InvalidParameter")
    }

    @Test func listsComeFlatOrAsJSONAndAnswersAreWrappedAndPaged() async throws {
        let env = TestEnv()
        let flat = try json(await ECSActions.call("DescribeDisks", ["RegionId": "cn-hangzhou", "DiskId.1": "d-1", "DiskId.2": "d-2"],
                                                  on: env.cloud))
        let disks = try #require((flat["Disks"] as? [String: Any])?["Disk"] as? [[String: Any]])
        #expect(disks.compactMap { $0["DiskId"] as? String } == ["d-1", "d-2"])
        #expect(flat["TotalCount"] as? Int == 2)
        #expect(flat["RequestId"] is String)

        let viaJSON = try json(await ECSActions.call("DescribeDisks", ["RegionId": "cn-hangzhou", "DiskIds": #"["d-3"]"#], on: env.cloud))
        #expect(((viaJSON["Disks"] as? [String: Any])?["Disk"] as? [[String: Any]])?.first?["DiskId"] as? String == "d-3")
        #expect(await code { _ = try await ECSActions.call("DescribeDisks", ["RegionId": "r", "DiskIds": "d-3"], on: env.cloud) }
                == "InvalidParameter")

        let page = try json(await ECSActions.call("DescribeDisks", ["RegionId": "cn-hangzhou", "PageSize": "2", "PageNumber": "2"],
                                                  on: env.cloud))
        #expect(((page["Disks"] as? [String: Any])?["Disk"] as? [Any])?.count == 1, "three disks, pages of two")
        #expect(page["TotalCount"] as? Int == 3)
    }

    @Test func defaultsFillGapsButAreNeverRefused() async throws {
        let env = TestEnv()
        // AttachDisk takes no RegionId; the --region default must not make it fail.
        _ = try await ECSActions.call("AttachDisk", ["InstanceId": env.instanceId, "DiskId": "d-1"],
                                      defaults: ["RegionId": "cn-hangzhou"], on: env.cloud)
        let disks = try json(await ECSActions.call("DescribeDisks", [:], defaults: ["RegionId": "cn-hangzhou"], on: env.cloud))
        #expect(disks["TotalCount"] as? Int == 3)
    }

    @Test func tagsArriveInOrderWithTheirValues() async throws {
        let env = TestEnv()
        env.cloud.snapshots = [Snapshot(SnapshotId: "s-1", SnapshotName: "", SourceDiskId: "d-1", SourceDiskSize: 40,
                                        SourceDiskType: "Data", Status: "accomplished", Progress: "100%",
                                        SnapshotGroupId: "", CreationTime: "")]
        _ = try await ECSActions.call("TagResources", ["RegionId": "cn-hangzhou", "ResourceType": "snapshot", "ResourceId.1": "s-1",
                                                       "Tag.1.Key": "APPConsistent", "Tag.1.Value": "True",
                                                       "Tag.2.Key": "owner", "Tag.2.Value": "ops"], on: env.cloud)
        let tags = env.cloud.snapshots[0].Tags.Tag
        #expect(tags.contains(Tag("APPConsistent", "True")))
        #expect(tags.contains(Tag("owner", "ops")))
    }
}
