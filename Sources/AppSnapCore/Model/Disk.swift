/// An ECS disk as DescribeDisks returns it (the fields appsnap uses).
public struct Disk: Codable, Hashable, Sendable {
    public var DiskId: String
    public var DiskName: String
    public var RegionId: String
    public var ZoneId: String
    /// Empty when the disk is not attached.
    public var InstanceId: String
    /// `cloud_essd`, `cloud_ssd`, `cloud_efficiency`, `cloud`.
    public var Category: String
    /// GiB.
    public var Size: Int
    /// `In_use`, `Available`, `Attaching`, `Detaching`, `Creating`.
    public var Status: String
    /// `system` or `data`.
    public var `Type`: String
    /// e.g. `/dev/xvdb`; empty when not attached.
    public var Device: String
    /// `Enabled` or `Disabled`.
    public var MultiAttach: String
    /// The snapshot this disk was created from, or empty.
    public var SourceSnapshotId: String
    public var CreationTime: String
    public var Tags: TagSet

    public init(DiskId: String, DiskName: String, RegionId: String, ZoneId: String, InstanceId: String,
                Category: String, Size: Int, Status: String, Type: String, Device: String,
                MultiAttach: String = "Disabled", SourceSnapshotId: String = "", CreationTime: String,
                Tags: TagSet = TagSet()) {
        self.DiskId = DiskId; self.DiskName = DiskName; self.RegionId = RegionId; self.ZoneId = ZoneId
        self.InstanceId = InstanceId; self.Category = Category; self.Size = Size; self.Status = Status
        self.Type = Type; self.Device = Device; self.MultiAttach = MultiAttach
        self.SourceSnapshotId = SourceSnapshotId; self.CreationTime = CreationTime; self.Tags = Tags
    }

    public var isESSD: Bool { Category == "cloud_essd" }
    public var isMultiAttach: Bool { MultiAttach == "Enabled" }

    /// Why this disk cannot be in an application-consistent group, or nil if it can.
    /// One sentence shared by the plugin's condition check and the console's disk picker.
    public var ineligibilityReason: String? {
        if !isESSD { return "\(DiskId) is \(Category), not an ESSD disk" }
        if isMultiAttach { return "\(DiskId) has multi-attach enabled" }
        return nil
    }
}
