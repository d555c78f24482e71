import Foundation
import Glibc
import Testing

/// The host instance end to end (the issue's tests): the real binary, real loop disks
/// with ext4 and XFS, real FIFREEZE, the real /tmp scripts. Root only; serialized because
/// /tmp/prescript.sh is one file for the whole machine.
@Suite(.serialized) struct HostInstanceTests {
    func tags(_ app: AppSnapBinary, _ result: [String: Any]) throws -> [String: String] {
        let out = result["Output"] as? String ?? ""
        guard let g = groupId(in: out) else { throw E2EError("no group in the output: \(out)") }
        let all = try app.snapshotTags(group: g)
        #expect(!all.isEmpty)
        return all.values.first ?? [:]
    }

    @Test func aRestoredSnapshotHoldsExactlyTheDataOfItsPointInTime() throws {
        guard let host = try HostFixture.make("restore") else { return }
        defer { host.destroy() }
        let disk = try host.addDisk(fs: "ext4")
        let xfs = try host.addDisk(fs: "xfs")
        var known = [UInt8](repeating: 0, count: 3 << 20)
        for i in known.indices { known[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 7) }
        try Data(known).write(to: URL(fileURLWithPath: disk.mountPoint + "/known.bin"))
        try Data(known.reversed()).write(to: URL(fileURLWithPath: xfs.mountPoint + "/known.bin"))

        let result = try host.app.waitFor(try host.startPlugin(linuxCommand(name: "HostRestore", scripts: false)))
        #expect(result["ExitCode"] as? Int == 0, "\(result["Output"] ?? "")")
        let out = result["Output"] as? String ?? ""
        #expect(try tags(host.app, result)["FsConsistent"] == "True")
        // Overwritten after the snapshot: the restored disk must not see this.
        try Data(repeating: 0xEE, count: 3 << 20).write(to: URL(fileURLWithPath: disk.mountPoint + "/known.bin"))
        try Data(repeating: 0xDD, count: 3 << 20).write(to: URL(fileURLWithPath: xfs.mountPoint + "/known.bin"))

        let group = try host.app.group(groupId(in: out)!)
        let snaps = ((group["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]]) ?? []
        for (source, expected) in [(disk.id, known), (xfs.id, Array(known.reversed()))] {
            let sid = try #require(snaps.first { $0["SourceDiskId"] as? String == source }?["SnapshotId"] as? String)
            let made = try host.app.check(["ecs", "CreateDisk", "--RegionId", "cn-hangzhou", "--SnapshotId", sid, "--DiskName", "restored"])
            let newDisk = try #require(made.json["DiskId"] as? String)
            let restored = try host.attach(newDisk)
            let data = try Data(contentsOf: URL(fileURLWithPath: restored.mountPoint + "/known.bin"))
            #expect(data == Data(expected), "restored \(source) from \(sid) differs")
        }
    }

    @Test func scriptsInTheRealTmpMakeItApplicationConsistent() throws {
        guard let host = try HostFixture.make("app-consistent"), let scripts = HostScripts("app-consistent") else { return }
        defer { scripts.remove(); host.destroy() }
        try host.addDisk()
        try scripts.writeValid()
        let result = try host.app.waitFor(try host.startPlugin(linuxCommand(name: "HostApp")))
        #expect(result["ExitCode"] as? Int == 0, "\(result["Output"] ?? "")")
        let t = try tags(host.app, result)
        #expect(t["APPConsistent"] == "True")
        #expect(t["appsnap:consistency-reason"] == nil)
        #expect(Int(t["appsnap:freeze-ms"] ?? "") != nil)
        #expect(scripts.markerLines == ["pre", "post"])
        #expect((result["Output"] as? String ?? "").contains("prescript.sh: prescript done"))
    }

    @Test(arguments: ["symlink", "owner", "0755", "0750", "0600", "directory", "fifo"])
    func aScriptBreakingARuleNeverRunsAndTheRunIsFileSystemConsistent(_ kind: String) throws {
        guard let host = try HostFixture.make("script rule \(kind)"), let scripts = HostScripts("script rule \(kind)") else { return }
        defer { scripts.remove(); host.destroy() }
        try host.addDisk()
        try scripts.writeValid()
        let body = "#!/bin/sh\necho bad >> \(scripts.marker)\n"
        let expected: String
        switch kind {
        case "symlink":
            // A root-owned 0700 script elsewhere, reached through a link.
            let real = "/var/tmp/appsnap-hosttest-real-\(UUID().uuidString.prefix(8)).sh"
            FileManager.default.createFile(atPath: real, contents: Data(body.utf8))
            chmod(real, 0o700)
            defer { unlink(real) }
            try scripts.make(HostScripts.pre) { symlink(real, $0) }
            expected = "script-symlink"
        case "owner":
            try scripts.write(HostScripts.pre, body, mode: 0o700)
            chown(HostScripts.pre, 65534, 65534)
            expected = "script-owner-uid-65534"
        case "directory":
            try scripts.make(HostScripts.pre) { mkdir($0, 0o700) }
            expected = "script-not-regular-file"
        case "fifo":
            try scripts.make(HostScripts.pre) { mkfifo($0, 0o700) }
            expected = "script-not-regular-file"
        default:
            try scripts.write(HostScripts.pre, body, mode: mode_t(kind, radix: 8)!)
            expected = "script-mode-\(kind)"
        }
        let result = try host.app.waitFor(try host.startPlugin(linuxCommand(name: "HostRule")))
        #expect(result["ExitCode"] as? Int == 0, "\(result["Output"] ?? "")")
        let t = try tags(host.app, result)
        #expect(t["FsConsistent"] == "True")
        #expect(t["appsnap:consistency-reason"] == expected)
        #expect(scripts.markerLines.isEmpty, "no script may run: \(scripts.markerLines)")
    }

    /// Polls the phase file until the run reaches one of `phases` (or a later one); then
    /// `act` gets the phase seen and the plugin's PID.
    func whenPhase(_ host: HostFixture, _ phases: [String], within seconds: Double = 60,
                   _ act: (String, pid_t) -> Void) throws {
        let order = ["prescript", "after-prescript", "freezing", "frozen", "clone", "captured", "thawed", "postscript", "after-postscript", "done"]
        let first = phases.compactMap { order.firstIndex(of: $0) }.min()!
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let (p, pid) = host.phase(), let i = order.firstIndex(of: p), i >= first, p != "done" {
                act(p, pid)
                return
            }
            usleep(500)
        }
        throw E2EError("the run never reached \(phases)")
    }

    /// Enough fresh data that copying the images (no reflink on this pool) takes a moment.
    func fill(_ mountPoint: String, mib: Int) throws {
        try shell("dd if=/dev/urandom of='\(mountPoint)/bulk' bs=1M count=\(mib) status=none conv=fsync")
    }

    @Test func whileFrozenAWriterToAChosenDiskBlocksAndOneToAnotherFileSystemDoesNot() throws {
        guard let host = try HostFixture.make("writer blocks") else { return }
        defer { host.destroy() }
        let disk = try host.addDisk(sizeGiB: 2)
        try fill(disk.mountPoint, mib: 700)
        let other = host.app.state.appendingPathComponent("other-fs-write").path
        let invoke = try host.startPlugin(linuxCommand(name: "HostWriters", scripts: false))
        var blocked: Process?, free: Process?
        var sawBlocked = false, freeDoneWhileFrozen = false
        try whenPhase(host, ["clone"]) { _, _ in
            blocked = try? Process.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "echo written > '\(disk.mountPoint)/during-freeze'"])
            free = try? Process.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "echo written > '\(other)'"])
            let until = Date().addingTimeInterval(20)
            while Date() < until, host.phase()?.0 == "clone" {
                if let b = blocked, b.isRunning, isInKernelSleep(b.processIdentifier) { sawBlocked = true }
                if let f = free, !f.isRunning { freeDoneWhileFrozen = host.phase()?.0 == "clone" || freeDoneWhileFrozen }
                if sawBlocked && freeDoneWhileFrozen { break }
                usleep(2000)
            }
        }
        let result = try host.app.waitFor(invoke)
        #expect(result["ExitCode"] as? Int == 0, "\(result["Output"] ?? "")")
        #expect(sawBlocked, "the writer to the frozen disk never blocked while the clone ran")
        #expect(freeDoneWhileFrozen, "the writer to another file system did not finish while frozen")
        blocked?.waitUntilExit()
        #expect(blocked?.terminationStatus == 0)
        #expect((try? String(contentsOfFile: disk.mountPoint + "/during-freeze", encoding: .utf8)) == "written\n")
        unlink(other)
    }

    @Test func killingTheFreezerMidRunThawsAtOnceAndExits11() throws {
        guard let host = try HostFixture.make("freezer killed") else { return }
        defer { host.destroy() }
        let disk = try host.addDisk(sizeGiB: 2)
        try fill(disk.mountPoint, mib: 700)
        let invoke = try host.startPlugin(linuxCommand(name: "HostFreezerKill", scripts: false))
        var killed = false
        try whenPhase(host, ["clone"]) { _, plugin in
            for child in descendants(of: plugin) where commandLine(child).contains("_freezer") {
                killed = kill(child, SIGKILL) == 0
            }
        }
        #expect(killed, "no freezer child was found to kill")
        let result = try host.app.waitFor(invoke)
        #expect(result["ExitCode"] as? Int == 11, "\(result["Output"] ?? "")")
        #expect(writable(disk.mountPoint))
        #expect(try host.app.run(["thaw", "--all"]).stdout.contains("nothing is frozen"))
    }

    @Test(arguments: ["prescript", "after-prescript", "frozen", "clone", "thawed", "postscript"])
    func killingThePluginAtAnyPhaseLeavesNothingFrozenAndPostscriptRunIfPrescriptDid(_ at: String) throws {
        guard let host = try HostFixture.make("plugin killed at \(at)"), let scripts = HostScripts("plugin killed at \(at)") else { return }
        defer { scripts.remove(); host.destroy() }
        let disk = try host.addDisk(sizeGiB: 2)
        try fill(disk.mountPoint, mib: 400)
        try scripts.writeValid(preSleep: 1, postSleep: 1)
        let timeout = 5
        let invoke = try host.startPlugin(linuxCommand(name: "HostKill", timeout: timeout))
        var seen = ""
        var killedAt = Date()
        try whenPhase(host, [at]) { phase, plugin in
            seen = phase
            kill(plugin, SIGKILL)
            killedAt = Date()
        }
        print("plugin killed in phase \(seen) (asked: \(at))")
        _ = try? host.app.waitFor(invoke)
        // Within TimeoutInSeconds + 2 s: nothing frozen, postscript ran iff prescript did.
        let bound = killedAt.addingTimeInterval(Double(timeout) + 2)
        var settled = false
        while Date() < bound {
            let lines = scripts.markerLines
            if writable(disk.mountPoint) && lines.contains("pre") == lines.contains("post") { settled = true; break }
            usleep(100_000)
        }
        #expect(settled, "after the kill in \(seen): marker \(scripts.markerLines), writable \(writable(disk.mountPoint))")
        #expect(try shell("grep -c ' \(disk.mountPoint) ' /proc/self/mountinfo").1.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(scripts.markerLines.filter { $0 == "post" }.count <= 1, "postscript ran twice")
        // The next appsnap start reconciles the group the dead plugin left.
        var statuses: [String] = []
        for _ in 0..<100 {
            let r = try host.app.ecs("DescribeSnapshotGroups", ["RegionId": "cn-hangzhou", "InstanceId": host.hostId])
            statuses = (((r.json["SnapshotGroups"] as? [String: Any])?["SnapshotGroup"] as? [[String: Any]]) ?? []).compactMap { $0["Status"] as? String }
            if !statuses.contains("progressing") { break }
            usleep(100_000)
        }
        #expect(statuses.allSatisfy { $0 == "accomplished" || $0 == "failed" }, "groups: \(statuses)")
    }
}

func isInKernelSleep(_ pid: pid_t) -> Bool {
    for p in [pid] + descendants(of: pid) {
        guard let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        if stat[stat.index(close, offsetBy: 2)] == "D" { return true }
    }
    return false
}

/// Every live descendant of `pid` (through each thread's children list).
func descendants(of pid: pid_t) -> [pid_t] {
    var out: [pid_t] = []
    var queue = [pid]
    while let p = queue.popLast() {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(p)/task")) ?? []
        for t in tasks {
            let text = (try? String(contentsOfFile: "/proc/\(p)/task/\(t)/children", encoding: .utf8)) ?? ""
            for c in text.split(separator: " ").compactMap({ pid_t($0) }) where !out.contains(c) { out.append(c); queue.append(c) }
        }
    }
    return out
}

func commandLine(_ pid: pid_t) -> String {
    let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
    return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
}
