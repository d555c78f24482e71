import AppSnapCore
import Foundation
import GRDB

// The read-only actions: regions, instances, disks, Cloud Assistant and RAM roles.
extension EmbeddedCloud {
    public func describeRegions() async throws -> [Region] {
        try await store.writer.read { db in
            try self.authorize(db, region: nil, action: "DescribeRegions")
            return try RegionRecord.order(Column("regionId")).fetchAll(db)
                .map { Region(RegionId: $0.regionId, LocalName: $0.localName, RegionEndpoint: $0.endpoint) }
        }
    }

    public func describeInstances(regionId: String, instanceIds: [String]?) async throws -> [Instance] {
        if let ids = instanceIds, ids.count > CloudLimits.instancesPerDescribe {
            throw ECSError("InvalidParameter.InstanceIds", "\(ids.count) instance IDs were given; DescribeInstances takes at most \(CloudLimits.instancesPerDescribe).")
        }
        return try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeInstances", aboutOnly: instanceIds)
            var request = InstanceRecord.filter(InstanceRecord.Columns.regionId == regionId)
            if let ids = instanceIds, !ids.isEmpty { request = request.filter(ids.contains(InstanceRecord.Columns.instanceId)) }
            return try request.order(Column("instanceName")).fetchAll(db).map(Self.model)
        }
    }

    public func describeDisks(regionId: String, instanceId: String?, diskIds: [String]?) async throws -> [Disk] {
        try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeDisks")
            var request = DiskRecord.filter(DiskRecord.Columns.regionId == regionId)
            if let instanceId, !instanceId.isEmpty { request = request.filter(DiskRecord.Columns.instanceId == instanceId) }
            if let ids = diskIds, !ids.isEmpty { request = request.filter(ids.contains(DiskRecord.Columns.diskId)) }
            let rows = try request.order(DiskRecord.Columns.instanceId, DiskRecord.Columns.device, DiskRecord.Columns.diskId).fetchAll(db)
            let tags = try TagRecord.tagSets(db, .disk, rows.map(\.diskId))
            return rows.map { Self.model($0, tags: tags[$0.diskId] ?? TagSet()) }
        }
    }

    public func describeCloudAssistantStatus(regionId: String, instanceIds: [String]) async throws -> [CloudAssistantStatus] {
        try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeCloudAssistantStatus")
            guard !instanceIds.isEmpty else { throw ECSError.missingParameter("InstanceId.1") }
            return try instanceIds.map { id in
                let i = try self.instance(db, id, region: regionId)
                return CloudAssistantStatus(InstanceId: i.instanceId, CloudAssistantStatus: i.assistantInstalled ? "true" : "false",
                                            CloudAssistantVersion: i.assistantVersion, OSType: i.osType)
            }
        }
    }

    public func installCloudAssistant(regionId: String, instanceIds: [String]) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: regionId, action: "InstallCloudAssistant")
            guard !instanceIds.isEmpty else { throw ECSError.missingParameter("InstanceId.1") }
            for id in instanceIds {
                var i = try self.instance(db, id, region: regionId)
                guard i.status == InstanceStatus.running else {
                    throw ECSError("IncorrectInstanceStatus", "The instance \(id) is \(i.status); Cloud Assistant can be installed only on a running instance.")
                }
                i.assistantInstalled = true
                i.assistantVersion = DemoInventory.assistantVersion
                try i.update(db)
            }
        }
    }

    public func describeInstanceRamRole(regionId: String, instanceIds: [String]) async throws -> [InstanceRamRole] {
        try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeInstanceRamRole", aboutOnly: instanceIds)
            guard !instanceIds.isEmpty else { throw ECSError.missingParameter("InstanceIds") }
            return try instanceIds.map { id in
                let i = try self.instance(db, id, region: regionId)
                return InstanceRamRole(InstanceId: i.instanceId, RamRoleName: i.ramRoleName ?? "")
            }
        }
    }

    // MARK: - Records → ECS shapes

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
