import AppSnapCore
import Foundation
import GRDB
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

// Instances: what they are, their Cloud Assistant and RAM role, stopping and starting them.
extension EmbeddedCloud {
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

    public func stopInstance(instanceId: String, forceStop: Bool, dryRun: Bool) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: nil, action: "StopInstance")
            var i = try self.instance(db, instanceId, region: nil)
            if i.isHost {
                throw ECSError("OperationDenied.HostInstance", "The instance \(instanceId) is this machine (the enrolled host) and cannot be stopped; to roll back one of its disks, detach the disk first.", httpStatus: 403)
            }
            guard i.status == InstanceStatus.running else {
                throw ECSError("IncorrectInstanceStatus", "The instance \(instanceId) is \(i.status); only a Running instance can be stopped.", httpStatus: 403)
            }
            let busy = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM invocationResult WHERE instanceId = ? AND recordStatus != 'Finished'",
                                        arguments: [instanceId]) ?? 0
            // An emulated instance cannot cut a command off mid-way as a power-off would.
            guard busy == 0 else {
                throw ECSError("OperationConflict", "A command is still running on the instance \(instanceId); wait for it to finish (DescribeInvocationResults), then stop it.", httpStatus: 403)
            }
            if dryRun { throw ECSError.dryRunOperation }
            i.status = InstanceStatus.stopped
            try i.update(db)
        }
    }

    public func startInstance(instanceId: String, dryRun: Bool) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: nil, action: "StartInstance")
            var i = try self.instance(db, instanceId, region: nil)
            guard i.status == InstanceStatus.stopped else {
                throw ECSError("IncorrectInstanceStatus", "The instance \(instanceId) is \(i.status); only a Stopped instance can be started.", httpStatus: 403)
            }
            let resetting = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM disk WHERE instanceId = ? AND status = ?",
                                             arguments: [instanceId, Self.reinitingStatus]) ?? 0
            guard resetting == 0 else {
                throw ECSError("IncorrectDiskStatus", "A disk of the instance \(instanceId) is being rolled back; start it when ResetDisks has answered.", httpStatus: 403)
            }
            if dryRun { throw ECSError.dryRunOperation }
            i.status = InstanceStatus.running
            try i.update(db)
        }
    }
}
