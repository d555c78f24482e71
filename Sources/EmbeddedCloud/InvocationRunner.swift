import AppSnapCore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

// The body of `appsnap cloud _run-invocation`: runs an invocation's command on each of
// its pending instances, streaming output to invocations/<InvokeId>/<InstanceId>.out.
extension EmbeddedCloud {
    public func runInvocation(_ invokeId: String) async throws {
        let me = ProcessIdentity.current()
        let (invocation, targets): (InvocationRecord, [InstanceRecord]) = try await store.writer.write { db in
            guard let inv = try InvocationRecord.fetchOne(db, key: invokeId) else {
                throw ECSError.notFound("InvalidInvokeId.NotFound", "The specified invocation \"\(invokeId)\" does not exist.")
            }
            try db.execute(sql: "UPDATE invocation SET runnerPid = ?, runnerStartTicks = ? WHERE invokeId = ?",
                           arguments: [Int(me.pid), me.startTicks, invokeId])
            let ids = try String.fetchAll(db, sql: "SELECT instanceId FROM invocationResult WHERE invokeId = ? AND recordStatus = 'Pending'",
                                          arguments: [invokeId])
            return (inv, try ids.compactMap { try InstanceRecord.fetchOne(db, key: $0) })
        }
        try FileManager.default.createDirectory(at: layout.invocationDirectory(invokeId), withIntermediateDirectories: true)
        await withTaskGroup(of: Void.self) { group in
            for instance in targets {
                group.addTask { await self.run(invocation, on: instance) }
            }
        }
    }

    private func run(_ inv: InvocationRecord, on instance: InstanceRecord) async {
        let outURL = layout.outputFile(invokeId: inv.invokeId, instanceId: instance.instanceId)
        let started = timestamp()
        _ = try? await store.writer.write { db in
            try db.execute(sql: """
                UPDATE invocationResult SET status = 'Running', recordStatus = 'Running', startTime = ?
                WHERE invokeId = ? AND instanceId = ?
                """, arguments: [started, inv.invokeId, instance.instanceId])
        }
        let outcome: Outcome, kept: Data, dropped: Int
        do {
            let capture = try OutputCapture(file: outURL)
            outcome = await execute(inv, on: instance, output: capture)
            dropped = capture.finish()
            kept = (try? Data(contentsOf: outURL)) ?? Data()
        } catch {
            outcome = Outcome(status: InvocationStatus.failed, exitCode: nil, errorCode: "ExecutionException", errorInfo: "\(error)")
            (kept, dropped) = (Data(), 0)
        }
        let finished = timestamp()
        _ = try? await store.writer.write { db in
            try db.execute(sql: """
                UPDATE invocationResult SET status = ?, recordStatus = 'Finished', exitCode = ?, output = ?, dropped = ?,
                    errorCode = ?, errorInfo = ?, finishedTime = ?
                WHERE invokeId = ? AND instanceId = ?
                """, arguments: [outcome.status, outcome.exitCode, kept, dropped, outcome.errorCode, outcome.errorInfo,
                                 finished, inv.invokeId, instance.instanceId])
        }
    }

    private struct Outcome {
        var status: String
        var exitCode: Int?
        var errorCode = ""
        var errorInfo = ""
    }

    private func execute(_ inv: InvocationRecord, on instance: InstanceRecord, output: OutputCapture) async -> Outcome {
        func refused(_ code: String, _ why: String) -> Outcome {
            output.note("appsnap: \(why)\n")
            return Outcome(status: InvocationStatus.failed, exitCode: nil, errorCode: code, errorInfo: why)
        }
        let argv: [String], environment: [String: String]
        var agent: InstanceAgent?
        defer { agent?.stop() }
        if instance.osType == "windows" {
            // No shell: the plugin line's own words, started directly (RunCommand checked them).
            guard let words = try? WindowsPluginLine.arguments(of: inv.commandContent) else {
                return refused("CommandNotApplicable", "emulated Windows instances run only the acs-plugin-manager line")
            }
            argv = [executablePath, "plugin-manager"] + words
            environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "APPSNAP_STATE": layout.root.path,
                           "APPSNAP_INSTANCE_ID": instance.instanceId]
        } else if instance.isHost {
            // The machine itself: its own /, /tmp and root, as Cloud Assistant on a real instance.
            argv = ["/bin/sh", "-c", inv.commandContent]
            environment = [
                "PATH": "\(layout.bin.path):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "APPSNAP_STATE": layout.root.path, "APPSNAP_INSTANCE_ID": instance.instanceId,
                "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root", "LANG": "C.UTF-8",
            ]
        } else {
            if let why = InstanceSandbox.unavailable { return refused("IsolationUnavailable", why) }
            do {
                try handOver(instance.instanceId)
                agent = try InstanceAgent(directory: layout.agentDirectory(invokeId: inv.invokeId, instanceId: instance.instanceId),
                                          instanceId: instance.instanceId, executable: executablePath,
                                          stateDirectory: layout.root.path)
            } catch {
                return refused("IsolationUnavailable", "the instance's sandbox cannot be prepared: \(error)")
            }
            argv = sandbox(for: instance.instanceId, agent: agent).argv(command: ["/bin/sh", "-c", inv.commandContent])
            environment = ["LANG": "C.UTF-8"]
        }
        let pid: Int32
        do {
            pid = try Spawn.start(argv: argv, environment: environment, directory: "/", stdoutDescriptor: output.commandEnd,
                                  newSession: false)
            output.commandStarted()
        } catch {
            output.note("appsnap: \(error)\n")
            return Outcome(status: InvocationStatus.failed, exitCode: nil, errorCode: "ExecutionException", errorInfo: "\(error)")
        }
        let deadline = clock.uptime() + Double(inv.timeoutSeconds)
        while true {
            if let exit = Spawn.poll(pid) {
                let code: Int
                switch exit {
                case .exited(let c): code = Int(c)
                case .signaled(let s): code = 128 + Int(s)
                }
                if code == 0 { return Outcome(status: InvocationStatus.success, exitCode: 0) }
                return Outcome(status: InvocationStatus.failed, exitCode: code, errorCode: "ExitCodeNonzero",
                               errorInfo: "the command exited with code \(code)")
            }
            if clock.uptime() >= deadline {
                // The whole process group: whatever the command started goes with it.
                kill(-pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                output.note("appsnap: the command timed out after \(inv.timeoutSeconds) s and was killed\n")
                return Outcome(status: InvocationStatus.timeout, exitCode: nil, errorCode: "CommandTimeout",
                               errorInfo: "the command ran longer than its Timeout of \(inv.timeoutSeconds) seconds")
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }
}
