import Foundation
import Testing

/// Concurrency and crashes: one run at a time per instance, and a killed process never
/// leaves a corrupt database or a group progressing forever.
@Suite(.serialized) struct RobustnessTests {
    @Test func twoRunsOnOneInstanceExactlyOneProceeds() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-app-1")
        // A slow prescript keeps the first run busy while the second starts.
        try app.sendFile(id, name: "prescript.sh", content: "#!/bin/sh\nsleep 3\n")
        try app.sendFile(id, name: "postscript.sh", content: "#!/bin/sh\n")
        var invokes: [String] = []
        for n in ["first", "second"] {
            let r = try app.ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunShellScript",
                                               "CommandContent": linuxCommand(name: n), "InstanceId.1": id, "Timeout": "600"])
            invokes.append(try #require(r.json["InvokeId"] as? String, "\(r.stderr)"))
        }
        let results = try invokes.map { try app.waitFor($0) }
        let codes = results.compactMap { $0["ExitCode"] as? Int }.sorted()
        #expect(codes == [0, 16], "\(results.map { $0["Output"] as? String ?? "" })")
    }

    @Test func aKilledGroupWorkerIsTakenOverByWhoeverWaitsOnIt() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-app-1")
        // Real data on a disk, so the worker that checksums the snapshot has work to do.
        let disk = try #require(try app.disks(of: id).first?["DiskId"] as? String)
        let image = app.state.appendingPathComponent("pool/disks/\(disk).img")
        let h = try FileHandle(forWritingTo: image)
        for i in 0..<64 { try h.seek(toOffset: UInt64(i) << 22); h.write(Data(repeating: UInt8(i), count: 1 << 20)) }
        try h.close()

        let r = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": id, "Name": "killed"])
        let gid = try #require(r.json["SnapshotGroupId"] as? String, "\(r.stderr)")
        let killed = killOwnWorkers(matching: ["_finish-group", app.state.path])
        print("killed \(killed.count) group worker(s) of this test: \(killed)")

        // No other command: polling the group, as the plugin does, is enough to finish it.
        let deadline = Date().addingTimeInterval(60)
        var status = ""
        while Date() < deadline {
            status = try app.group(gid)["Status"] as? String ?? ""
            if status != "progressing" { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(status == "accomplished", "the images were whole, so the group finishes: it is \(status)")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        check.arguments = [app.state.appendingPathComponent("appsnap.sqlite").path, "PRAGMA integrity_check;"]
        let out = Pipe()
        check.standardOutput = out
        try check.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }
}

/// SIGKILLs the processes whose command line holds every one of `needles` (our own test's
/// state path among them, so only processes this test started are touched).
func killOwnWorkers(matching needles: [String]) -> [Int32] {
    var killed: [Int32] = []
    let procs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for p in procs {
        guard let pid = Int32(p), pid != getpid(),
              let raw = FileManager.default.contents(atPath: "/proc/\(p)/cmdline") else { continue }
        let cmd = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        if needles.allSatisfy({ cmd.contains($0) }) {
            kill(pid, SIGKILL)
            killed.append(pid)
        }
    }
    return killed
}

/// A plugin killed after its point in time was captured leaves a whole group without its
/// consistency tags: it must not pass for crash-consistent.
@Suite struct InterruptedRunTests {
    @Test func aPluginKilledAfterTheCaptureLeavesItsGroupMarkedInterrupted() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-app-1")
        try app.sendFile(id, name: "prescript.sh", content: "#!/bin/sh\necho pre\n")
        // A slow postscript holds the plugin after the capture, before it tags.
        try app.sendFile(id, name: "postscript.sh", content: "#!/bin/sh\nsleep 5\necho post\n")
        let name = "Interrupted\(UUID().uuidString.prefix(6))"
        let r = try app.ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunShellScript", "InstanceId.1": id,
                                           "CommandContent": linuxCommand(name: name)])
        let invoke = try #require(r.json["InvokeId"] as? String, "\(r.stderr)")
        // Wait for the group to be made, then kill the plugin (not its guardian: it has other words).
        var group: String?
        let deadline = Date().addingTimeInterval(60)
        while group == nil, Date() < deadline {
            let groups = try app.ecs("DescribeSnapshotGroups", ["RegionId": "cn-hangzhou", "InstanceId": id])
            let list = ((groups.json["SnapshotGroups"] as? [String: Any])?["SnapshotGroup"] as? [[String: Any]]) ?? []
            group = list.first { $0["Name"] as? String == name && $0["Status"] as? String == "accomplished" }?["SnapshotGroupId"] as? String
            if group == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let gid = try #require(group, "the group was not made")
        // The plugin and the in-instance relay that asked for it carry the same words; either
        // one's death ends the plugin (the agent ends what a gone relay asked for).
        let killed = killOwnWorkers(matching: ["plugin-manager", "--params", name])
        #expect(!killed.isEmpty, "the plugin was found and killed")
        let result = try app.waitFor(invoke)
        #expect(result["ExitCode"] as? Int != 0, "the run is not reported as a success: \(result)")
        let tags = try app.snapshotTags(group: gid)
        #expect(!tags.isEmpty)
        for (_, t) in tags {
            #expect(t["appsnap:consistency-reason"] == "interrupted", "\(t)")
            #expect(t["APPConsistent"] == nil && t["FsConsistent"] == nil)
        }
    }
}
