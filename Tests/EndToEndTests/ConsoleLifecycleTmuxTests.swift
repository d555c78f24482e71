import AppSnapCore
import Foundation
import Testing

/// The operator's lifecycle in the real console under tmux, from a fresh demo state: an
/// app-consistent group on linux-db-1, a marker written into one of its disks, the instance
/// rolled back through the console (stopped and started there), then two marked groups
/// deleted through the confirm dialog.
@Suite(.serialized) struct ConsoleLifecycleTmuxTests {
    let console = ConsoleTmuxTests()

    @Test func rollBackThenDeleteTwoMarkedGroups() throws {
        let app = try AppSnapBinary()
        let instance = try app.instanceId(named: "linux-db-1")
        try app.sendFile(instance, name: "prescript.sh", content: ConsoleTmuxTests.prescript)
        try app.sendFile(instance, name: "postscript.sh", content: ConsoleTmuxTests.postscript)
        guard let pane = try console.open(app, ["--region", "cn-hangzhou"]) else { return }
        defer { pane.kill() }
        try pane.waitFor(text: "linux-db-1")

        // 1. An app-consistent group; the cloud_ssd disk is shown ineligible and left out.
        try console.filter(pane, "linux-db-1")
        pane.send("c")
        try pane.waitFor(text: "linux-db-1 (\(instance))")
        let dialog = try pane.waitFor(text: "cloud_ssd")
        #expect(dialog.contains("[-]"), "the cloud_ssd disk cannot be picked:\n\(dialog)")
        try console.focus(pane, on: "Name")
        pane.type("E2ERollback")
        try pane.waitFor(text: "E2ERollback")
        try console.focus(pane, on: "Enable Application-consistent Snapshot")
        pane.send("Space")
        try pane.waitFor(text: "[x] Enable Application-consistent Snapshot")
        try console.focus(pane, on: "▶[ OK ]")
        pane.send("Enter")
        try pane.waitFor(text: "Exit code 0: \(ExitCode.meaning(of: 0))", timeout: 120)
        let tagged = try pane.waitFor("the group accomplished", timeout: 60) { $0.contains("APPConsistent:True") && $0.contains("accomplished") }
        let gid = try #require(TmuxPane.match(#"ssg-[0-9a-z]+"#, in: tagged))
        let snaps = ((try app.group(gid)["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]]) ?? []
        let ssd = try app.disks(of: instance).first { $0["Category"] as? String == "cloud_ssd" }?["DiskId"] as? String
        #expect(!snaps.isEmpty)
        #expect(!snaps.contains { $0["SourceDiskId"] as? String == ssd }, "the cloud_ssd disk is not in the group")

        // 2. A marker written straight into a data disk's image after the snapshot.
        // The smallest disk of the group: its images are sparse, but still read in part.
        let data = try #require(snaps.min { ($0["SourceDiskSize"] as? Int ?? 0) < ($1["SourceDiskSize"] as? Int ?? 0) })
        let diskId = try #require(data["SourceDiskId"] as? String)
        let snapshotId = try #require(data["SnapshotId"] as? String)
        let image = app.image(diskId)
        let snapImage = app.state.appendingPathComponent("pool/snapshots/\(snapshotId).img")
        let marker = Data("appsnap-e2e-marker-after-the-snapshot".utf8)
        let h = try FileHandle(forWritingTo: image)
        try h.seek(toOffset: 4096)
        h.write(marker)
        try h.close()
        #expect(try head(image) != head(snapImage), "the marker changed the disk")

        // 3. Roll back through the console: the groups list, the group, b.
        pane.send("Escape")
        try pane.waitFor(text: "[Instances]")
        pane.send("Escape")                               // clears the filter
        pane.send("Tab")
        try pane.waitFor(text: "[Snapshot-consistent Groups]")
        try pane.waitFor(text: gid)
        try console.filter(pane, "E2ERollback")
        pane.send("b")
        try pane.waitFor(text: "Roll back linux-db-1 to E2ERollback")
        let check = try pane.waitFor(text: "DryRun ! ResetDisks: IncorrectInstanceStatus now; it is stopped first")
        #expect(check.contains("DryRun ✔ StopInstance"), "\(check)")
        #expect(check.contains("\(diskId)") && check.contains(snapshotId), "each disk and its snapshot are listed:\n\(check)")
        #expect(check.contains("[x] Stop the instance first") && check.contains("[x] Start it again after"))
        // The focus starts on "stop first"; two Tabs reach the confirmation box.
        pane.send("Tab")
        pane.send("Tab")
        pane.type("E2ERollback")
        try pane.waitFor(text: "[E2ERollback")
        pane.send("Tab")
        try pane.waitFor(text: "▶[ Roll back ]")
        pane.send("Enter")
        let done = try pane.waitFor(text: "linux-db-1 is back at E2ERollback", timeout: 120)
        print("--- roll back done (120x40) ---\n\(done)\n---")
        #expect(done.contains("✔ StopInstance linux-db-1") && done.contains("✔ StartInstance linux-db-1"), "\(done)")
        #expect(done.contains("\(diskId)") && done.contains("✔ rolled back"))

        // 4. The marker is gone: the disk's bytes are the snapshot's; the instance runs again.
        #expect(try head(image) == head(snapImage), "the disk's first 16 MiB, the marker's place included, equal its snapshot's")
        #expect(try size(image) == size(snapImage), "and so does its size")
        let status = try app.ecs("DescribeInstances", ["RegionId": "cn-hangzhou", "InstanceIds": "[\"\(instance)\"]"])
        #expect(status.stdout.contains("\"Running\""), "started again: \(status.stdout)")
        pane.send("Enter")                                // closes the dialog

        // 5. Two more groups made from the command line appear by themselves (live list);
        //    marked, they go through the confirm dialog, which starts on Cancel.
        var made: [String] = []
        for name in ["E2EDelOne", "E2EDelTwo"] {
            let r = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": instance, "Name": name,
                                                        "ExcludeDiskId.1": ssd ?? ""])
            made.append(try #require(r.json["SnapshotGroupId"] as? String, "\(r.stderr)"))
        }
        pane.send("Escape")                               // clears the filter
        try console.filter(pane, "E2EDel")
        try pane.waitFor("both new groups, without pressing r", timeout: 30) { $0.contains(made[0]) && $0.contains(made[1]) }
        pane.send("g")
        pane.send("Space")
        pane.send("Space")
        try pane.waitFor(text: "2 marked")
        pane.send("C-d")
        let confirm = try pane.waitFor(text: "Delete 2 Snapshot-consistent Groups")
        #expect(confirm.contains(made[0]) && confirm.contains(made[1]), "it names what goes:\n\(confirm)")
        #expect(confirm.contains("▶[ Cancel ]"), "Cancel has the focus first:\n\(confirm)")
        pane.send("Left")
        try pane.waitFor(text: "▶[ Delete ]")
        pane.send("Enter")
        try pane.waitFor(text: "deleted 2 groups")
        for id in made {
            let r = try app.ecs("DescribeSnapshotGroups", ["RegionId": "cn-hangzhou", "SnapshotGroupId.1": id])
            #expect(!r.stdout.contains(id), "\(id) is gone from DescribeSnapshotGroups: \(r.stdout)")
        }
        #expect(try app.group(gid)["SnapshotGroupId"] as? String == gid, "the rolled-back group stays")
        let end = try console.quit(pane)
        #expect(end.contains("EXITED:0"), "\(end)")
    }

    /// The first 16 MiB of an image (disk images are sparse files of many GiB).
    func head(_ url: URL) throws -> Data {
        let h = try FileHandle(forReadingFrom: url)
        defer { try? h.close() }
        return try h.read(upToCount: 16 << 20) ?? Data()
    }

    func size(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? -1
    }
}
