import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RunCommandTests {
    func commandLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
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
        let t = try TestCloud(realBinary: true)
        let app = try await t.instance("linux-app-1")
        let id = try await t.cloud.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "echo hi; exit 3",
                                                    instanceIds: [app.InstanceId]))
        #expect(id.hasPrefix("t-"))
        #expect(t.spawns.argvs.contains([t.executable, "cloud", "_run-invocation", "--state", t.state.url.path, id]))
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

    @Test func theCommandSeesTheInstanceAndNothingOfTheCloud() async throws {
        let t = try TestCloud(realBinary: true)
        let (_, r) = try await run(t, "echo \"[$APPSNAP_INSTANCE_ID][$APPSNAP_STATE]\"; pwd; echo \"$PATH\"; id -u; echo $$", on: "linux-app-1")
        #expect(r.InvocationStatus == "Success", "\(r.Output)")
        #expect(r.ExitCode == 0)
        #expect(r.ErrorCode == "")
        let lines = commandLines(r.Output)
        #expect(lines[0] == "[][]", "no variable names the cloud or lets the command claim an instance")
        #expect(lines[1] == "/")
        #expect(lines[2].hasPrefix(InstanceAgent.mountPoint + ":"), "acs-plugin-manager comes from the instance's agent")
        #expect(lines[3] == "0", "root inside the instance")
        #expect(lines[4] == "1", "its own PID namespace")
    }

    @Test(arguments: [30_000, 50_000_000])
    func outputBeyond24KBKeepsTheHeadAndTheTailAndCountsTheRest(_ size: Int) async throws {
        let t = try TestCloud(realBinary: true)
        // A first line, filler, a last line: what an operator needs most is at both ends.
        let (id, r) = try await run(t, "echo FIRST; head -c \(size) /dev/zero | tr '\\0' x; echo; echo LAST", on: "linux-app-1")
        let app = try await t.instance("linux-app-1")
        let file = t.cloud.outputFile(invokeId: id, instanceId: app.InstanceId)
        let onDisk = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as! Int
        #expect(r.InvocationStatus == "Success")
        let total = "FIRST\n".utf8.count + size + "\nLAST\n".utf8.count
        #expect(r.Dropped == total - 24 * 1024)
        #expect(r.Output.hasPrefix("FIRST\n") && r.Output.hasSuffix("\nLAST\n"), "head and tail are kept")
        #expect(r.Output.contains("[appsnap: \(r.Dropped) bytes of output dropped here]"))
        #expect(onDisk < 25 * 1024, "the file on disk is capped too: \(onDisk) bytes")
        #expect(try Data(contentsOf: file) == Data(r.Output.utf8), "the API and the file say the same")
    }

    @Test func timeoutKillsEverythingTheCommandStarted() async throws {
        let t = try TestCloud(realBinary: true)
        // A unique argument to find the background sleep by, from outside its namespace.
        let mark = "60.\(getpid())\(UInt32.random(in: 1000 ... 9999))"
        let (_, r) = try await run(t, "setsid sleep \(mark) & echo started; wait", on: "linux-app-1", timeout: 1)
        #expect(r.InvocationStatus == "Timeout")
        #expect(r.ErrorCode == "CommandTimeout")
        #expect(r.Output.contains("started"))
        // Even one that left the process group ends with the instance's PID namespace.
        var alive: [String] = []
        for _ in 0..<100 {
            alive = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { pid in
                guard Int(pid) != nil, let cmd = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return false }
                return String(decoding: cmd, as: UTF8.self).contains(mark)
            }
            if alive.isEmpty { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(alive.isEmpty, "still running: \(alive)")
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

    @Test(arguments: ["dir C:\\", "acs-plugin-manager --exec --plugin app-snapshot-plugin-win; touch /tmp/x",
                      "acs-plugin-manager --exec --plugin $(touch /tmp/x)", "acs-plugin-manager --exec && touch /tmp/x",
                      "acs-plugin-manager --exec --plugin p --params=a\nacs-plugin-manager --exec", "acs-plugin-manager --exec --other",
                      "acs-plugin-manager --exec --plugin \"unclosed"])
    func emulatedWindowsRefusesAnythingButThePluginLine(_ content: String) async throws {
        let t = try TestCloud()
        let win = try await t.instance("win-sql-1")
        let code = await ecsCode {
            _ = try await t.cloud.runCommand(.init(regionId: hz, type: "RunBatScript", commandContent: content, instanceIds: [win.InstanceId]))
        }
        #expect(code == "InvalidCommandContent.NotPluginLine")
        #expect(try await t.cloud.describeInvocations(regionId: hz, invokeId: nil, instanceId: win.InstanceId).isEmpty,
                "nothing was recorded or run")
    }

    @Test func emulatedWindowsStartsThePluginLineWithoutAShell() async throws {
        // The line's words go to `<executable> plugin-manager`; here that is /usr/bin/false.
        let t = try TestCloud()
        let (_, ran) = try await run(t, "acs-plugin-manager --exec --plugin app-snapshot-plugin-win --params=-Name=\\\"x\\\"", on: "win-sql-1")
        #expect(ran.InvocationStatus == "Failed")
        #expect(ran.ErrorCode == "ExitCodeNonzero")
        #expect(ran.ExitCode == 1)
    }

    @Test func instanceFilesStayInTheInstance() async throws {
        let t = try TestCloud(realBinary: true)
        let app = try await t.instance("linux-app-1")
        let name = "appsnap-cloud-test-probe-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        defer { unlink("/tmp/" + name); unlink("/root/" + name) }
        let state = t.state.url.path
        let (_, r) = try await run(t, """
            echo here > /tmp/\(name); echo home > /root/\(name); cat /tmp/\(name)
            ls \(state) >/dev/null 2>&1 && echo SEES-STATE; ls /var/tmp >/dev/null 2>&1 && echo SEES-VAR-TMP
            (echo x > /usr/\(name)) 2>/dev/null && echo WROTE-USR; (echo x > /etc/\(name)) 2>/dev/null && echo WROTE-ETC
            true
            """, on: "linux-app-1")
        #expect(r.InvocationStatus == "Success", "\(r.Output)")
        #expect(commandLines(r.Output) == ["here", ""], "\(r.Output)")
        let root = t.cloud.layout.instanceRoot(app.InstanceId)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("tmp/\(name)").path))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("root/\(name)").path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/" + name), "the host's /tmp is not the instance's")
        #expect(!FileManager.default.fileExists(atPath: "/root/" + name), "the host's /root is not the instance's")
        if geteuid() == 0 {
            var st = stat()
            stat(root.appendingPathComponent("tmp/\(name)").path, &st)
            #expect(st.st_uid == InstanceSandbox.instanceUid(app.InstanceId), "root inside is an unprivileged uid outside")
        }
    }

    @Test func outputIsVisibleWhileRunning() async throws {
        let t = try TestCloud(realBinary: true)
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
