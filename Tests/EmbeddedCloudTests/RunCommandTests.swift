import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RunCommandTests {
    /// Output lines other than appsnap's own warning (printed when /tmp cannot be isolated).
    func commandLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.hasPrefix("appsnap: warning:") }
    }

    func run(_ t: TestCloud, _ content: String, on name: String, timeout: Int = 60) async throws -> (String, InvocationResult) {
        let i = try await t.instance(name)
        let id = try await t.cloud.runCommand(.init(regionId: hz, type: i.isWindows ? "RunBatScript" : "RunShellScript",
                                                    commandContent: content, instanceIds: [i.InstanceId], timeout: timeout))
        try await t.cloud.runInvocation(id)
        let r = try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .plainText)
        return (id, try #require(r.first))
    }

    @Test func nonzeroExitGivesFailedWithOutputInBothEncodings() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let id = try await t.cloud.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "echo hi; exit 3",
                                                    instanceIds: [app.InstanceId]))
        #expect(id.hasPrefix("t-"))
        #expect(t.spawns.argvs.contains(["/usr/bin/false", "cloud", "_run-invocation", "--state", t.state.url.path, id]))
        let pending = try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .base64)
        #expect(pending.first?.InvocationStatus == "Pending")
        try await t.cloud.runInvocation(id)

        let plain = try #require(try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .plainText).first)
        #expect(plain.InvocationStatus == "Failed")
        #expect(plain.ErrorCode == "ExitCodeNonzero")
        #expect(plain.ExitCode == 3)
        #expect(plain.InvokeRecordStatus == "Finished")
        #expect(!plain.StartTime.isEmpty && !plain.FinishedTime.isEmpty)
        #expect(commandLines(plain.Output) == ["hi", ""])
        let b64 = try #require(try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: app.InstanceId, contentEncoding: .base64).first)
        #expect(b64.Output == Data(plain.Output.utf8).base64EncodedString())
        #expect(plain.Output.hasSuffix("hi\n"))
        let inv = try await t.cloud.describeInvocations(regionId: hz, invokeId: id, instanceId: nil)
        #expect(inv.first?.InvocationStatus == "Failed")
        #expect(inv.first?.CommandContent == "echo hi; exit 3")
        #expect(inv.first?.InvokeInstances.InvokeInstance.map(\.InstanceId) == [app.InstanceId])
        // The live file holds the whole output too, for `appsnap logs --follow`.
        #expect(try String(contentsOf: t.cloud.outputFile(invokeId: id, instanceId: app.InstanceId), encoding: .utf8) == plain.Output)
    }

    @Test func successAndTheInstanceEnvironment() async throws {
        let t = try TestCloud()
        let (_, r) = try await run(t, "echo \"$APPSNAP_INSTANCE_ID $APPSNAP_REGION_ID $APPSNAP_STATE\"; pwd; echo \"$PATH\"", on: "linux-app-1")
        let app = try await t.instance("linux-app-1")
        #expect(r.InvocationStatus == "Success")
        #expect(r.ExitCode == 0)
        #expect(r.ErrorCode == "")
        let lines = commandLines(r.Output)
        #expect(lines[0] == "\(app.InstanceId) cn-hangzhou \(t.cloud.layout.root.path)")
        #expect(lines[1] == t.cloud.layout.instanceRoot(app.InstanceId).path)
        #expect(lines[2].hasPrefix(t.cloud.layout.bin.path + ":"))
    }

    @Test func outputBeyond24KBIsCountedInDropped() async throws {
        let t = try TestCloud()
        let (id, r) = try await run(t, "head -c 30000 /dev/zero | tr '\\0' x", on: "linux-app-1")
        let app = try await t.instance("linux-app-1")
        let size = try FileManager.default.attributesOfItem(atPath: t.cloud.outputFile(invokeId: id, instanceId: app.InstanceId).path)[.size] as! Int
        #expect(r.InvocationStatus == "Success")
        #expect(r.Output.utf8.count == 24 * 1024)
        #expect(r.Dropped == size - 24 * 1024)
        #expect(r.Dropped >= 30000 - 24 * 1024)
    }

    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let pidFile = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("bg.pid")
        let (_, r) = try await run(t, "sleep 60 & echo $! > bg.pid; echo started; wait", on: "linux-app-1", timeout: 1)
        #expect(r.InvocationStatus == "Timeout")
        #expect(r.ErrorCode == "CommandTimeout")
        #expect(r.Output.contains("started"))
        let pid = try #require(Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The background sleep was in the command's process group: it is gone (or a zombie about to be reaped).
        #expect(ProcessIdentity.of(pid).map { !$0.isAlive } ?? true)
    }

    @Test func stoppedAndAssistantlessInstancesFailWithoutRunning() async throws {
        let t = try TestCloud()
        let stopped = try await t.instance("linux-stopped-1"), noassist = try await t.instance("linux-noassist-1")
        let id = try await t.cloud.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "echo no",
                                                    instanceIds: [stopped.InstanceId, noassist.InstanceId]))
        #expect(t.spawns.argvs.isEmpty, "nothing to run: no runner is started")
        let results = try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .plainText)
        let byId = Dictionary(uniqueKeysWithValues: results.map { ($0.InstanceId, $0) })
        #expect(byId[stopped.InstanceId]?.InvocationStatus == "Failed")
        #expect(byId[stopped.InstanceId]?.ErrorCode == "InstanceNotRunning")
        #expect(byId[noassist.InstanceId]?.InvocationStatus == "Failed")
        #expect(byId[noassist.InstanceId]?.ErrorCode == "ClientNotRunning")
        #expect(results.allSatisfy { $0.Output.isEmpty && $0.ExitCode == nil && $0.isFinished })
    }

    @Test func requestErrors() async throws {
        let t = try TestCloud()
        let c = t.cloud
        let app = try await t.instance("linux-app-1"), win = try await t.instance("win-sql-1")
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunBatScript", commandContent: "dir", instanceIds: [app.InstanceId])) }
                == "InvalidParameter.Type")
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "ls", instanceIds: [win.InstanceId])) }
                == "InvalidParameter.Type")
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunPerlScript", commandContent: "ls", instanceIds: [app.InstanceId])) }
                == "InvalidParameter.Type")
        let big = String(repeating: "#", count: 24 * 1024 + 1)
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: big, instanceIds: [app.InstanceId])) }
                == "InvalidParameter.CommandContent")
        let exactly = String(repeating: "#", count: 24 * 1024)
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: exactly, instanceIds: [app.InstanceId])) }
                == nil)
        let many = (0...100).map { "i-fake\($0)" }
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "ls", instanceIds: many)) }
                == "InvalidParameter.InstanceIds")
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "", instanceIds: [app.InstanceId])) }
                == "MissingParameter")
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "ls", instanceIds: [])) }
                == "MissingParameter")
        #expect(await ecsCode { _ = try await c.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "ls", instanceIds: ["i-nope"])) }
                == "InvalidInstanceId.NotFound")
    }

    @Test func emulatedWindowsRunsOnlyPluginLines() async throws {
        let t = try TestCloud()
        let (_, refused) = try await run(t, "dir C:\\", on: "win-sql-1")
        #expect(refused.InvocationStatus == "Failed")
        #expect(refused.ErrorCode == "CommandNotApplicable")
        #expect(refused.Output.contains("only acs-plugin-manager"))
        // A plugin line goes through the shim to `<executable> plugin-manager`; here that is /usr/bin/false.
        let (_, ran) = try await run(t, "acs-plugin-manager --exec --plugin app-snapshot-plugin-win --params=-Name=\\\"x\\\"", on: "win-sql-1")
        #expect(ran.InvocationStatus == "Failed")
        #expect(ran.ErrorCode == "ExitCodeNonzero")
        #expect(ran.ExitCode == 1)
    }

    @Test func instanceTmpIsTheInstancesOwn() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let name = "appsnap-cloud-test-probe-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        defer { unlink("/tmp/" + name) }
        let (_, r) = try await run(t, "echo here > \"${TMPDIR:-/tmp}/\(name)\"; cat /tmp/\(name) 2>/dev/null || true", on: "linux-app-1")
        let inRoot = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp/\(name)")
        #expect(FileManager.default.fileExists(atPath: inRoot.path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/" + name), "nothing outside the instance sees its /tmp")
        let isolation = TmpIsolation.decide(stateDirectory: t.state.url.path, executablePath: "/usr/bin/false")
        if case .namespace = isolation {
            #expect(commandLines(r.Output) == ["here", ""], "inside the namespace /tmp is the instance's tmp")
            #expect(!r.Output.contains("warning"))
        } else {
            print("instance /tmp isolation unavailable here: \(isolation); checking the TMPDIR fallback")
            #expect(r.Output.hasPrefix("appsnap: warning: /tmp of this instance is not isolated"))
        }
    }

    @Test func outputIsVisibleWhileRunning() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let gate = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("gate")
        let id = try await t.cloud.runCommand(.init(regionId: hz, type: "RunShellScript",
                                                    commandContent: "echo first; while [ ! -e gate ]; do sleep 0.05; done; echo second",
                                                    instanceIds: [app.InstanceId]))
        let runner = Task { try await t.cloud.runInvocation(id) }
        var seen: InvocationResult?
        for _ in 0..<400 {
            let r = try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .plainText)[0]
            if r.InvocationStatus == "Running" && r.Output.contains("first") { seen = r; break }
            try await Task.sleep(nanoseconds: 25_000_000)
        }
        FileManager.default.createFile(atPath: gate.path, contents: nil)
        try await runner.value
        let running = try #require(seen, "the first line should show while the command runs")
        #expect(!running.Output.contains("second"))
        #expect(running.ExitCode == nil)
        #expect(try await t.cloud.describeInvocations(regionId: hz, invokeId: id, instanceId: app.InstanceId).count == 1)
        let done = try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .plainText)[0]
        #expect(done.InvocationStatus == "Success")
        #expect(commandLines(done.Output) == ["first", "second", ""])
    }

    @Test func reconcileFinishesAnInvocationWhoseRunnerDied() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let id = try await t.cloud.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "echo never",
                                                    instanceIds: [app.InstanceId]))
        let reopened = try t.open()
        let r = try await reopened.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .plainText)[0]
        #expect(r.InvocationStatus == "Failed")
        #expect(r.ErrorCode == "ExecutionInterrupted")
        #expect(r.isFinished)
    }
}
