import AppSnapCore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

// Work a dead process left behind is picked up at every start: nothing stays
// `progressing` or `Running` forever.
extension EmbeddedCloud {
    func reconcile() throws {
        try reconcileGroups()
        try markInterruptedGroups()
        try reconcileInvocations()
    }

    private func reconcileGroups() throws {
        try takeOverOrphanedGroups()
    }

    /// A progressing group whose worker died is carried on by whoever notices: any open of
    /// the cloud, and any reader of the group (the plugin polling it among them), so it
    /// finishes without anyone running another command. One claim in one write decides
    /// who takes it over, so concurrent readers start one worker, not several.
    func takeOverOrphanedGroups(among ids: [String]? = nil) throws {
        let me = ProcessIdentity.current()
        let orphans = try store.writer.read { db in
            var request = SnapshotGroupRecord.filter(SnapshotGroupRecord.Columns.status == SnapshotStatus.progressing)
            if let ids { request = request.filter(ids.contains(SnapshotGroupRecord.Columns.snapshotGroupId)) }
            return try request.fetchAll(db).filter { !Self.alive(pid: $0.workerPid, ticks: $0.workerStartTicks) }
        }
        for g in orphans {
            let claimed = try store.writer.write { db -> Bool in
                try db.execute(sql: """
                    UPDATE snapshotGroup SET workerPid = ?, workerStartTicks = ?
                    WHERE snapshotGroupId = ? AND status = 'progressing' AND workerPid IS ? AND workerStartTicks IS ?
                    """, arguments: [Int(me.pid), me.startTicks, g.snapshotGroupId, g.workerPid, g.workerStartTicks])
                return db.changesCount > 0
            }
            guard claimed else { continue }
            let ids = try store.writer.read { db in
                try String.fetchAll(db, sql: "SELECT snapshotId FROM snapshot WHERE snapshotGroupId = ?", arguments: [g.snapshotGroupId])
            }
            if ids.allSatisfy({ FileManager.default.fileExists(atPath: layout.snapshotImage($0).path) }) {
                // The images were whole before the rows were written: the work can resume.
                startGroupWorker(g.snapshotGroupId)
            } else {
                try store.writer.write { db in try CloudStore.failGroup(db, g.snapshotGroupId) }
            }
        }
    }

    private func reconcileInvocations() throws {
        let orphans = try store.writer.read { db in
            try InvocationRecord.fetchAll(db, sql: """
                SELECT * FROM invocation WHERE invokeId IN
                    (SELECT invokeId FROM invocationResult WHERE recordStatus != 'Finished')
                """).filter { !Self.alive(pid: $0.runnerPid, ticks: $0.runnerStartTicks) }
        }
        guard !orphans.isEmpty else { return }
        let now = timestamp()
        try store.writer.write { db in
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

// Images are written before the rows that name them, so a crash in between (a copy
// killed half-way, a process gone before its insert) leaves an image nothing refers to.
// At each open, when no copy is under way anywhere, such images are moved to
// pool/orphans: out of the pool's way, counted by `cloud status`, deleted by no one
// but the operator.
extension EmbeddedCloud {
    func sweepOrphanedImages() {
        guard let lock = FileLock.ifFree(path: layout.imageWriteLock.path) else { return }
        defer { lock.unlock() }
        let held = StateContents.scan(layout)
        guard let (disks, snapshots) = try? store.writer.read({ db in
            (Set(try String.fetchAll(db, sql: "SELECT diskId FROM disk")),
             Set(try String.fetchAll(db, sql: "SELECT snapshotId FROM snapshot")))
        }) else { return }
        let strays = held.diskImages.filter { !disks.contains($0) }.map(layout.diskImage)
            + held.snapshotImages.filter { !snapshots.contains($0) }.map(layout.snapshotImage)
        guard !strays.isEmpty else { return }
        try? FileManager.default.createDirectory(at: layout.orphans, withIntermediateDirectories: true)
        for url in strays {
            _ = rename(url.path, layout.orphans.appendingPathComponent(url.lastPathComponent).path)
        }
    }

    /// Images in pool/orphans.
    func orphanedImageCount() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: layout.orphans.path)) ?? []).filter { $0.hasSuffix(".img") }.count
    }
}

// A plugin killed after its point in time was captured leaves a group that is whole but
// untagged: it would pass for crash-consistent. Whoever reads groups after the plugin is
// gone tags such a group's snapshots `appsnap:consistency-reason: interrupted`.
extension EmbeddedCloud {
    func markInterruptedGroups() throws {
        let pending = try store.writer.read { db in
            try SnapshotGroupRecord.filter(sql: "creatorPid IS NOT NULL").fetchAll(db)
                .filter { !Self.alive(pid: $0.creatorPid, ticks: $0.creatorStartTicks) }
        }
        guard !pending.isEmpty else { return }
        try store.writer.write { db in
            for g in pending {
                let snapshots = try String.fetchAll(db, sql: "SELECT snapshotId FROM snapshot WHERE snapshotGroupId = ?",
                                                    arguments: [g.snapshotGroupId])
                let tagged = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM tag WHERE resourceType = 'snapshot' AND resourceId IN (SELECT snapshotId FROM snapshot WHERE snapshotGroupId = ?)
                    AND (tagKey LIKE 'appsnap:%' OR tagKey IN ('APPConsistent', 'FsConsistent'))
                    """, arguments: [g.snapshotGroupId]) ?? 0
                if tagged == 0 {
                    for id in snapshots {
                        try TagRecord(resourceType: ResourceType.snapshot.rawValue, resourceId: id,
                                      tagKey: "appsnap:consistency-reason", tagValue: "interrupted").upsert(db)
                    }
                }
                try db.execute(sql: "UPDATE snapshotGroup SET creatorPid = NULL, creatorStartTicks = NULL WHERE snapshotGroupId = ?",
                               arguments: [g.snapshotGroupId])
            }
        }
    }
}
