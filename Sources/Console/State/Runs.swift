import AppSnapCore

/// A run's life after OK: the invocation's output into the log, the exit code, the group.
enum Runs {
    static let pollInterval = 0.5
    static let groupPollInterval = 1.0

    static func ingest(_ s: inout ConsoleState, _ r: InvocationResult) -> [Effect] {
        guard var run = s.run, run.invokeId == r.InvokeId else { return [] }
        run.invocationStatus = r.InvocationStatus
        run.cloudDropped = r.Dropped
        let scalars = r.Output.unicodeScalars
        if scalars.count < run.consumed { run.consumed = 0; run.partialLine = "" }
        if scalars.count > run.consumed {
            var text = run.partialLine
            text.unicodeScalars.append(contentsOf: scalars.dropFirst(run.consumed))
            run.consumed = scalars.count
            var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            run.partialLine = parts.removeLast()
            for line in parts {
                // Whole escape sequences go, not just their ESC: `logs` shows the same text.
                let l = TerminalText.sanitized(line)
                if run.groupId == nil, let id = groupId(in: l) { run.groupId = id }
                run.log.append(l)
            }
        }
        var effects: [Effect] = []
        if r.isFinished {
            if !run.partialLine.isEmpty {
                if run.groupId == nil, let id = groupId(in: run.partialLine) { run.groupId = id }
                run.log.append(TerminalText.sanitized(run.partialLine)); run.partialLine = ""
            }
            run.exitCode = r.ExitCode
            run.errorCode = r.ErrorCode
            run.phase = .finished
            if let id = run.groupId {
                effects.append(.pollGroup(regionId: run.regionId, groupId: id, after: 0))
            } else if let req = run.request, r.ExitCode == 0 {
                // A failed run names no group because it made none: an older group of the
                // same name must not be shown as this run's result.
                effects.append(.findGroup(regionId: run.regionId, instanceId: req.instance.InstanceId, name: req.name, after: 0))
            }
        } else {
            effects.append(.pollInvocation(regionId: run.regionId, invokeId: r.InvokeId, instanceId: run.instanceId, after: pollInterval))
        }
        s.run = run
        return effects
    }

    /// The first `ssg-…` token in a line, as in `Finish SnapshotGroup=ssg-… Creation`.
    static func groupId(in line: String) -> String? {
        guard let r = line.range(of: "ssg-") else { return nil }
        let id = line[r.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
        return id.count > 4 ? String(id) : nil
    }

    static func groupLoaded(_ s: inout ConsoleState, _ group: SnapshotGroup?) -> [Effect] {
        guard let g = group else {
            if var run = s.run, run.group == nil {
                run.log.append("no snapshot-consistent group was created")
                s.run = run
            }
            return []
        }
        if let i = s.groups.firstIndex(where: { $0.SnapshotGroupId == g.SnapshotGroupId }) {
            s.groups[i] = g
        } else if g.InstanceId.isEmpty == false, s.regionId != nil, s.run?.regionId == s.regionId,
                  s.run?.groupId == g.SnapshotGroupId || s.run?.groupId == nil {
            s.groups.insert(g, at: 0)
            Lists.setGroupRows(&s)
        }
        if var run = s.run, run.groupId == nil || run.groupId == g.SnapshotGroupId, run.phase == .finished {
            run.groupId = g.SnapshotGroupId
            run.group = g
            s.run = run
        }
        let busy = g.Status == SnapshotStatus.progressing
            || g.Snapshots.Snapshot.contains { $0.Status == SnapshotStatus.progressing }
        let watched = s.run?.groupId == g.SnapshotGroupId || s.place == .groupDetail(g.SnapshotGroupId)
        if busy && watched, let region = s.run?.regionId ?? s.regionId {
            return [.pollGroup(regionId: region, groupId: g.SnapshotGroupId, after: groupPollInterval)]
        }
        return []
    }

    static func failed(_ s: inout ConsoleState, _ call: CloudCall, message: String) -> [Effect] {
        s.message = StatusMessage(level: .error, text: "\(call.rawValue) failed: \(message)")
        if let r = call.resource { s.loading.remove(r) }
        if call.endsRun, var run = s.run {
            run.phase = .failed("\(call.rawValue) failed: \(message)")
            run.log.append("\(call.rawValue) failed: \(message)")
            s.run = run
        }
        if call == .modifySnapshotGroup || call == .deleteSnapshotGroup { GroupDialogs.failed(&s, message: message) }
        if call == .describeInvocationResults, let run = s.run, let id = run.invokeId, run.phase == .running {
            return [.pollInvocation(regionId: run.regionId, invokeId: id, instanceId: run.instanceId, after: 2)]
        }
        return []
    }
}
