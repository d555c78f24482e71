import AppSnapCore
import Foundation
import GRDB

// The ECS shapes (AppSnapCore models) built from the records, for every Describe*.
extension EmbeddedCloud {
    static func model(_ i: InstanceRecord) -> Instance {
        Instance(InstanceId: i.instanceId, InstanceName: i.instanceName, RegionId: i.regionId, ZoneId: i.zoneId,
                 Status: i.status, OSType: i.osType, OSName: i.osName, InstanceType: i.instanceType,
                 CreationTime: i.creationTime)
    }

    static func model(_ d: DiskRecord, _ db: Database) throws -> Disk {
        model(d, tags: try TagRecord.tags(db, .disk, d.diskId))
    }

    static func model(_ d: DiskRecord, tags: TagSet) -> Disk {
        Disk(DiskId: d.diskId, DiskName: d.diskName, RegionId: d.regionId, ZoneId: d.zoneId, InstanceId: d.instanceId ?? "",
             Category: d.category, Size: d.size, Status: d.status, Type: d.type, Device: d.device,
             MultiAttach: d.multiAttach, SourceSnapshotId: d.sourceSnapshotId, CreationTime: d.creationTime,
             Tags: tags)
    }

    static func model(_ s: SnapshotRecord, _ db: Database) throws -> Snapshot {
        model(s, tags: try TagRecord.tags(db, .snapshot, s.snapshotId))
    }

    static func model(_ s: SnapshotRecord, tags: TagSet) -> Snapshot {
        Snapshot(SnapshotId: s.snapshotId, SnapshotName: s.snapshotName, SourceDiskId: s.sourceDiskId,
                 SourceDiskSize: s.sourceDiskSize, SourceDiskType: s.sourceDiskType == "system" ? "System" : "Data",
                 Status: s.status, Progress: "\(s.progress)%", SnapshotType: s.snapshotType,
                 SnapshotGroupId: s.snapshotGroupId ?? "", CreationTime: s.creationTime, Tags: tags)
    }

    static func model(_ g: SnapshotGroupRecord, _ db: Database) throws -> SnapshotGroup {
        let rows = try SnapshotRecord.filter(SnapshotRecord.Columns.snapshotGroupId == g.snapshotGroupId)
            .order(SnapshotRecord.Columns.snapshotId).fetchAll(db)
        let tags = try TagRecord.tagSets(db, .snapshot, rows.map(\.snapshotId))
        let snapshots = rows.map { model($0, tags: tags[$0.snapshotId] ?? TagSet()) }
        return SnapshotGroup(SnapshotGroupId: g.snapshotGroupId, Name: g.name, Description: g.description,
                             InstanceId: g.instanceId, Status: g.status, CreationTime: g.creationTime,
                             Snapshots: SnapshotSet(snapshots), Tags: try TagRecord.tags(db, .snapshotgroup, g.snapshotGroupId))
    }
}
