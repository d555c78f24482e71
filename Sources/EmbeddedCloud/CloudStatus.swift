import Foundation
import GRDB

/// `appsnap cloud status`: where the cloud lives and what it holds.
public struct CloudStatus: Sendable, Hashable, Codable {
    public var stateDirectory: String
    public var database: String
    public var pool: String
    /// True when the pool's file system clones images by reflink (FICLONE); otherwise
    /// snapshots and disks from snapshots are sparse copies.
    public var reflink: Bool
    public var regions: Int
    public var instances: Int
    public var disks: Int
    public var snapshots: Int
    public var snapshotGroups: Int
    public var invocations: Int
    /// Images a crash left without a row, moved to pool/orphans.
    public var orphanedImages: Int = 0

    public var rendered: String {
        """
        state directory  \(stateDirectory)
        database         \(database)
        storage pool     \(pool) (\(reflink ? "reflink clones (FICLONE)" : "sparse copies: no reflink on this file system"))
        regions          \(regions)
        instances        \(instances)
        disks            \(disks)
        snapshots        \(snapshots)
        snapshot groups  \(snapshotGroups)
        invocations      \(invocations)
        orphaned images  \(orphanedImages)\(orphanedImages > 0 ? " (in \(pool)/orphans: left by a crash before their rows were written; nothing refers to them)" : "")
        """
    }
}

extension EmbeddedCloud {
    public func status() throws -> CloudStatus {
        try store.writer.read { db in
            CloudStatus(stateDirectory: layout.root.path, database: layout.database.path, pool: layout.pool.path,
                        reflink: PoolImages.reflinkSupported(directory: layout.snapshots),
                        regions: try RegionRecord.fetchCount(db), instances: try InstanceRecord.fetchCount(db),
                        disks: try DiskRecord.fetchCount(db), snapshots: try SnapshotRecord.fetchCount(db),
                        snapshotGroups: try SnapshotGroupRecord.fetchCount(db), invocations: try InvocationRecord.fetchCount(db),
                        orphanedImages: orphanedImageCount())
        }
    }
}
