import AppSnapCore
import Foundation
import GRDB

// One record type per table; each is responsible for writing its table. They hold the
// database's view of a resource; the ECS shapes (AppSnapCore models) are built from them.

struct RegionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "region"
    var regionId: String
    var localName: String
    var endpoint: String
    var defaultZoneId: String
}

struct RamRoleRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "ramRole"
    var roleName: String
    var description: String
}

struct RamRoleActionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "ramRoleAction"
    var roleName: String
    /// An allowed action pattern, e.g. `ecs:DescribeSnapshot*`.
    var action: String
}

struct InstanceRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "instance"
    var instanceId: String
    var instanceName: String
    var regionId: String
    var zoneId: String
    var status: String
    var osType: String
    var osName: String
    var instanceType: String
    var creationTime: String
    var assistantInstalled: Bool
    var assistantVersion: String
    var ramRoleName: String?
    /// The enrolled machine itself: commands run on it directly, its disks are loop devices.
    var isHost: Bool = false

    enum Columns {
        static let isHost = Column(CodingKeys.isHost)
        static let instanceId = Column(CodingKeys.instanceId)
        static let regionId = Column(CodingKeys.regionId)
    }
}

struct VssWriterRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "vssWriter"
    var instanceId: String
    var writerName: String
}

struct DiskRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "disk"
    var diskId: String
    var diskName: String
    var regionId: String
    var zoneId: String
    var instanceId: String?
    var category: String
    var size: Int
    var status: String
    var type: String
    var device: String
    var multiAttach: String
    var sourceSnapshotId: String
    var creationTime: String

    enum Columns {
        static let diskId = Column(CodingKeys.diskId)
        static let regionId = Column(CodingKeys.regionId)
        static let instanceId = Column(CodingKeys.instanceId)
        static let device = Column(CodingKeys.device)
    }
}

struct SnapshotGroupRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "snapshotGroup"
    var snapshotGroupId: String
    var regionId: String
    var instanceId: String
    var name: String
    var description: String
    var status: String
    var creationTime: String
    var workerPid: Int?
    var workerStartTicks: Int?
    /// The plugin run that made the group, until it has tagged it (see `markInterruptedGroups`).
    var creatorPid: Int?
    var creatorStartTicks: Int?

    enum Columns {
        static let snapshotGroupId = Column(CodingKeys.snapshotGroupId)
        static let regionId = Column(CodingKeys.regionId)
        static let instanceId = Column(CodingKeys.instanceId)
        static let status = Column(CodingKeys.status)
    }
}

struct SnapshotRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "snapshot"
    var snapshotId: String
    var regionId: String
    var snapshotName: String
    var sourceDiskId: String
    var sourceDiskSize: Int
    var sourceDiskType: String
    var instanceId: String
    var status: String
    var progress: Int
    var snapshotType: String
    var snapshotGroupId: String?
    var creationTime: String
    /// Bytes of data (not holes) in the image, once the worker has read it.
    var dataBytes: Int?
    /// FNV-1a 64 over the data extents (offset and bytes), once the worker has read them.
    var checksum: String?

    enum Columns {
        static let snapshotId = Column(CodingKeys.snapshotId)
        static let regionId = Column(CodingKeys.regionId)
        static let sourceDiskId = Column(CodingKeys.sourceDiskId)
        static let instanceId = Column(CodingKeys.instanceId)
        static let snapshotGroupId = Column(CodingKeys.snapshotGroupId)
        static let snapshotType = Column(CodingKeys.snapshotType)
        static let status = Column(CodingKeys.status)
        static let progress = Column(CodingKeys.progress)
    }
}

struct TagRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "tag"
    var resourceType: String
    var resourceId: String
    var tagKey: String
    var tagValue: String

    enum Columns {
        static let resourceType = Column(CodingKeys.resourceType)
        static let resourceId = Column(CodingKeys.resourceId)
    }
}

struct InvocationRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "invocation"
    var invokeId: String
    var regionId: String
    var commandType: String
    var commandContent: String
    var name: String
    var timeoutSeconds: Int
    var creationTime: String
    var runnerPid: Int?
    var runnerStartTicks: Int?

    enum Columns {
        static let invokeId = Column(CodingKeys.invokeId)
        static let regionId = Column(CodingKeys.regionId)
    }
}

struct InvocationResultRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "invocationResult"
    var invokeId: String
    var instanceId: String
    var status: String
    /// `Pending`, `Running` or `Finished`.
    var recordStatus: String
    var exitCode: Int?
    var output: Data
    var dropped: Int
    var errorCode: String
    var errorInfo: String
    var startTime: String
    var finishedTime: String

    enum Columns {
        static let invokeId = Column(CodingKeys.invokeId)
        static let instanceId = Column(CodingKeys.instanceId)
        static let recordStatus = Column(CodingKeys.recordStatus)
    }
}

/// The tag store's resource types, as ECS names them.
enum ResourceType: String, CaseIterable {
    case snapshot, disk, instance, snapshotgroup
}

extension TagRecord {
    static func tags(_ db: Database, _ type: ResourceType, _ id: String) throws -> TagSet {
        let rows = try TagRecord
            .filter(Columns.resourceType == type.rawValue && Columns.resourceId == id)
            .order(Column("tagKey"))
            .fetchAll(db)
        return TagSet(rows.map { Tag($0.tagKey, $0.tagValue) })
    }

    /// The tags of many resources in one query: a Describe* of N resources would
    /// otherwise prepare and run N statements, most of its cost.
    static func tagSets(_ db: Database, _ type: ResourceType, _ ids: [String]) throws -> [String: TagSet] {
        var out: [String: [Tag]] = [:]
        let rows = try TagRecord
            .filter(Columns.resourceType == type.rawValue && ids.contains(Columns.resourceId))
            .order(Column("tagKey"))
            .fetchAll(db)
        for r in rows { out[r.resourceId, default: []].append(Tag(r.tagKey, r.tagValue)) }
        return out.mapValues { TagSet($0) }
    }

    static func deleteAll(_ db: Database, _ type: ResourceType, _ ids: [String]) throws {
        _ = try TagRecord
            .filter(Columns.resourceType == type.rawValue && ids.contains(Columns.resourceId))
            .deleteAll(db)
    }
}

/// How a disk of the host instance becomes a file system: made on first attach, mounted.
struct HostDiskRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "hostDisk"
    var diskId: String
    var fsType: String
    var mountPoint: String
}
