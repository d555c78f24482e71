import AppSnapCore

/// Restoring a group to new disks (SPEC §14): CreateDisk from each snapshot, in the
/// instance's zone; on the host instance each new disk is also attached and mounted where
/// the operator says.
public struct RestorePlan: Equatable, Sendable {
    public enum DiskState: Equatable, Sendable { case waiting, created(String), attached(String, at: String), failed(String) }

    public var regionId: String
    public var group: SnapshotGroup
    public var instanceId: String
    public var instanceName: String
    public var zoneId: String?
    /// True when the group's instance is this machine (the enrolled host): only then can a
    /// new disk be attached and mounted from here.
    public var onHost: Bool
    public var snapshots: [Snapshot]
    public var disks: [String: DiskState] = [:]

    public init(group: SnapshotGroup, regionId: String, inventory: Inventory, hostInstanceId: String?) {
        self.regionId = regionId
        self.group = group
        instanceId = group.InstanceId
        let inst = inventory.instances.first { $0.InstanceId == group.InstanceId }
        instanceName = inst?.InstanceName ?? group.InstanceId
        zoneId = inst?.ZoneId
        onHost = hostInstanceId != nil && hostInstanceId == group.InstanceId
        snapshots = group.Snapshots.Snapshot
    }

    /// Where the n-th new disk is mounted: the path typed for one disk; a folder a disk
    /// under it for several, named for the disk it was taken of.
    public func mountPoint(_ typed: String, for snapshot: Snapshot) -> String {
        snapshots.count == 1 ? typed : typed + "/" + snapshot.SourceDiskId
    }

    /// The new disk's name: ECS's rule (a letter first, 2–128) holds whatever the group is called.
    public func diskName(for snapshot: Snapshot) -> String {
        let base = group.Name.first?.isLetter == true ? group.Name : "restore-" + group.Name
        return String((base + "-" + snapshot.SourceDiskId).prefix(128))
    }
}

/// What the embedded cloud does beyond the ECS API for the host instance, wired in by the
/// app so the console still talks only to `CloudAPI` and this.
public struct HostDisks: Sendable {
    /// The host instance's ID, nil when none is enrolled.
    public var hostInstanceId: @Sendable () -> String?
    /// Where a disk not yet attached will be mounted when it is attached to the host.
    public var setMountPoint: @Sendable (_ diskId: String, _ mountPoint: String) throws -> Void
    public init(hostInstanceId: @escaping @Sendable () -> String?,
                setMountPoint: @escaping @Sendable (_ diskId: String, _ mountPoint: String) throws -> Void) {
        self.hostInstanceId = hostInstanceId; self.setMountPoint = setMountPoint
    }
}
