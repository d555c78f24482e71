import Foundation
import Testing
@testable import AppSnapCore

/// One row: a situation, and what the operator must see (SPEC §5 and §8).
struct LinuxCase: CustomTestStringConvertible, Sendable {
    var name: String
    var params: LinuxPluginParams = LinuxCase.app
    var setup: @Sendable (TestEnv) -> Void = { _ in }
    var exit: ExitCode
    /// The consistency tag every snapshot carries; nil for crash-consistent.
    var tag: String? = nil
    /// The `appsnap:consistency-reason` tag; nil when absent.
    var reason: String? = nil
    /// Whether a group is left in the cloud.
    var groupKept = true
    var disksInGroup = 3
    /// prescript and postscript both ran.
    var scriptsRan = false
    var froze = true
    var log: [String] = []
    var testDescription: String { name }

    static let role = "AppSnapshotRoleName"
    static let app = LinuxPluginParams(ramRoleName: role, preScriptPath: "/tmp/prescript.sh", postScriptPath: "/tmp/postscript.sh",
                                       name: "LinuxApp1", description: "LinuxApp")
    static let plain = LinuxPluginParams(ramRoleName: role, name: "LinuxApp1", description: "LinuxApp")
    static func with(_ f: (inout LinuxPluginParams) -> Void, _ base: LinuxPluginParams = app) -> LinuxPluginParams {
        var p = base; f(&p); return p
    }
}

let appTag = "APPConsistent:True"
let fsTag = "FsConsistent:True"
let seedLines = ["Finish SnapshotGroup=ssg-", "TotalCost=", "QueryCost=", "Prepare to Thaw FileSystem or Applications",
                 "Thaw Write Request Done", "Prepare Freeze=", "Thaw cost=", "Snapshot Creation=", "Tag Resources="]

