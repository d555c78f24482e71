import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An emulated instance is a faithful model of an ECS instance: its commands see only the
/// instance and reach the cloud only as the instance, with its own role. Every case runs
/// as root and as an unprivileged user (`nobody`, when the tests run as root), with the
/// state folder under /tmp and elsewhere: the first thing a newcomer does is `make run`
/// as themselves.
@Suite struct InstanceIsolationTests {
    enum Who: String, CaseIterable { case root, unprivileged }

    static let cases: [(Who, String)] = Who.allCases.flatMap { who in ["/tmp", "/var/tmp"].map { (who, $0) } }

    /// The cloud as `who`, or nil (with the reason printed) where this machine cannot be that.
    func cloud(_ who: Who, _ parent: String, test: String = #function) throws -> AppSnapBinary? {
        switch who {
        case .root:
            guard geteuid() == 0 else { print("skipped \(test) as root: the tests do not run as root"); return nil }
            return try AppSnapBinary(stateParent: parent)
        case .unprivileged:
            // Run as ourselves when we are not root; as root, become nobody.
            return try AppSnapBinary(stateParent: parent, user: geteuid() == 0 ? "nobody" : nil)
        }
    }

    func output(_ r: [String: Any]) -> String { r["Output"] as? String ?? "" }

    @Test(arguments: cases)
    func aSeedRunIsApplicationConsistent(_ who: Who, _ parent: String) throws {
        guard let app = try cloud(who, parent) else { return }
        let id = try app.instanceId(named: "linux-app-1")
        try app.sendFile(id, name: "prescript.sh", content: "#!/bin/sh\necho prescript as $(id -u)\n")
        try app.sendFile(id, name: "postscript.sh", content: "#!/bin/sh\necho postscript\n")
        let r = try app.runAndWait(id, linuxCommand())
        #expect(r["ExitCode"] as? Int == 0, "\(output(r))")
        #expect(output(r).contains("prescript.sh: prescript as 0"), "scripts run as the instance's root: \(output(r))")
        let group = try #require(groupId(in: output(r)), "\(output(r))")
        let tags = try app.snapshotTags(group: group)
        #expect(!tags.isEmpty && tags.values.allSatisfy { $0["APPConsistent"] == "True" }, "\(tags)")
    }

    @Test(arguments: cases)
    func aForgedInstanceIdSpeaksForNobodyElse(_ who: Who, _ parent: String) throws {
        guard let app = try cloud(who, parent) else { return }
        let ready = try app.instanceId(named: "linux-app-1"), norole = try app.instanceId(named: "linux-norole-1")
        let r = try app.runAndWait(norole, "APPSNAP_INSTANCE_ID=\(ready) APPSNAP_STATE=\(app.state.path) " + linuxCommand(scripts: false))
        #expect(r["ExitCode"] as? Int == 13, "the run is linux-norole-1's, which has no role: \(output(r))")
        #expect(output(r).contains(norole) && !output(r).contains("on instance \(ready)"), "\(output(r))")
        let groups = try app.ecs("DescribeSnapshotGroups", ["RegionId": "cn-hangzhou", "InstanceId": ready])
        #expect(!groups.stdout.contains("ssg-"), "nothing was made on linux-app-1: \(groups.stdout)")
    }

    @Test(arguments: cases)
    func anInstanceWithoutARoleCannotDeleteAnothersGroup(_ who: Who, _ parent: String) throws {
        guard let app = try cloud(who, parent) else { return }
        let ready = try app.instanceId(named: "linux-app-1"), norole = try app.instanceId(named: "linux-norole-1")
        let made = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": ready, "Name": "keepme"])
        let group = try #require(made.json["SnapshotGroupId"] as? String, "\(made.stderr)")
        let r = try app.runAndWait(norole, "appsnap ecs DeleteSnapshotGroup --RegionId cn-hangzhou --SnapshotGroupId \(group)")
        #expect(r["ExitCode"] as? Int == 1, "\(output(r))")
        #expect(output(r).contains("Forbidden.RAM"), "\(output(r))")
        #expect(try app.group(group)["Name"] as? String == "keepme", "the group is still there")
        // The state cannot be named from inside either.
        let named = try app.runAndWait(norole, "appsnap ecs DescribeRegions --state /")
        #expect(output(named).contains("cannot be chosen from inside an instance"), "\(output(named))")
    }

    @Test(arguments: cases)
    func theStateAndTheHostAreOutOfReach(_ who: Who, _ parent: String) throws {
        guard let app = try cloud(who, parent) else { return }
        let id = try app.instanceId(named: "linux-app-1")
        let db = app.state.appendingPathComponent("appsnap.sqlite").path
        let mark = "appsnap-isolation-\(UUID().uuidString.prefix(8))"
        defer { unlink("/tmp/" + mark); unlink("/root/" + mark) }
        let r = try app.runAndWait(id, """
            [ -e \(app.state.path) ] && echo SEES-STATE
            head -c 16 \(db) 2>/dev/null; (echo x >> \(db)) 2>/dev/null && echo WROTE-DB
            ls /proc | grep -c '^[0-9]' | sed 's/^/processes: /'
            echo here > /tmp/\(mark) && echo here > /root/\(mark) && echo wrote
            """)
        let out = output(r)
        #expect(!out.contains("SEES-STATE") && !out.contains("SQLite format") && !out.contains("WROTE-DB"), "\(out)")
        #expect(out.contains("wrote"), "\(out)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/" + mark), "the host's /tmp is untouched")
        #expect(!FileManager.default.fileExists(atPath: "/root/" + mark), "the host's /root is untouched")
        let processes = out.split(separator: "\n").first { $0.hasPrefix("processes: ") }.flatMap { Int($0.dropFirst(11)) } ?? 99
        #expect(processes < 10, "only the command's own processes are visible: \(out)")
        let status = try app.run(["cloud", "status"])
        #expect(status.status == 0 && status.stdout.contains("instances        12"), "the database is intact: \(status.stderr)")
    }

    @Test(arguments: cases)
    func windowsShellTricksAreRefused(_ who: Who, _ parent: String) throws {
        guard let app = try cloud(who, parent) else { return }
        let win = try app.instanceId(named: "win-sql-1")
        let mark = "/tmp/appsnap-win-\(UUID().uuidString.prefix(8))"
        for trick in ["; touch \(mark)", " && touch \(mark)", " $(touch \(mark))"] {
            let r = try app.ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunBatScript", "InstanceId.1": win,
                                               "CommandContent": windowsCommand(writers: true) + trick])
            #expect(r.status == 1)
            #expect(r.errorJSON["Code"] as? String == "InvalidCommandContent.NotPluginLine", "\(trick): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: mark))
        let r = try app.runAndWait(win, windowsCommand(writers: true), type: "RunBatScript")
        #expect(r["ExitCode"] as? Int == 0, "the plugin line itself still runs: \(output(r))")
    }
}
