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
        let (invocation, targets): (InvocationRecord, [InstanceRecord]) = try await dbPool.write { db in
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
        let isolation = TmpIsolation.decide(stateDirectory: layout.root.path, executablePath: executablePath)
        await withTaskGroup(of: Void.self) { group in
            for instance in targets {
                group.addTask { await self.run(invocation, on: instance, isolation: isolation) }
            }
        }
    }

    private func run(_ inv: InvocationRecord, on instance: InstanceRecord, isolation: TmpIsolation) async {
        let outURL = layout.outputFile(invokeId: inv.invokeId, instanceId: instance.instanceId)
        let started = timestamp()
        _ = try? await dbPool.write { db in
            try db.execute(sql: """
                UPDATE invocationResult SET status = 'Running', recordStatus = 'Running', startTime = ?
                WHERE invokeId = ? AND instanceId = ?
                """, arguments: [started, inv.invokeId, instance.instanceId])
        }
        Self.createPrivateFile(outURL.path)
        let outcome = await execute(inv, on: instance, isolation: isolation, output: outURL)
        let (kept, dropped) = Self.keptOutput(outURL)
        let finished = timestamp()
        _ = try? await dbPool.write { db in
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

    private func execute(_ inv: InvocationRecord, on instance: InstanceRecord, isolation: TmpIsolation,
                         output: URL) async -> Outcome {
        let root = instance.isHost ? "/" : layout.instanceRoot(instance.instanceId).path
        if instance.osType == "windows" {
            // Emulated Windows has no shell of its own: only the plugin lines run.
            let lines = inv.commandContent.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("REM ") }
            if let other = lines.first(where: { !$0.hasPrefix("acs-plugin-manager ") && $0 != "acs-plugin-manager" }) {
                let message = "appsnap: this emulated Windows instance runs only acs-plugin-manager command lines; refused: \(other)\n"
                append(message, to: output)
                return Outcome(status: InvocationStatus.failed, exitCode: nil, errorCode: "CommandNotApplicable",
                               errorInfo: "emulated Windows instances run only acs-plugin-manager command lines")
            }
        }
        var environment = [
            "PATH": "\(layout.bin.path):/usr/local/bin:/usr/bin:/bin",
            "APPSNAP_STATE": layout.root.path,
            "APPSNAP_INSTANCE_ID": instance.instanceId,
            "APPSNAP_REGION_ID": instance.regionId,
            "APPSNAP_GUEST_ROOT": root,
            "HOME": instance.isHost ? (ProcessInfo.processInfo.environment["HOME"] ?? "/root") : root,
            "LANG": "C.UTF-8",
        ]
        let argv: [String]
        switch instance.isHost ? .host : isolation {
        case .host:
            // The machine itself: its own /tmp, no namespace.
            argv = ["/bin/sh", "-c", inv.commandContent]
        case .namespace(let unshare):
            // Inside its own mount namespace /tmp is the instance's tmp; nothing outside sees it.
            argv = [unshare, "--mount", "--propagation", "private", "/bin/sh", "-c",
                    "mount --bind \"$1\" /tmp || exit 125; cmd=$2; shift 2; exec /bin/sh -c \"$cmd\"",
                    "appsnap-guest", root + "/tmp", inv.commandContent]
        case .tmpdir(let why):
            environment["TMPDIR"] = root + "/tmp"
            append("appsnap: warning: /tmp of this instance is not isolated (\(why)); TMPDIR=\(root)/tmp instead\n", to: output)
            argv = ["/bin/sh", "-c", inv.commandContent]
        }
        let pid: Int32
        do {
            pid = try Spawn.start(argv: argv, environment: environment, directory: root, stdoutPath: output.path, newSession: false)
        } catch {
            append("appsnap: \(error)\n", to: output)
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
                append("appsnap: the command timed out after \(inv.timeoutSeconds) s and was killed\n", to: output)
                return Outcome(status: InvocationStatus.timeout, exitCode: nil, errorCode: "CommandTimeout",
                               errorInfo: "the command ran longer than its Timeout of \(inv.timeoutSeconds) seconds")
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// A command's output is the operator's alone: 0600 whatever the umask.
    static func createPrivateFile(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        fchmod(fd, 0o600)
        close(fd)
    }

    private func append(_ text: String, to file: URL) {
        let fd = open(file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    }
}

/// How an emulated instance gets its own /tmp.
enum TmpIsolation: Equatable {
    /// `unshare --mount` plus a bind mount of <root>/tmp over /tmp.
    case namespace(unshare: String)
    /// Not possible here; TMPDIR points at <root>/tmp instead (said in one warning line).
    case tmpdir(why: String)
    /// The enrolled host: nothing to isolate, its /tmp is the real one.
    case host

    static func decide(stateDirectory: String, executablePath: String) -> TmpIsolation {
        guard getuid() == 0 else { return .tmpdir(why: "not running as root") }
        // Hiding /tmp would hide the cloud itself from the command.
        let places: [(String, String)] = [("the state directory", stateDirectory), ("the appsnap binary", executablePath)]
        for (what, path) in places {
            let real = realpath(path, nil).map { p -> String in defer { free(p) }; return String(cString: p) } ?? path
            if real == "/tmp" || real.hasPrefix("/tmp/") { return .tmpdir(why: "\(what) is under /tmp") }
        }
        let candidates: [String] = ["/usr/bin/unshare", "/bin/unshare"]
        guard let unshare = candidates.first(where: { access($0, X_OK) == 0 }) else {
            return .tmpdir(why: "unshare is not installed")
        }
        // A container may forbid new mount namespaces: try once.
        let probe = "mount --bind /tmp /tmp"
        guard let pid = try? Spawn.start(argv: [unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", probe],
                                         environment: ["PATH": "/usr/bin:/bin"], directory: "/", stdoutPath: "/dev/null",
                                         newSession: false) else { return .tmpdir(why: "unshare cannot be started") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else { return .tmpdir(why: "a private mount namespace cannot be made here") }
        return .namespace(unshare: unshare)
    }
}
