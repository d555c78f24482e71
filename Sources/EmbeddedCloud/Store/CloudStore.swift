import AppSnapCore
import Foundation
import GRDB

/// The embedded cloud's database, as GRDB's demo app keeps its `AppDatabase`: it owns the
/// connection (a WAL pool on disk, or a queue in memory for tests), runs the one
/// migrator, and names the writes that more than one place makes, so each rule is
/// written once. Everything else reads and writes through `writer` in its own
/// transaction (one write per multi-row change).
struct CloudStore: Sendable {
    let writer: any DatabaseWriter

    /// Migrates `writer` to the current schema.
    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Schema.migrator.migrate(writer)
    }

    /// The state folder's database, shared by every appsnap process through WAL.
    static func onDisk(_ layout: StateLayout) throws -> DatabasePool {
        var config = Configuration()
        // Several processes share the file: wait for a writer instead of failing at once.
        config.busyMode = .timeout(15)
        config.label = "appsnap.embedded-cloud"
        return try DatabasePool(path: layout.database.path, configuration: config)
    }

    /// A fresh database in memory, for tests of the store's own rules.
    static func inMemory() throws -> CloudStore {
        try CloudStore(DatabaseQueue())
    }
}

// MARK: - Named writes

extension CloudStore {
    /// A group fails with every snapshot that had not finished: the worker that cannot read
    /// an image, and the reconciler that finds one gone, both end a group this way.
    static func failGroup(_ db: Database, _ id: String) throws {
        try SnapshotRecord.all().inGroup(id).progressing().updateAll(db, SnapshotRecord.Columns.status.set(to: SnapshotStatus.failed))
        try SnapshotGroupRecord.filter(key: id).updateAll(db, SnapshotGroupRecord.Columns.status.set(to: SnapshotStatus.failed))
    }

    /// A group whose every snapshot was read is accomplished, with them.
    static func accomplishGroup(_ db: Database, _ id: String) throws {
        try SnapshotRecord.all().inGroup(id).progressing().updateAll(
            db, SnapshotRecord.Columns.status.set(to: SnapshotStatus.accomplished), SnapshotRecord.Columns.progress.set(to: 100))
        try SnapshotGroupRecord.filter(key: id).progressing()
            .updateAll(db, SnapshotGroupRecord.Columns.status.set(to: SnapshotStatus.accomplished))
    }
}
