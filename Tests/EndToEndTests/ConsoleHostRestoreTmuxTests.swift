import Foundation
import Testing

/// On the host instance, as root: a group restored to a new disk through the console is
/// mounted where the operator typed, with the file written before the snapshot in it.
@Suite(.serialized) struct ConsoleHostRestoreTmuxTests {
    let console = ConsoleTmuxTests()

    @Test func restoreToANewDiskMountsItWhereAsked() throws {
        guard let host = try HostFixture.make("restoreToANewDiskMountsItWhereAsked") else { return }
        defer { host.destroy() }
        let app = host.app
        let disk = try host.addDisk()
        try "written before the snapshot\n".write(toFile: disk.mountPoint + "/data.txt", atomically: false, encoding: .utf8)
        _ = try shell("sync")
        let made = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": host.hostId,
                                                       "DiskId.1": disk.id, "Name": "HostRestore"])
        let gid = try #require(made.json["SnapshotGroupId"] as? String, "\(made.stderr)")
        let deadline = Date().addingTimeInterval(120)
        while try app.group(gid)["Status"] as? String != "accomplished", Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        try "written after the snapshot\n".write(toFile: disk.mountPoint + "/data.txt", atomically: false, encoding: .utf8)

        let target = "/mnt/appsnap-e2e-restore-\(UUID().uuidString.prefix(8))"
        var restored: String?
        defer {
            // The new disk goes before the fixture's own: unmounted, detached, its folder removed.
            if let id = restored { _ = try? app.run(["cloud", "host", "detach", id]) }
            rmdir(target)
        }
        guard let pane = try console.open(app, ["--region", "cn-hangzhou"]) else { return }
        defer { pane.kill() }
        try pane.waitFor(text: "[Instances]")
        pane.send("Tab")
        try pane.waitFor(text: gid)
        try console.filter(pane, "HostRestore")
        pane.send("t")
        let dialog = try pane.waitFor(text: "Restore HostRestore to new disks")
        #expect(dialog.contains("is this machine"), "the host is recognised:\n\(dialog)")
        pane.send("C-u")
        pane.type(target)
        try pane.waitFor(text: "[\(target)")
        pane.send("Tab")
        try pane.waitFor(text: "▶[ Restore ]")
        pane.send("Enter")
        let done = try pane.waitFor(text: "mounted at \(target)", timeout: 120)
        print("--- restore on the host (120x40) ---\n\(done)\n---")
        restored = TmuxPane.match(#"✔ d-[0-9a-z]+"#, in: done).map { String($0.dropFirst(2)) }
        #expect(restored != nil, "the new disk's ID is shown:\n\(done)")
        #expect(try String(contentsOfFile: target + "/data.txt", encoding: .utf8) == "written before the snapshot\n")
        #expect(try String(contentsOfFile: disk.mountPoint + "/data.txt", encoding: .utf8) == "written after the snapshot\n",
                "the original disk is untouched")
        pane.send("Enter")
        let end = try console.quit(pane)
        #expect(end.contains("EXITED:0"), "\(end)")
    }
}
