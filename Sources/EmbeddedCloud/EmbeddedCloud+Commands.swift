import AppSnapCore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

// Cloud Assistant: RunCommand, SendFile and what they report.
extension EmbeddedCloud {
    static let commandTypes: [String: String] = [
        "RunShellScript": "linux", "RunBatScript": "windows", "RunPowerShellScript": "windows",
    ]

    public func runCommand(_ r: RunCommandRequest) async throws -> String {
        let invokeId = Self.newId("t", region: r.regionId)
        let me = ProcessIdentity.current()
        let now = timestamp()
        let needsRunner: Bool = try await store.writer.write { db in
            try self.authorize(db, region: r.regionId, action: "RunCommand")
            guard !r.type.isEmpty else { throw ECSError.missingParameter("Type") }
            guard let os = Self.commandTypes[r.type] else {
                throw ECSError("InvalidParameter.Type", "The command Type \"\(r.type)\" is not supported: use RunShellScript, RunBatScript or RunPowerShellScript.")
            }
            guard !r.commandContent.isEmpty else { throw ECSError.missingParameter("CommandContent") }
            guard r.commandContent.utf8.count <= commandContentLimit else {
                throw ECSError("InvalidParameter.CommandContent", "CommandContent is \(r.commandContent.utf8.count) bytes; at most \(commandContentLimit) bytes (24 KB) are allowed.")
            }
            // Counted as given, before duplicates go: 101 copies of one ID are 101 IDs to ECS.
            guard r.instanceIds.count <= CloudLimits.instancesPerRunCommand else {
                throw ECSError("InvalidParameter.InstanceIds", "\(r.instanceIds.count) instance IDs were given; RunCommand takes at most \(CloudLimits.instancesPerRunCommand).")
            }
            let ids = r.instanceIds.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            guard !ids.isEmpty else { throw ECSError.missingParameter("InstanceId.1") }
            guard (1...86400).contains(r.timeout) else {
                throw ECSError.invalidParameter("Timeout", "must be 1 to 86400 seconds; \(r.timeout) was given")
            }
            let instances = try ids.map { try self.instance(db, $0, region: r.regionId) }
            for i in instances where i.osType.lowercased() != os {
                throw ECSError("InvalidParameter.Type", "The command Type \(r.type) is for \(os) instances; \(i.instanceId) runs \(i.osType). Use \(i.osType == "windows" ? "RunBatScript or RunPowerShellScript" : "RunShellScript").")
            }
            try Self.checkRunnable(r.commandContent, on: instances)
            try InvocationRecord(invokeId: invokeId, regionId: r.regionId, commandType: r.type, commandContent: r.commandContent,
                                 name: r.name, timeoutSeconds: r.timeout, creationTime: now,
                                 runnerPid: Int(me.pid), runnerStartTicks: me.startTicks).insert(db)
            var pending = false
            for i in instances {
                var result = InvocationResultRecord(invokeId: invokeId, instanceId: i.instanceId, status: "Pending",
                                                    recordStatus: "Pending", exitCode: nil, output: Data(), dropped: 0,
                                                    errorCode: "", errorInfo: "", startTime: "", finishedTime: "")
                if i.status != InstanceStatus.running {
                    result.status = InvocationStatus.failed; result.recordStatus = "Finished"; result.finishedTime = now
                    result.errorCode = "InstanceNotRunning"; result.errorInfo = "the instance is \(i.status), not Running"
                } else if !i.assistantInstalled {
                    result.status = InvocationStatus.failed; result.recordStatus = "Finished"; result.finishedTime = now
                    result.errorCode = "ClientNotRunning"; result.errorInfo = "the Cloud Assistant client is not running on the instance"
                } else {
                    pending = true
                }
                try result.insert(db)
            }
            return pending
        }
        try FileManager.default.createDirectory(at: layout.invocationDirectory(invokeId), withIntermediateDirectories: true)
        if needsRunner { startRunner(invokeId) }
        return invokeId
    }

    /// Refused before anything is recorded: an emulated Windows line that is not the plugin
    /// line, or an emulated Linux instance on a machine that cannot isolate it.
    static func checkRunnable(_ content: String, on instances: [InstanceRecord]) throws {
        if instances.contains(where: { $0.osType == "windows" }) { _ = try WindowsPluginLine.arguments(of: content) }
        if instances.contains(where: { $0.osType != "windows" && !$0.isHost }), let why = InstanceSandbox.unavailable {
            throw ECSError("OperationDenied.IsolationUnavailable", "RunCommand on an emulated instance is refused: \(why).", httpStatus: 403)
        }
    }