let linuxCases: [LinuxCase] = [
    // SPEC §5, row by row
    LinuxCase(name: "scripts valid and succeed, freeze done → APPConsistent, 0", exit: .success, tag: appTag, scriptsRan: true,
              log: seedLines + ["Tag snapshots with AppConsistent", "Take AppConsistent snapshots successfully",
                                "prescript.sh: flush tables with read lock", "postscript.sh: unlock tables", "Frozen: /, /mnt/d-2, /mnt/d-3"]),
    LinuxCase(name: "scripts valid and succeed, EnableFsFreeze=false → APPConsistent, 0",
              params: LinuxCase.with { $0.enableFsFreeze = false }, exit: .success, tag: appTag, scriptsRan: true, froze: false,
              log: seedLines + ["EnableFsFreeze=false: file systems are not frozen", "Take AppConsistent snapshots successfully"]),
    LinuxCase(name: "scripts not given, freeze done → FsConsistent, 0", params: LinuxCase.plain, exit: .success, tag: fsTag,
              reason: "scripts-not-given",
              log: seedLines + ["PreScriptPath and PostScriptPath are not given", "Tag snapshots with FsConsistent",
                                "Take FsConsistent snapshots successfully"]),
    LinuxCase(name: "prescript mode 0755 → FsConsistent, 0, no script runs",
              setup: { $0.guest.scripts["/tmp/prescript.sh"] = .rejected(reason: "script-mode-0755", detail: "mode is 0755, it must be 0700") },
              exit: .success, tag: fsTag, reason: "script-mode-0755", log: ["/tmp/prescript.sh: mode is 0755, it must be 0700"]),
    LinuxCase(name: "postscript a symlink → FsConsistent, 0",
              setup: { $0.guest.scripts["/tmp/postscript.sh"] = .rejected(reason: "script-symlink", detail: "is a symbolic link") },
              exit: .success, tag: fsTag, reason: "script-symlink", log: ["/tmp/postscript.sh: is a symbolic link"]),
    LinuxCase(name: "prescript replaced between check and run → FsConsistent, 0, neither script runs",
              setup: { $0.guest.changed["/tmp/prescript.sh"] = "/tmp/prescript.sh was replaced by another file after it was checked" },
              exit: .success, tag: fsTag, reason: "script-changed", log: ["neither script is run (script-changed)"]),
    LinuxCase(name: "postscript replaced while prescript ran → the checked postscript runs, FsConsistent, 0",
              setup: { $0.guest.changedOncePrescriptRan["/tmp/postscript.sh"] = "/tmp/postscript.sh was replaced by another file after it was checked" },
              exit: .success, tag: fsTag, reason: "script-changed", scriptsRan: true,
              log: ["running the postscript.sh that was checked, not the new file"]),
    LinuxCase(name: "CreateSnapshotGroup fails and then the thaw fails too → 12, no group",
              setup: { $0.cloud.failing["CreateSnapshotGroup"] = ECSError("InternalError", "boom"); $0.guest.thawFails = true },
              exit: .resumeFailed, groupKept: false, scriptsRan: true, log: ["Thawing the file systems failed", "CreateSnapshotGroup failed"]),
    LinuxCase(name: "postscript missing → FsConsistent, 0",
              setup: { $0.guest.scripts["/tmp/postscript.sh"] = nil }, exit: .success, tag: fsTag, reason: "script-missing"),
    LinuxCase(name: "only PreScriptPath given → FsConsistent, 0", params: LinuxCase.with { $0.postScriptPath = nil },
              exit: .success, tag: fsTag, reason: "postscript-not-given", log: ["both are needed"]),
    LinuxCase(name: "PreScriptPath not /tmp/prescript.sh → FsConsistent, 0",
              params: LinuxCase.with { $0.preScriptPath = "/root/prescript.sh" },
              exit: .success, tag: fsTag, reason: "script-path-not-allowed", log: ["it must be exactly /tmp/prescript.sh"]),
    LinuxCase(name: "prescript exits non-zero → FsConsistent, freeze still done, 9",
              setup: { $0.guest.results["/tmp/prescript.sh"] = .exited(3) },
              exit: .prescriptFailed, tag: fsTag, reason: "prescript-exit-3", scriptsRan: true,
              log: seedLines + ["prescript.sh exited with 3", "Take FsConsistent snapshots successfully", "Exit code 9"]),
    LinuxCase(name: "prescript times out → FsConsistent, 9",
              setup: { $0.guest.results["/tmp/prescript.sh"] = .timedOut },
              exit: .prescriptFailed, tag: fsTag, reason: "prescript-timeout", scriptsRan: true, log: ["prescript.sh timed out after 1800s"]),
    LinuxCase(name: "prescript fails and EnableFsFreeze=false → crash-consistent, 9",
              params: LinuxCase.with { $0.enableFsFreeze = false }, setup: { $0.guest.results["/tmp/prescript.sh"] = .exited(1) },
              exit: .prescriptFailed, tag: nil, reason: "prescript-exit-1,fs-freeze-disabled", scriptsRan: true, froze: false),
    LinuxCase(name: "postscript exits non-zero → APPConsistent, 10",
              setup: { $0.guest.results["/tmp/postscript.sh"] = .exited(2) },
              exit: .postscriptFailed, tag: appTag, scriptsRan: true, log: ["postscript.sh exited with 2", "Exit code 10"]),
    LinuxCase(name: "postscript times out → APPConsistent, 10",
              setup: { $0.guest.results["/tmp/postscript.sh"] = .timedOut },
              exit: .postscriptFailed, tag: appTag, scriptsRan: true),
    LinuxCase(name: "no scripts and EnableFsFreeze=false → crash-consistent, no tag, 0",
              params: LinuxCase.with({ $0.enableFsFreeze = false }, LinuxCase.plain), exit: .success, tag: nil,
              reason: "scripts-not-given,fs-freeze-disabled", froze: false, log: ["Take CrashConsistent snapshots successfully"]),
    LinuxCase(name: "freeze fails → no group, postscript runs, 11",
              setup: { $0.guest.freezeMode = .fails }, exit: .suspendFailed, groupKept: false, scriptsRan: true,
              log: ["Freezing the file systems failed: FIFREEZE /data", "Exit code 11"]),
    LinuxCase(name: "point in time not captured within TimeoutInSeconds → group deleted, 11",
              params: LinuxCase.with { $0.timeoutInSeconds = 5 }, setup: { $0.cloud.captureSeconds = 8 },
              exit: .suspendFailed, groupKept: false, scriptsRan: true,
              log: ["the freezer thawed on its own when TimeoutInSeconds=5 passed", "Deleted the half-made group ssg-", "Exit code 11"]),
    LinuxCase(name: "suspension bound passed though the freezer kept going → group deleted, 11",
              params: LinuxCase.with { $0.timeoutInSeconds = 5 },
              setup: { $0.cloud.captureSeconds = 8; $0.guest.freezeMode = .ignoresDeadline },
              exit: .suspendFailed, groupKept: false, scriptsRan: true, log: ["longer than TimeoutInSeconds=5", "Thawed: "]),
    LinuxCase(name: "freezer gone before the group was made → 11",
              setup: { $0.guest.freezeMode = .expiresAtOnce }, exit: .suspendFailed, groupKept: false, scriptsRan: true),
    LinuxCase(name: "a disk's snapshot missing from the group while frozen → group deleted, 11",
              setup: { $0.cloud.dropOneSnapshot = true }, exit: .suspendFailed, groupKept: false, scriptsRan: true,
              log: ["the point in time was not captured: no single snapshot yet for d-3"]),
    LinuxCase(name: "a disk's snapshot missing, not frozen → group deleted, 4",
              params: LinuxCase.with({ $0.enableFsFreeze = false }, LinuxCase.plain), setup: { $0.cloud.dropOneSnapshot = true },
              exit: .createGroupFailed, groupKept: false, froze: false),
    LinuxCase(name: "thaw fails → FsConsistent, 12", setup: { $0.guest.thawFails = true },
              exit: .resumeFailed, tag: fsTag, reason: "thaw-failed", scriptsRan: true,
              log: ["Thawing the file systems failed: FITHAW", "Take FsConsistent snapshots successfully", "Exit code 12"]),
    LinuxCase(name: "thaw fails and the group fails → 12 still", setup: { $0.guest.thawFails = true; $0.cloud.fate = .groupFails },
              exit: .resumeFailed, tag: fsTag, reason: "thaw-failed", scriptsRan: true, log: ["Thawing the file systems failed: FITHAW"]),

    // condition checks: 1
    LinuxCase(name: "not root → 1", setup: { $0.guest.isRoot = false }, exit: .conditionCheckFailed, groupKept: false, froze: false,
              log: ["must run as root"]),
    LinuxCase(name: "CentOS 7.5 → 1", setup: { $0.cloud.instances[0].OSName = "CentOS 7.5 64 bit" },
              exit: .conditionCheckFailed, groupKept: false, froze: false, log: ["older than CentOS 7.6"]),
    LinuxCase(name: "a Windows instance → 1", setup: { $0.cloud.instances[0].OSName = "Windows Server 2019 Datacenter 64 bit" },
              exit: .conditionCheckFailed, groupKept: false, froze: false, log: ["use app-snapshot-plugin-win"]),
    LinuxCase(name: "instance stopped → 1", setup: { $0.cloud.instances[0].Status = "Stopped" },
              exit: .conditionCheckFailed, groupKept: false, froze: false, log: ["is Stopped; it must be Running"]),
    LinuxCase(name: "ExcludeDiskId not of this instance → 1", params: LinuxCase.with { $0.excludeDiskIds = ["d-other"] },
              exit: .conditionCheckFailed, groupKept: false, froze: false, log: ["ExcludeDiskId d-other is not a disk of instance i-linux1"]),
    LinuxCase(name: "every disk excluded → 1", params: LinuxCase.with { $0.excludeDiskIds = ["d-1", "d-2", "d-3"] },
              exit: .conditionCheckFailed, groupKept: false, froze: false, log: ["No disk is left"]),
    LinuxCase(name: "a cloud_ssd disk → 1 naming it", setup: { $0.addDisk("d-ssd", category: "cloud_ssd") },
              exit: .conditionCheckFailed, groupKept: false, froze: false,
              log: ["d-ssd is cloud_ssd, not an ESSD disk", "exclude it with -ExcludeDiskId=\"d-ssd\""]),
    LinuxCase(name: "a multi-attach disk → 1 naming it", setup: { $0.addDisk("d-shared", multiAttach: "Enabled") },
              exit: .conditionCheckFailed, groupKept: false, froze: false, log: ["d-shared has multi-attach enabled", "-ExcludeDiskId"]),
    LinuxCase(name: "the cloud_ssd disk excluded → 0 without it", params: LinuxCase.with { $0.excludeDiskIds = ["d-ssd"] },
              setup: { $0.addDisk("d-ssd", category: "cloud_ssd") }, exit: .success, tag: appTag, scriptsRan: true,
              log: ["Disks in the group: d-1, d-2, d-3; excluded: d-ssd"]),
    LinuxCase(name: "17 disks → 1", setup: { e in for n in 4...17 { e.addDisk("d-\(n)") } },
              exit: .conditionCheckFailed, groupKept: false, froze: false, log: ["at most 16"]),
    LinuxCase(name: "16 disks → 0", setup: { e in for n in 4...16 { e.addDisk("d-\(n)") } },
              exit: .success, tag: appTag, disksInGroup: 16, scriptsRan: true),

    // cloud access: 3
    LinuxCase(name: "DescribeInstances fails → 3", setup: { $0.cloud.failing["DescribeInstances"] = ECSError("InternalError", "The request processing has failed due to some unknown error.", httpStatus: 500) },
              exit: .cloudAccessFailed, groupKept: false, froze: false, log: ["DescribeInstances failed: InternalError"]),
    LinuxCase(name: "DescribeDisks fails → 3", setup: { $0.cloud.failing["DescribeDisks"] = ECSError("ServiceUnavailable", "try later", httpStatus: 503) },
              exit: .cloudAccessFailed, groupKept: false, froze: false, log: ["DescribeDisks failed: ServiceUnavailable"]),
    LinuxCase(name: "instance unknown to the cloud → 3", setup: { $0.cloud.instances = [] },
              exit: .cloudAccessFailed, groupKept: false, froze: false, log: ["does not know instance i-linux1"]),

    // group creation and state: 4 5 6 7 8
    LinuxCase(name: "CreateSnapshotGroup fails → thaw, postscript, 4",
              setup: { $0.cloud.failing["CreateSnapshotGroup"] = ECSError("QuotaExceed.SnapshotGroup", "too many groups") },
              exit: .createGroupFailed, groupKept: false, scriptsRan: true, log: ["CreateSnapshotGroup failed: QuotaExceed.SnapshotGroup", "Thawed: "]),
    LinuxCase(name: "group fails → 5", setup: { $0.cloud.fate = .groupFails }, exit: .groupInvalidState, tag: appTag, scriptsRan: true,
              log: ["is failed", "Exit code 5"]),
    LinuxCase(name: "group never finishes → 6", setup: { $0.cloud.fate = .neverFinishes }, exit: .groupTimedOut, tag: appTag, scriptsRan: true,
              log: ["still not accomplished after 600s"]),
    LinuxCase(name: "a snapshot fails → 7", setup: { $0.cloud.fate = .snapshotFails }, exit: .snapshotUnexpectedState, tag: appTag,
              scriptsRan: true, log: ["is failed", "Exit code 7"]),
    LinuxCase(name: "TagResources fails → 8",
              setup: { $0.cloud.failing["TagResources"] = ECSError("Throttling", "Request was denied due to request throttling.") },
              exit: .taggingFailed, tag: nil, scriptsRan: true, log: ["TagResources on s-", "Throttling", "Prepare Freeze="]),

    // RAM role: 13
    LinuxCase(name: "role not attached → 13", setup: { $0.cloud.roles = [:] }, exit: .ramRoleUnauthorized, groupKept: false, froze: false,
              log: ["RAM role AppSnapshotRoleName is not attached to instance i-linux1 (no role is attached)"]),
    LinuxCase(name: "another role attached → 13", setup: { $0.cloud.roles["i-linux1"] = "OtherRole" },
              exit: .ramRoleUnauthorized, groupKept: false, froze: false, log: ["attached: OtherRole"]),
    LinuxCase(name: "policy lacks ecs:TagResources → 13 naming it",
              setup: { $0.cloud.policy.removeAll { $0 == "ecs:TagResources" } },
              exit: .ramRoleUnauthorized, groupKept: false, froze: false, log: ["may not call ecs:TagResources"]),
    LinuxCase(name: "policy lacks ecs:CreateSnapshot* → 13 naming it",
              setup: { $0.cloud.policy.removeAll { $0 == "ecs:CreateSnapshot*" } },
              exit: .ramRoleUnauthorized, groupKept: false, froze: false, log: ["may not call ecs:CreateSnapshotGroup"]),
    LinuxCase(name: "policy lacks ecs:DescribeSnapshot* → 13 naming it",
              setup: { $0.cloud.policy.removeAll { $0 == "ecs:DescribeSnapshot*" } },
              exit: .ramRoleUnauthorized, groupKept: false, froze: false, log: ["may not call ecs:DescribeSnapshots"]),
    LinuxCase(name: "policy lacks ecs:DescribeDisks → 13 naming it",
              setup: { $0.cloud.policy.removeAll { $0 == "ecs:DescribeDisks" } },
              exit: .ramRoleUnauthorized, groupKept: false, froze: false, log: ["may not call ecs:DescribeDisks"]),

    // quota 14, busy 16
    LinuxCase(name: "a disk with 256 manual snapshots → 14", setup: { $0.addManualSnapshots(disk: "d-2", count: 256) },
              exit: .quotaExceeded, groupKept: false, froze: false, log: ["Disk d-2 already has 256 manual snapshots"]),
    LinuxCase(name: "255 manual and many automatic snapshots → 0",
              setup: { $0.addManualSnapshots(disk: "d-2", count: 255); $0.addManualSnapshots(disk: "d-3", count: 300, type: "auto") },
              exit: .success, tag: appTag, scriptsRan: true),
    LinuxCase(name: "a group of this instance still progressing → 16",
              setup: { e in e.cloud.groups.append(SnapshotGroup(SnapshotGroupId: "ssg-busy", Name: "x", Description: "", InstanceId: "i-linux1",
                                                               Status: "progressing", CreationTime: "", Snapshots: SnapshotSet())) },
              exit: .creationInProgress, groupKept: false, froze: false, log: ["ssg-busy of instance i-linux1 is still being created"]),
    LinuxCase(name: "another run holds the lock → 16", setup: { $0.guest.lockHeldElsewhere = true },
              exit: .creationInProgress, groupKept: false, froze: false, log: ["holds the run lock"]),
]

