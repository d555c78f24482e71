import Foundation
import Testing

/// The host instance cannot be stopped, so its disk is rolled back while detached
/// (SPEC §14), then attached again with the snapshot's files.
@Suite(.serialized) struct HostRollbackTests {
    @Test func aHostDiskRollsBackWhileDetached() throws {
        guard let host = try HostFixture.make("aHostDiskRollsBackWhileDetached") else { return }
        defer { host.destroy() }
        let app = host.app
        let disk = try host.addDisk()
        let file = disk.mountPoint + "/data.txt"
        try "before the snapshot\n".write(toFile: file, atomically: false, encoding: .utf8)
        _ = try shell("sync")
        let made = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": host.hostId,
                                                       "DiskId.1": disk.id, "Name": "HostBefore"])
        let gid = try #require(made.json["SnapshotGroupId"] as? String, "\(made.stderr)")
        let deadline = Date().addingTimeInterval(120)
        while try app.group(gid)["Status"] as? String != "accomplished", Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        let snapshot = try #require(((app.group(gid)["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]])?.first?["SnapshotId"] as? String)
        try "after the snapshot\n".write(toFile: file, atomically: false, encoding: .utf8)
        _ = try shell("sync")

        let attached = try app.ecs("ResetDisk", ["DiskId": disk.id, "SnapshotId": snapshot])
        #expect(attached.status == 1)
        #expect(attached.errorJSON["Code"] as? String == "IncorrectDiskStatus", "\(attached.stderr)")
        let stop = try app.ecs("StopInstance", ["InstanceId": host.hostId])
        #expect(stop.errorJSON["Code"] as? String == "OperationDenied.HostInstance")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "after the snapshot\n", "a refusal changes nothing")

        try app.check(["cloud", "host", "detach", disk.id])
        let reset = try app.ecs("ResetDisk", ["DiskId": disk.id, "SnapshotId": snapshot])
        #expect(reset.status == 0, "\(reset.stderr)")
        let back = try host.attach(disk.id)
        #expect(try String(contentsOfFile: back.mountPoint + "/data.txt", encoding: .utf8) == "before the snapshot\n")
    }
}
