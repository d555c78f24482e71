import Foundation
import Testing

/// The foundation's "done when": the seed's command lines, run through RunCommand on a
/// fresh embedded cloud by the real binary, as an operator would.
@Suite(.serialized) struct SeedRunTests {
    /// Verbatim from the vendor's page.
    static let seedLinux = #"acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-TimeoutInSeconds=30,-PreScriptPath=\"/tmp/prescript.sh\",-PostScriptPath=\"/tmp/postscript.sh\",-ExcludeDiskId=\"\",-Name=\"LinuxApp1\",-Description=\"LinuxApp\""#
    static let seedWindows = #"acs-plugin-manager --exec --plugin app-snapshot-plugin-win --params=-RamRoleName=\"AppSnapshotRoleName\",-EnableWriters=true,-ExcludeDiskId=\"\",-Name=\"APPSnapshot-1\",-Description=\"AppSnapshot\""#

    @Test func seedLinuxLineWithoutScriptsGivesFsConsistent() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-app-1")
        let result = try app.runAndWait(id, Self.seedLinux)
        let output = result["Output"] as? String ?? ""
        #expect(result["InvocationStatus"] as? String == "Success", "\(output)")
        #expect(result["ExitCode"] as? Int == 0)
        for line in ["Prepare to Thaw FileSystem or Applications", "Thaw Write Request Done",
                     "Tag snapshots with FsConsistent", "Take FsConsistent snapshots successfully",
                     "Prepare Freeze=", "TotalCost=", "QueryCost="] {
            #expect(output.contains(line), "missing \(line) in:\n\(output)")
        }
        #expect(output.contains(#"[level="info"][time=""#))
        let gid = try #require(groupId(in: output))
        let tags = try app.snapshotTags(group: gid)
        #expect(tags.count == 3, "linux-app-1 has three ESSD disks")
        for (sid, t) in tags {
            #expect(t["FsConsistent"] == "True", "\(sid): \(t)")
            #expect(t["APPConsistent"] == nil)
            #expect(t["appsnap:freeze-ms"] != nil)
            #expect(t["appsnap:consistency-reason"] != nil)
        }
    }

    @Test func validScriptsGiveAppConsistentAndTheirOutputShows() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-app-1")
        try app.sendFile(id, name: "prescript.sh", content: "#!/bin/sh\necho pausing-writes-for-test\n")
        try app.sendFile(id, name: "postscript.sh", content: "#!/bin/sh\necho resuming-writes-for-test\n")
        let result = try app.runAndWait(id, Self.seedLinux)
        let output = result["Output"] as? String ?? ""
        #expect(result["ExitCode"] as? Int == 0, "\(output)")
        #expect(output.contains("pausing-writes-for-test"))
        #expect(output.contains("resuming-writes-for-test"))
        #expect(output.contains("Take AppConsistent snapshots successfully"))
        let gid = try #require(groupId(in: output))
        let tags = try app.snapshotTags(group: gid)
        #expect(!tags.isEmpty)
        for (_, t) in tags {
            #expect(t["APPConsistent"] == "True")
            #expect(t["FsConsistent"] == nil)
        }
    }

    @Test func windowsWritersDecideTheTag() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "win-sql-1")
        for (writers, key) in [(true, "APPConsistent"), (false, "FsConsistent")] {
            let result = try app.runAndWait(id, windowsCommand(writers: writers), type: "RunPowerShellScript")
            let output = result["Output"] as? String ?? ""
            #expect(result["ExitCode"] as? Int == 0, "\(output)")
            let gid = try #require(groupId(in: output))
            for (_, t) in try app.snapshotTags(group: gid) { #expect(t[key] == "True", "EnableWriters=\(writers): \(t)") }
        }
    }

    @Test func aShellTypeOnWindowsIsRefused() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "win-sql-1")
        let r = try app.ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunShellScript",
                                           "CommandContent": Self.seedWindows, "InstanceId.1": id])
        #expect(r.status == 1)
        #expect((r.errorJSON["Code"] as? String ?? "").hasPrefix("InvalidParameter"), "\(r.stderr)")
    }
}
