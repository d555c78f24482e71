/// One disk's (or snapshot's) outcome in a batch operation, as ResetDisks and
/// DeleteSnapshotGroup return it: `OperationProgressSet.OperationProgress[]`.
public struct OperationProgress: Codable, Hashable, Sendable {
    /// `Success` or `Failed`.
    public var OperationStatus: String
    public var ErrorCode: String?
    public var ErrorMsg: String?
    public var RelatedItemSet: RelatedItemSet

    public init(success: Bool, items: [RelatedItem], errorCode: String? = nil, errorMessage: String? = nil) {
        OperationStatus = success ? "Success" : "Failed"
        ErrorCode = errorCode; ErrorMsg = errorMessage
        RelatedItemSet = AppSnapCore.RelatedItemSet(RelatedItem: items)
    }
}

public struct RelatedItemSet: Codable, Hashable, Sendable {
    public var RelatedItem: [RelatedItem]
}

public struct RelatedItem: Codable, Hashable, Sendable {
    public var Name: String
    public var Value: String
    public init(_ name: String, _ value: String) { Name = name; Value = value }
}

/// One `Disk.N` of ResetDisks: roll this disk back to this snapshot of it.
public struct DiskReset: Codable, Hashable, Sendable {
    public var diskId: String
    public var snapshotId: String
    public init(diskId: String, snapshotId: String) { self.diskId = diskId; self.snapshotId = snapshotId }
}
