import AppSnapCore
import Foundation
import GRDB
import Testing
@testable import EmbeddedCloud

/// The store's own rules, in memory: no state folder, no images.
@Suite struct CloudStoreTests {
    private func seeded() throws -> CloudStore {
        let store = try CloudStore.inMemory()
        try store.writer.write { db in
            try RegionRecord(regionId: "cn-hangzhou", localName: "Hangzhou", endpoint: "", defaultZoneId: "cn-hangzhou-h").insert(db)
            try InstanceRecord(instanceId: "i-1", instanceName: "one", regionId: "cn-hangzhou", zoneId: "cn-hangzhou-h",
                               status: "Running", osType: "linux", osName: "Ubuntu 22.04", instanceType: "t", creationTime: "",
                               assistantInstalled: true, assistantVersion: "", ramRoleName: nil).insert(db)
            try SnapshotGroupRecord(snapshotGroupId: "ssg-1", regionId: "cn-hangzhou", instanceId: "i-1", name: "g",
                                    description: "", status: SnapshotStatus.progressing, creationTime: "").insert(db)
            for (id, status) in [("s-1", SnapshotStatus.progressing), ("s-2", SnapshotStatus.accomplished)] {
                try SnapshotRecord(snapshotId: id, regionId: "cn-hangzhou", snapshotName: "g", sourceDiskId: "d-\(id)",
                                   sourceDiskSize: 1, sourceDiskType: "data", instanceId: "i-1", status: status, progress: 0,
                                   snapshotType: "user", snapshotGroupId: "ssg-1", creationTime: "").insert(db)
            }
        }
        return store
    }

    private func statuses(_ store: CloudStore) throws -> [String] {
        try store.writer.read { db in
            try [String.fetchOne(db, sql: "SELECT status FROM snapshotGroup")!]
                + String.fetchAll(db, sql: "SELECT status FROM snapshot ORDER BY snapshotId")
        }
    }

    @Test func aFailedGroupTakesItsUnfinishedSnapshotsAlong() throws {
        let store = try seeded()
        try store.writer.write { try CloudStore.failGroup($0, "ssg-1") }
        #expect(try statuses(store) == ["failed", "failed", "accomplished"], "a finished snapshot keeps its status")
    }

    @Test func anAccomplishedGroupFinishesItsSnapshots() throws {
        let store = try seeded()
        try store.writer.write { try CloudStore.accomplishGroup($0, "ssg-1") }
        #expect(try statuses(store) == ["accomplished", "accomplished", "accomplished"])
        let progress = try store.writer.read { try Int.fetchOne($0, sql: "SELECT progress FROM snapshot WHERE snapshotId = 's-1'") }
        #expect(progress == 100)
        // A failed group stays failed: accomplishing applies only to a progressing one.
        try store.writer.write { try CloudStore.failGroup($0, "ssg-1") }
        try store.writer.write { try CloudStore.accomplishGroup($0, "ssg-1") }
        #expect(try statuses(store).first == "failed")
    }

    @Test func theRequestsCompose() throws {
        let store = try seeded()
        let found = try store.writer.read { db in
            try SnapshotGroupRecord.all().inRegion("cn-hangzhou").ofInstance("i-1").progressing().fetchCount(db)
        }
        #expect(found == 1)
        let none = try store.writer.read { db in try SnapshotGroupRecord.all().inRegion("cn-shanghai").fetchCount(db) }
        #expect(none == 0)
    }

    /// One rule for a group's name, whichever door it comes in by.
    @Test func modifySnapshotGroupCountsCodePointsLikeCreate() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let gid = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Nightly"))
        let heavy = "ab" + String(repeating: "\u{0301}", count: 20_000)
        #expect(await ecsCode { _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: heavy)) }
                == "InvalidName.Malformed")
        #expect(await ecsCode { try await t.cloud.modifySnapshotGroup(regionId: hz, snapshotGroupId: gid, name: heavy, description: nil) }
                == "InvalidName.Malformed")
        #expect(await ecsCode { try await t.cloud.modifySnapshotGroup(regionId: hz, snapshotGroupId: gid, name: "Evil\u{202E}txt", description: nil) }
                == "InvalidName.Malformed")
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: nil, snapshotGroupIds: [gid])[0].Name == "Nightly")
    }
}
