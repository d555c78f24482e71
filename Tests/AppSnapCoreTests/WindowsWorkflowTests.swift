import Foundation
import Testing
@testable import AppSnapCore

struct WindowsCase: CustomTestStringConvertible, Sendable {
    var name: String
    var params = WindowsPluginParams(ramRoleName: "AppSnapshotRoleName", name: "APPSnapshot-1", description: "AppSnapshot")
    var setup: @Sendable (TestEnv) -> Void = { _ in }
    var exit: ExitCode
    var tag: String? = nil
    var reason: String? = nil
    var groupKept = true
    var log: [String] = []
    var testDescription: String { name }
}

let windowsCases: [WindowsCase] = [
    WindowsCase(name: "EnableWriters=true with VSS writers → APPConsistent, 0", exit: .success, tag: appTag,
                log: seedLines + ["VSS writers included: SqlServerWriter, System Writer", "Tag snapshots with AppConsistent",
                                  "Take AppConsistent snapshots successfully"]),
    WindowsCase(name: "EnableWriters=false → FsConsistent, 0",
                params: WindowsPluginParams(ramRoleName: "AppSnapshotRoleName", enableWriters: false, name: "APPSnapshot-1"),
                exit: .success, tag: fsTag, reason: "writers-disabled",
                log: ["EnableWriters=false", "Tag snapshots with FsConsistent", "Take FsConsistent snapshots successfully"]),
    WindowsCase(name: "EnableWriters=true but no writers → FsConsistent, 0", setup: { $0.guest.writers = [] },
                exit: .success, tag: fsTag, reason: "no-vss-writers", log: ["No VSS writers on the instance"]),
    WindowsCase(name: "VSS writers cannot be listed → FsConsistent, 0", setup: { $0.guest.writers = nil },
                exit: .success, tag: fsTag, reason: "no-vss-writers", log: ["VSS service is not running"]),
    WindowsCase(name: "Windows Server 2008 R2 → 1", setup: { $0.cloud.instances[0].OSName = "Windows Server 2008 R2 Enterprise 64bit" },
                exit: .conditionCheckFailed, groupKept: false, log: ["older than Windows Server 2012 R2"]),
    WindowsCase(name: "a Linux instance → 1", setup: { $0.cloud.instances[0].OSName = "Ubuntu 22.04 64 bit" },
                exit: .conditionCheckFailed, groupKept: false, log: ["use app-snapshot-plugin"]),
    WindowsCase(name: "VSS freeze fails → 11", setup: { $0.guest.freezeMode = .fails }, exit: .suspendFailed, groupKept: false),
    WindowsCase(name: "volumes cannot be resumed → FsConsistent, 12", setup: { $0.guest.thawFails = true },
                exit: .resumeFailed, tag: fsTag, reason: "thaw-failed"),
    WindowsCase(name: "role lacks TagResources → 13", setup: { $0.cloud.policy.removeAll { $0 == "ecs:TagResources" } },
                exit: .ramRoleUnauthorized, groupKept: false, log: ["ecs:TagResources"]),
]

@Suite struct WindowsWorkflowTests {
    @Test(arguments: windowsCases)
    func outcome(_ c: WindowsCase) async throws {
        let env = TestEnv(windows: true)
        c.setup(env)
        let out = await env.runWindows(c.params)
        #expect(out.exitCode == c.exit, "log: \(env.messages.joined(separator: "\n"))")
        for s in c.log { #expect(env.logged(s), "missing log line containing: \(s)") }
        if c.groupKept {
            let gid = try #require(out.groupId)
            let tags = env.tags(ofGroup: gid)
            #expect(tags.count == 3)
            for (_, t) in tags {
                #expect(t.contains(appTag) == (c.tag == appTag))
                #expect(t.contains(fsTag) == (c.tag == fsTag))
                #expect(t.contains("\(ConsistencyTag.freezeMsKey):\(Int(out.freezeMs.rounded()))"))
                #expect(t.filter { $0.hasPrefix(ConsistencyTag.reasonKey) } == (c.reason.map { ["\(ConsistencyTag.reasonKey):\($0)"] } ?? []))
            }
            #expect(out.freezeMs > 0)
        } else {
            #expect(out.groupId == nil && env.cloud.groups.isEmpty)
        }
        #expect(env.guest.ran.isEmpty, "the Windows plugin runs no shell scripts")
        if c.exit != .resumeFailed { #expect(!env.guest.isFrozen) }
        #expect(!env.guest.lockIsHeld)
        if c.exit == .success { #expect(env.errorLines.isEmpty) } else {
            #expect(env.errorLines.last?.hasPrefix("Exit code \(c.exit.rawValue), ") == true)
        }
    }
}
