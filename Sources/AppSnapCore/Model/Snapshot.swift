/// A snapshot as DescribeSnapshots returns it.
public struct Snapshot: Codable, Hashable, Sendable {
    public var SnapshotId: String
    public var SnapshotName: String
    public var SourceDiskId: String
    public var SourceDiskSize: Int
    /// `System` or `Data`.
    public var SourceDiskType: String
    /// `progressing`, `accomplished`, `failed`.
    public var Status: String
    /// `"0%"` … `"100%"`.
    public var Progress: String
    /// `user` for manual snapshots (the 256-a-disk quota counts these), `auto` otherwise.
    public var SnapshotType: String
    public var SnapshotGroupId: String
    public var CreationTime: String
    public var Tags: TagSet

    public init(SnapshotId: String, SnapshotName: String, SourceDiskId: String, SourceDiskSize: Int,
                SourceDiskType: String, Status: String, Progress: String, SnapshotType: String = "user",
                SnapshotGroupId: String, CreationTime: String, Tags: TagSet = TagSet()) {
        self.SnapshotId = SnapshotId; self.SnapshotName = SnapshotName; self.SourceDiskId = SourceDiskId
        self.SourceDiskSize = SourceDiskSize; self.SourceDiskType = SourceDiskType; self.Status = Status
        self.Progress = Progress; self.SnapshotType = SnapshotType; self.SnapshotGroupId = SnapshotGroupId
        self.CreationTime = CreationTime; self.Tags = Tags
    }
}

public enum SnapshotStatus {
    public static let progressing = "progressing"
    public static let accomplished = "accomplished"
    public static let failed = "failed"
}

/// A snapshot-consistent group as DescribeSnapshotGroups returns it.
public struct SnapshotGroup: Codable, Hashable, Sendable {
    public var SnapshotGroupId: String
    public var Name: String
    public var Description: String
    public var InstanceId: String
    /// `progressing`, `accomplished`, `failed`.
    public var Status: String
    public var CreationTime: String
    /// The group's snapshots; `Snapshots.Snapshot[]` on the wire.
    public var Snapshots: SnapshotSet
    public var Tags: TagSet

    public init(SnapshotGroupId: String, Name: String, Description: String, InstanceId: String, Status: String,
                CreationTime: String, Snapshots: SnapshotSet, Tags: TagSet = TagSet()) {
        self.SnapshotGroupId = SnapshotGroupId; self.Name = Name; self.Description = Description
        self.InstanceId = InstanceId; self.Status = Status; self.CreationTime = CreationTime
        self.Snapshots = Snapshots; self.Tags = Tags
    }
}

public struct SnapshotSet: Codable, Hashable, Sendable {
    public var Snapshot: [AppSnapCore.Snapshot]
    public init(_ s: [AppSnapCore.Snapshot] = []) { Snapshot = s }
}
