import AppSnapCore
import Foundation
import GRDB

// Work a dead process left behind is picked up at every start: nothing stays
// `progressing` or `Running` forever.
extension EmbeddedCloud {
    func reconcile() throws {
        try reconcileGroups()
        try reconcileInvocations()
    }

    private func reconcileGroups() throws {
        let orphans = try dbPool.read { db in
            try SnapshotGroupRecord.filter(SnapshotGroupRecord.Columns.status == SnapshotStatus.progressing).fetchAll(db)
                .filter { !Self.alive(pid: $0.workerPid, ticks: $0.workerStartTicks) }
        }
        for g in orphans {
            let ids = try dbPool.read { db in
                try String.fetchAll(db, sql: "SELECT snapshotId FROM snapshot WHERE snapshotGroupId = ?", arguments: [g.snapshotGroupId])
            }
            if ids.allSatisfy({ FileManager.default.fileExists(atPath: layout.snapshotImage($0).path) }) {
                // The images were whole before the rows were written: the work can resume.
                startGroupWorker(g.snapshotGroupId)
            } else {
                try dbPool.write { db in
                    try db.execute(sql: "UPDATE snapshot SET status = 'failed' WHERE snapshotGroupId = ? AND status = 'progressing'",
                                   arguments: [g.snapshotGroupId])
                    try db.execute(sql: "UPDATE snapshotGroup SET status = 'failed' WHERE snapshotGroupId = ?",
                                   arguments: [g.snapshotGroupId])
                }
            }
        }
    }

    private func reconcileInvocations() throws {
        let orphans = try dbPool.read { db in
            try InvocationRecord.fetchAll(db, sql: """
                SELECT * FROM invocation WHERE invokeId IN
                    (SELECT invokeId FROM invocationResult WHERE recordStatus != 'Finished')
                """).filter { !Self.alive(pid: $0.runnerPid, ticks: $0.runnerStartTicks) }
        }
        guard !orphans.isEmpty else { return }
        let now = timestamp()
        try dbPool.write { db in
            for inv in orphans {
                let open = try InvocationResultRecord.filter(InvocationResultRecord.Columns.invokeId == inv.invokeId
                                                             && InvocationResultRecord.Columns.recordStatus != "Finished").fetchAll(db)
                for var r in open {
                    (r.output, r.dropped) = Self.keptOutput(layout.outputFile(invokeId: r.invokeId, instanceId: r.instanceId))
                    r.status = InvocationStatus.failed
                    r.recordStatus = "Finished"
                    r.errorCode = "ExecutionInterrupted"
                    r.errorInfo = "the process running the command ended before the command finished"
                    r.finishedTime = now
                    try r.update(db)
                }
            }
        }
    }

    static func alive(pid: Int?, ticks: Int?) -> Bool {
        guard let pid, let ticks else { return false }
        return ProcessIdentity(pid: Int32(truncatingIfNeeded: pid), startTicks: ticks).isAlive
    }
}
