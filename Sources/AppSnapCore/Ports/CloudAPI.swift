import Foundation

/// The ECS actions appsnap uses (SPEC §10), typed. Every backend implements this port
/// (the embedded cloud, Alibaba Cloud); every front end (console, command line, ECS
/// endpoint, the plugin itself) talks only to it. Failures are thrown as `ECSError`.
public protocol CloudAPI: Sendable {
    func describeRegions() async throws -> [Region]
    func describeInstances(regionId: String, instanceIds: [String]?) async throws -> [Instance]
    func describeDisks(regionId: String, instanceId: String?, diskIds: [String]?) async throws -> [Disk]
    func describeCloudAssistantStatus(regionId: String, instanceIds: [String]) async throws -> [CloudAssistantStatus]
    func installCloudAssistant(regionId: String, instanceIds: [String]) async throws
    func describeInstanceRamRole(regionId: String, instanceIds: [String]) async throws -> [InstanceRamRole]

    /// Returns the InvokeId at once; the command runs on asynchronously.
    func runCommand(_ request: RunCommandRequest) async throws -> String
    func describeInvocations(regionId: String, invokeId: String?, instanceId: String?) async throws -> [Invocation]
    func describeInvocationResults(regionId: String, invokeId: String?, instanceId: String?,
                                   contentEncoding: ContentEncoding) async throws -> [InvocationResult]
    /// Returns the InvokeId of the file delivery.
    func sendFile(_ request: SendFileRequest) async throws -> String

    /// Returns the SnapshotGroupId once every snapshot's point in time is captured.
    func createSnapshotGroup(_ request: CreateSnapshotGroupRequest) async throws -> String
    func describeSnapshotGroups(regionId: String, instanceId: String?, snapshotGroupIds: [String]?) async throws -> [SnapshotGroup]
    func deleteSnapshotGroup(regionId: String, snapshotGroupId: String) async throws
    func describeSnapshots(regionId: String, snapshotIds: [String]?, diskId: String?, instanceId: String?) async throws -> [Snapshot]
    func deleteSnapshot(regionId: String, snapshotId: String) async throws
    /// `resourceType` is `snapshot`, `disk`, `instance` or `snapshotgroup` (lower case, as ECS).
    func tagResources(regionId: String, resourceType: String, resourceIds: [String], tags: [Tag], dryRun: Bool) async throws

    /// Returns the new DiskId.
    func createDisk(_ request: CreateDiskRequest) async throws -> String
    func attachDisk(instanceId: String, diskId: String) async throws
    func detachDisk(instanceId: String, diskId: String) async throws

    // The operator's lifecycle after a group exists (SPEC §14).
    /// ResetDisks (`regionId` given) and ResetDisk (nil: the disk's own region). Every disk
    /// is checked before any is touched; `dryRun` stops there with DryRunOperation.
    func resetDisks(regionId: String?, disks: [DiskReset], dryRun: Bool) async throws -> [OperationProgress]
    func stopInstance(instanceId: String, forceStop: Bool, dryRun: Bool) async throws
    func startInstance(instanceId: String, dryRun: Bool) async throws
    /// nil leaves a field as it is.
    func modifySnapshotGroup(regionId: String, snapshotGroupId: String, name: String?, description: String?) async throws
}

public enum ContentEncoding: String, Sendable, CaseIterable {
    case base64 = "Base64"
    case plainText = "PlainText"
}

public struct RunCommandRequest: Sendable, Hashable {
    public var regionId: String
    /// `RunShellScript`, `RunBatScript`, `RunPowerShellScript`.
    public var type: String
    public var commandContent: String
    public var instanceIds: [String]
    /// Seconds; the real API's default is 60, appsnap's plugin runs ask for more.
    public var timeout: Int
    public var name: String
    public init(regionId: String, type: String, commandContent: String, instanceIds: [String], timeout: Int = 60, name: String = "") {
        self.regionId = regionId; self.type = type; self.commandContent = commandContent
        self.instanceIds = instanceIds; self.timeout = timeout; self.name = name
    }
}

public struct SendFileRequest: Sendable, Hashable {
    public var regionId: String
    public var instanceIds: [String]
    public var name: String
    /// The folder on the instance, e.g. `/tmp`.
    public var targetDir: String
    /// The file's bytes (the API carries them Base64-encoded or as text).
    public var content: Data
    /// Octal string as the API takes it, e.g. `0700`.
    public var fileMode: String
    public var fileOwner: String
    public var fileGroup: String
    public var overwrite: Bool
    public init(regionId: String, instanceIds: [String], name: String, targetDir: String, content: Data,
                fileMode: String = "0644", fileOwner: String = "root", fileGroup: String = "root", overwrite: Bool = false) {
        self.regionId = regionId; self.instanceIds = instanceIds; self.name = name; self.targetDir = targetDir
        self.content = content; self.fileMode = fileMode; self.fileOwner = fileOwner; self.fileGroup = fileGroup
        self.overwrite = overwrite
    }
}

public struct CreateSnapshotGroupRequest: Sendable, Hashable {
    public var regionId: String
    public var instanceId: String
    /// Disks to exclude; all other disks of the instance are in the group.
    public var excludeDiskIds: [String]
    /// When given, only these disks are in the group (ECS `DiskId.N`).
    public var diskIds: [String]?
    public var name: String
    public var description: String
    public var tags: [Tag]
    public var dryRun: Bool
    /// ECS's idempotency key: a create repeated with the same token answers the group the
    /// first one made, so a retried request never makes a second group.
    public var clientToken: String?
    public init(regionId: String, instanceId: String, excludeDiskIds: [String] = [], diskIds: [String]? = nil,
                name: String, description: String = "", tags: [Tag] = [], dryRun: Bool = false, clientToken: String? = nil) {
        self.regionId = regionId; self.instanceId = instanceId; self.excludeDiskIds = excludeDiskIds
        self.diskIds = diskIds; self.name = name; self.description = description; self.tags = tags; self.dryRun = dryRun
        self.clientToken = clientToken
    }
}

public struct CreateDiskRequest: Sendable, Hashable {
    public var regionId: String
    public var zoneId: String?
    /// Make the disk from this snapshot (its data at the snapshot's point in time).
    public var snapshotId: String?
    /// GiB; required unless `snapshotId` is given.
    public var size: Int?
    public var category: String
    public var diskName: String
    public init(regionId: String, zoneId: String? = nil, snapshotId: String? = nil, size: Int? = nil,
                category: String = "cloud_essd", diskName: String = "") {
        self.regionId = regionId; self.zoneId = zoneId; self.snapshotId = snapshotId; self.size = size
        self.category = category; self.diskName = diskName
    }
}
