import AppSnapCore

/// Rolling an instance back to a group (SPEC §14): each disk to the group's snapshot of it,
/// the instance stopped first and started after if the operator keeps those on, what the
/// DryRun said, and each step's outcome as the cloud reports it.
public struct RollbackPlan: Equatable, Sendable {
    public struct Line: Equatable, Sendable {
        public enum Level: Equatable, Sendable { case ok, warn, error }
        public var level: Level
        public var text: String
    }
    public enum DiskState: Equatable, Sendable { case waiting, done, failed(String) }

    public var regionId: String
    public var group: SnapshotGroup
    public var instanceId: String
    public var instanceName: String
    public var instanceStatus: String
    public var resets: [DiskReset]
    /// "data, 500 GiB" for each disk the inventory knows.
    public var diskInfo: [String: String]
    public var stopFirst: Bool
    public var startAfter: Bool
    /// Nil while the DryRun has not answered.
    public var dryRun: [Line]?
    public var disks: [String: DiskState] = [:]
    /// Stop and start, as they happen.
    public var steps: [Line] = []

    public init(group: SnapshotGroup, regionId: String, inventory: Inventory) {
        self.regionId = regionId
        self.group = group
        instanceId = group.InstanceId
        let inst = inventory.instances.first { $0.InstanceId == group.InstanceId }
        instanceName = inst?.InstanceName ?? group.InstanceId
        instanceStatus = inst?.Status ?? "unknown"
        resets = group.Snapshots.Snapshot.map { DiskReset(diskId: $0.SourceDiskId, snapshotId: $0.SnapshotId) }
        var info: [String: String] = [:]
        for d in inventory.disksByInstance[group.InstanceId] ?? [] { info[d.DiskId] = "\(d.Type), \(d.Size) GiB" }
        diskInfo = info
        let running = instanceStatus == InstanceStatus.running
        stopFirst = running
        startAfter = running
    }

    /// The DryRun refused for a reason stopping first does not cure.
    public var dryRunRefused: Bool { dryRun?.contains { $0.level == .error } ?? false }
}
