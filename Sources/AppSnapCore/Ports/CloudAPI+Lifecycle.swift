import Foundation

// Test doubles of the console and the workflow never roll back or stop anything; rather
// than each growing four methods it never calls, they answer as a backend without the
// action would. Real backends (the embedded cloud, Alibaba Cloud) implement all four.
extension CloudAPI {
    public func resetDisks(regionId: String?, disks: [DiskReset], dryRun: Bool) async throws -> [OperationProgress] {
        throw ECSError.unsupported("ResetDisks")
    }
    public func stopInstance(instanceId: String, forceStop: Bool, dryRun: Bool) async throws {
        throw ECSError.unsupported("StopInstance")
    }
    public func startInstance(instanceId: String, dryRun: Bool) async throws {
        throw ECSError.unsupported("StartInstance")
    }
    public func modifySnapshotGroup(regionId: String, snapshotGroupId: String, name: String?, description: String?) async throws {
        throw ECSError.unsupported("ModifySnapshotGroup")
    }
}

extension ECSError {
    static func unsupported(_ action: String) -> ECSError {
        ECSError("UnsupportedOperation", "This cloud backend does not offer \(action).", httpStatus: 400)
    }
}