    /// Starts the detached runner; if it cannot be started, this process runs the command.
    private func startRunner(_ invokeId: String) {
        let pid: Int32
        do {
            pid = try spawner.spawn([executablePath, "cloud", "_run-invocation", "--state", layout.root.path, invokeId])
        } catch {
            Task.detached { try? await self.runInvocation(invokeId) }
            return
        }
        // Only a failed spawn runs the command here: once the runner exists, a failed write
        // of its PID must not start the command a second time (the runner records itself).
        let ticks = ProcessIdentity.startTicks(of: pid)
        try? store.writer.write { db in
            try db.execute(sql: "UPDATE invocation SET runnerPid = ?, runnerStartTicks = ? WHERE invokeId = ?",
                           arguments: [Int(pid), ticks, invokeId])
        }
    }

    public func describeInvocations(regionId: String, invokeId: String?, instanceId: String?) async throws -> [Invocation] {
        try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeInvocations")
            var request = InvocationRecord.filter(InvocationRecord.Columns.regionId == regionId)
            if let invokeId, !invokeId.isEmpty { request = request.filter(InvocationRecord.Columns.invokeId == invokeId) }
            if let instanceId, !instanceId.isEmpty {
                request = request.filter(sql: "invokeId IN (SELECT invokeId FROM invocationResult WHERE instanceId = ?)",
                                         arguments: [instanceId])
            }
            return try request.order(Column("creationTime").desc, InvocationRecord.Columns.invokeId).fetchAll(db).map { inv in
                let results = try InvocationResultRecord.filter(InvocationResultRecord.Columns.invokeId == inv.invokeId)
                    .order(InvocationResultRecord.Columns.instanceId).fetchAll(db)
                return Invocation(InvokeId: inv.invokeId, CommandType: inv.commandType, CommandContent: inv.commandContent,
                                  InvocationStatus: Self.overallStatus(results.map(\.status)), CreationTime: inv.creationTime,
                                  InvokeInstances: InvokeInstanceSet(results.map {
                                      InvokeInstance(InstanceId: $0.instanceId, InvocationStatus: $0.status)
                                  }))
            }
        }
    }

    /// The invocation's status from its instances' (as ECS sums them up).
    static func overallStatus(_ statuses: [String]) -> String {
        if statuses.contains(where: { $0 == "Pending" || $0 == InvocationStatus.running }) {
            return statuses.contains(InvocationStatus.running) ? InvocationStatus.running : "Pending"
        }
        let ok = statuses.filter { $0 == InvocationStatus.success }.count
        if ok == statuses.count { return InvocationStatus.success }
        return ok == 0 ? InvocationStatus.failed : "PartialFailed"
    }

    public func describeInvocationResults(regionId: String, invokeId: String?, instanceId: String?,
                                          contentEncoding: ContentEncoding) async throws -> [InvocationResult] {
        let rows: [InvocationResultRecord] = try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeInvocationResults")
            var sql = """
                SELECT invocationResult.* FROM invocationResult JOIN invocation USING (invokeId)
                WHERE invocation.regionId = ?
                """
            var arguments: StatementArguments = [regionId]
            if let invokeId, !invokeId.isEmpty { sql += " AND invokeId = ?"; arguments += [invokeId] }
            if let instanceId, !instanceId.isEmpty { sql += " AND invocationResult.instanceId = ?"; arguments += [instanceId] }
            sql += " ORDER BY invocation.creationTime DESC, invokeId, invocationResult.instanceId"
            return try InvocationResultRecord.fetchAll(db, sql: sql, arguments: arguments)
        }
        return rows.map { row in
            var output = row.output, dropped = row.dropped
            if row.recordStatus == InvocationStatus.running {
                // Still running: what has been written so far.
                (output, dropped) = Self.keptOutput(layout.outputFile(invokeId: row.invokeId, instanceId: row.instanceId))
            }
            let text = contentEncoding == .plainText ? String(decoding: output, as: UTF8.self) : output.base64EncodedString()
            return InvocationResult(InvokeId: row.invokeId, InstanceId: row.instanceId, InvocationStatus: row.status,
                                    InvokeRecordStatus: row.recordStatus, ExitCode: row.exitCode, Output: text,
                                    Dropped: dropped, ErrorCode: row.errorCode, ErrorInfo: row.errorInfo,
                                    StartTime: row.startTime, FinishedTime: row.finishedTime)
        }
    }

    /// The first 24 KB of an output file, and how many bytes lie beyond them.
    static func keptOutput(_ file: URL) -> (Data, Int) {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return (Data(), 0) }
        defer { try? handle.close() }
        let kept = (try? handle.read(upToCount: invocationOutputLimit)) ?? Data()
        let size = (try? handle.seekToEnd()).map(Int.init) ?? kept.count
        return (kept, max(0, size - kept.count))
    }

    // MARK: - SendFile

    public func sendFile(_ r: SendFileRequest) async throws -> String {
        let invokeId = Self.newId("f", region: r.regionId)
        let now = timestamp()
        let (instances, mode) = try await store.writer.read { db -> ([InstanceRecord], mode_t) in
            try self.authorize(db, region: r.regionId, action: "SendFile")
            guard r.instanceIds.count <= CloudLimits.instancesPerRunCommand else {
                throw ECSError("InvalidParameter.InstanceIds", "\(r.instanceIds.count) instance IDs were given; SendFile takes at most \(CloudLimits.instancesPerRunCommand).")
            }
            let ids = r.instanceIds.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            guard !ids.isEmpty else { throw ECSError.missingParameter("InstanceId.1") }
            guard !r.name.isEmpty else { throw ECSError.missingParameter("Name") }
            guard !r.name.contains("/"), !r.name.contains("\\"), r.name != ".", r.name != ".." else {
                throw ECSError.invalidParameter("Name", "a file name, without / or \\")
            }
            guard !r.targetDir.isEmpty else { throw ECSError.missingParameter("TargetDir") }
            guard r.content.count <= 32 * 1024 else {
                throw ECSError("InvalidParameter.Content", "Content is \(r.content.count) bytes; at most 32 KB can be sent.")
            }
            guard r.fileMode.count <= 4, let mode = mode_t(r.fileMode.isEmpty ? "0644" : r.fileMode, radix: 8), mode <= 0o7777 else {
                throw ECSError.invalidParameter("FileMode", "an octal mode such as 0644 or 0700 is expected; \"\(r.fileMode)\" was given")
            }
            try Self.checkSendFileSafety(r, mode: mode)
            let instances = try ids.map { try self.instance(db, $0, region: r.regionId) }
            for i in instances where i.osType != "windows" && !r.targetDir.hasPrefix("/") {
                throw ECSError.invalidParameter("TargetDir", "\(r.targetDir) is not an absolute path on Linux instance \(i.instanceId)")
            }
            return (instances, mode)
        }
        var results: [InvocationResultRecord] = []
        for i in instances {
            var result = InvocationResultRecord(invokeId: invokeId, instanceId: i.instanceId, status: InvocationStatus.success,
                                                recordStatus: "Finished", exitCode: 0, output: Data(), dropped: 0,
                                                errorCode: "", errorInfo: "", startTime: now, finishedTime: now)
            if i.status != InstanceStatus.running {
                result.errorCode = "InstanceNotRunning"; result.errorInfo = "the instance is \(i.status), not Running"
            } else if !i.assistantInstalled {
                result.errorCode = "ClientNotRunning"; result.errorInfo = "the Cloud Assistant client is not running on the instance"
            } else if let failure = deliver(r, mode: mode, to: i) {
                (result.errorCode, result.errorInfo) = failure
            }
            if !result.errorCode.isEmpty { result.status = InvocationStatus.failed; result.exitCode = nil }
            results.append(result)
        }
        let delivered = results
        try await store.writer.write { db in
            try InvocationRecord(invokeId: invokeId, regionId: r.regionId, commandType: "SendFile",
                                 commandContent: Self.joinTarget(r.targetDir, r.name), name: r.name, timeoutSeconds: 60,
                                 creationTime: now, runnerPid: nil, runnerStartTicks: nil).insert(db)
            for result in delivered { try result.insert(db) }
        }
        return invokeId
    }

    static func joinTarget(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") || dir.hasSuffix("\\") ? dir + name : dir + (dir.contains("\\") ? "\\" : "/") + name
    }
}
