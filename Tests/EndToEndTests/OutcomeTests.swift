import Foundation
import Testing

/// The rows of SPEC §5 an emulated Linux instance can produce, through RunCommand.
@Suite(.serialized) struct OutcomeTests {
    func run(pre: String?, post: String?, mode: String = "0700", command: String = linuxCommand())
        throws -> (code: Int?, output: String, tags: [String: [String: String]]) {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-app-1")
        if let pre { try app.sendFile(id, name: "prescript.sh", content: pre, mode: mode) }
        if let post { try app.sendFile(id, name: "postscript.sh", content: post, mode: mode) }
        let r = try app.runAndWait(id, command)
        let output = r["Output"] as? String ?? ""
        let tags = try groupId(in: output).map { try app.snapshotTags(group: $0) } ?? [:]
        return (r["ExitCode"] as? Int, output, tags)
    }

    @Test func prescriptFailureGives9AndFsConsistent() throws {
        let r = try run(pre: "#!/bin/sh\necho cannot-lock-tables\nexit 4\n", post: "#!/bin/sh\necho post-ran\n")
        #expect(r.code == 9, "\(r.output)")
        #expect(r.output.contains("post-ran"), "postscript runs once prescript was started")
        #expect(!r.tags.isEmpty)
        for (_, t) in r.tags {
            #expect(t["FsConsistent"] == "True")
            #expect(t["appsnap:consistency-reason"] == "prescript-exit-4")
        }
    }

    @Test func postscriptFailureGives10AndKeepsAppConsistent() throws {
        let r = try run(pre: "#!/bin/sh\nexit 0\n", post: "#!/bin/sh\nexit 1\n")
        #expect(r.code == 10, "\(r.output)")
        for (_, t) in r.tags { #expect(t["APPConsistent"] == "True") }
    }

    @Test func scriptsWithoutFreezeStillAppConsistent() throws {
        let r = try run(pre: "#!/bin/sh\n", post: "#!/bin/sh\n", command: linuxCommand(freeze: false))
        #expect(r.code == 0, "\(r.output)")
        for (_, t) in r.tags { #expect(t["APPConsistent"] == "True") }
    }

    @Test func noScriptsNoFreezeIsCrashConsistent() throws {
        let r = try run(pre: nil, post: nil, command: linuxCommand(scripts: false, freeze: false))
        #expect(r.code == 0, "\(r.output)")
        #expect(!r.tags.isEmpty)
        for (_, t) in r.tags {
            #expect(t["APPConsistent"] == nil)
            #expect(t["FsConsistent"] == nil)
        }
    }

    @Test func scriptWithWrongModeNeverRunsAndGivesFsConsistent() throws {
        let r = try run(pre: "#!/bin/sh\necho should-not-run\n", post: "#!/bin/sh\necho should-not-run\n", mode: "0755")
        #expect(r.code == 0, "\(r.output)")
        #expect(!r.output.contains("should-not-run"))
        for (_, t) in r.tags {
            #expect(t["FsConsistent"] == "True")
            #expect(t["appsnap:consistency-reason"] == "script-mode-0755")
        }
    }

    @Test func aPostscriptSwappedWhilePrescriptRunsNeverRunsAndGivesFsConsistent() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-app-1")
        // The intruder is a valid script too (root, 0700): only the swap gives it away.
        try app.sendFile(id, name: "intruder.sh", content: "#!/bin/sh\necho INTRUDER-RAN\n")
        try app.sendFile(id, name: "prescript.sh", content: "#!/bin/sh\nmv \"${TMPDIR:-/tmp}/intruder.sh\" \"${TMPDIR:-/tmp}/postscript.sh\"\necho swapped\n")
        try app.sendFile(id, name: "postscript.sh", content: "#!/bin/sh\necho checked-postscript-ran\n")
        let r = try app.runAndWait(id, linuxCommand())
        let output = r["Output"] as? String ?? ""
        #expect(r["ExitCode"] as? Int == 0, "\(output)")
        #expect(output.contains("prescript.sh: swapped"))
        #expect(output.contains("checked-postscript-ran"), "the application still resumes, with the checked file")
        #expect(!output.contains("INTRUDER-RAN"))
        let gid = try #require(groupId(in: output))
        let tags = try app.snapshotTags(group: gid)
        #expect(!tags.isEmpty)
        for (_, t) in tags {
            #expect(t["FsConsistent"] == "True")
            #expect(t["APPConsistent"] == nil)
            #expect(t["appsnap:consistency-reason"] == "script-changed")
        }
    }
}