@Suite struct LinuxWorkflowTests {
    @Test(arguments: linuxCases)
    func outcome(_ c: LinuxCase) async throws {
        let env = TestEnv()
        c.setup(env)
        let busyGroups = env.cloud.groups.count
        let out = await env.runLinux(c.params)

        #expect(out.exitCode == c.exit, "log: \(env.messages.joined(separator: "\n"))")
        for s in c.log { #expect(env.logged(s), "missing log line containing: \(s)\n\(env.messages.joined(separator: "\n"))") }

        if c.groupKept {
            let gid = try #require(out.groupId)
            let tags = env.tags(ofGroup: gid)
            #expect(tags.count == c.disksInGroup)
            #expect(Set(out.snapshotIds) == Set(tags.keys))
            for (_, t) in tags where c.exit != .taggingFailed {
                #expect(t.contains(appTag) == (c.tag == appTag))
                #expect(t.contains(fsTag) == (c.tag == fsTag))
                #expect(t.contains("\(ConsistencyTag.freezeMsKey):\(Int(out.freezeMs.rounded()))"))
                let reasons = t.filter { $0.hasPrefix(ConsistencyTag.reasonKey + ":") }
                #expect(reasons == (c.reason.map { ["\(ConsistencyTag.reasonKey):\($0)"] } ?? []))
            }
            if c.exit == .taggingFailed { #expect(tags.values.allSatisfy { $0.isEmpty }) }
        } else {
            #expect(out.groupId == nil)
            #expect(env.cloud.groups.count == busyGroups, "a half-made group was left behind")
            #expect(env.cloud.snapshots.allSatisfy { $0.SnapshotGroupId.isEmpty })
        }
        if !c.froze { #expect(!env.events.contains("freeze") && out.freezeMs == 0) }
        if c.froze && c.groupKept { #expect(out.freezeMs > 0) }

        let scripts = env.guest.ran
        #expect(scripts == (c.scriptsRan ? ["run /tmp/prescript.sh", "run /tmp/postscript.sh"] : []))
        if c.scriptsRan { #expect(env.guest.scriptTimeouts.allSatisfy { $0 == 1800 }) }

        if c.exit != .resumeFailed { #expect(!env.guest.isFrozen, "a file system was left frozen") }
        if env.events.contains("freeze"), !env.events.contains("thaw") { #expect(c.exit == .suspendFailed) }
        if let a = env.linesAtFreeze, let b = env.linesAtThaw { #expect(a == b, "log lines were written while frozen") }
        #expect(!env.guest.lockIsHeld)

        if c.exit == .success {
            #expect(env.errorLines.isEmpty)
        } else {
            #expect(env.errorLines.last?.hasPrefix("Exit code \(c.exit.rawValue), \(c.exit.meaning): ") == true)
        }
        // Every line the run wrote is a well-formed record.
        for r in env.sink.records { #expect(LogRecord.parse(r.render()) == r) }
    }

    @Test func stepsRunInOrder() async throws {
        let env = TestEnv()
        let out = await env.runLinux(LinuxCase.app)
        #expect(out.exitCode == .success)
        let e = env.events.all
        let order = ["lock", "open /tmp/prescript.sh", "open /tmp/postscript.sh", "run /tmp/prescript.sh", "freeze",
                     "cloud CreateSnapshotGroup", "thaw", "run /tmp/postscript.sh", "cloud TagResources", "unlock"]
        let idx = order.map { e.firstIndex(of: $0) }
        #expect(idx.allSatisfy { $0 != nil }, "events: \(e)")
        #expect(idx.compactMap { $0 } == idx.compactMap { $0 }.sorted(), "events: \(e)")
        // The permission probes are dry runs that create nothing.
        #expect(e.contains("cloud CreateSnapshotGroup dry-run") && e.contains("cloud TagResources dry-run"))
        #expect(env.cloud.groups.count == 1)
        // The seed's log lines come in the seed's order.
        let m = env.messages
        let seq = ["Finish SnapshotGroup=", "Prepare to Thaw FileSystem or Applications", "Thaw Write Request Done",
                   "Tag snapshots with AppConsistent", "Take AppConsistent snapshots successfully"]
        let pos = seq.map { s in m.firstIndex { $0.contains(s) } }
        #expect(pos.allSatisfy { $0 != nil } && pos.compactMap { $0 } == pos.compactMap { $0 }.sorted())
        #expect(m.contains { $0 == "Finish SnapshotGroup=\(out.groupId!) Creation, TotalCost=0.3000000s, QueryCost=0.0000000s" })
    }

    @Test func theGroupHoldsExactlyTheChosenDisks() async throws {
        let env = TestEnv(diskCount: 4)
        let out = await env.runLinux(LinuxCase.with { $0.excludeDiskIds = ["d-2"] })
        #expect(out.exitCode == .success)
        let snaps = env.cloud.snapshots.filter { $0.SnapshotGroupId == out.groupId }
        #expect(Set(snaps.map(\.SourceDiskId)) == ["d-1", "d-3", "d-4"])
        #expect(env.logged("Frozen: /, /mnt/d-3, /mnt/d-4"))
        #expect(!env.messages.contains { $0.contains("Frozen:") && $0.contains("/mnt/d-2") })
        let g = try #require(env.cloud.groups.first)
        #expect(g.Name == "LinuxApp1" && g.Description == "LinuxApp" && g.Status == "accomplished")
    }

    @Test func seedPolicyCannotDeleteTheHalfMadeGroupAndSaysSo() async throws {
        // The seed's policy grants no ecs:DeleteSnapshotGroup: the run must still end 11 and name what is left.
        let env = TestEnv()
        env.cloud.policy.removeAll { $0 == "ecs:DeleteSnapshotGroup" }
        env.cloud.captureSeconds = 40
        let out = await env.runLinux(LinuxCase.app)
        #expect(out.exitCode == .suspendFailed)
        let gid = try #require(out.groupId)
        #expect(env.logged("Could not delete the half-made group \(gid)"))
        #expect(env.logged("delete it by hand"))
        #expect(env.guest.ran == ["run /tmp/prescript.sh", "run /tmp/postscript.sh"])
        #expect(!env.guest.isFrozen)
    }

    @Test func aSecondRunWhileTheFirstHoldsTheLockIsRefused() async throws {
        let env = TestEnv()
        let lock = try #require(try env.guest.acquireRunLock())
        let out = await env.runLinux(LinuxCase.app)
        #expect(out.exitCode == .creationInProgress)
        #expect(env.cloud.calls.isEmpty)
        lock.release()
        #expect(await env.runLinux(LinuxCase.app).exitCode == .success)
    }
}
