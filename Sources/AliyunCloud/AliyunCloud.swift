import AppSnapCore
import ECSWire
import Foundation

/// `CloudAPI` over the ECS OpenAPI 2014-05-26: each method is its action's flat
/// parameters out and the AppSnapCore models back, so `appsnap ecs --cloud aliyun` prints
/// the same JSON as the embedded cloud. Reads are retried and paged into one list.
public final class AliyunCloud: CloudAPI {
    public let client: ECSClient

    public init(client: ECSClient) { self.client = client }

    /// Requests sent so far (the benchmark's requests-per-refresh).
    public var requestsSent: Int { client.requestsSent }

    func read(_ action: String, _ p: Params) async throws -> [String: Any] {
        try await client.call(action, p.pairs, idempotent: true)
    }

    func write(_ action: String, _ p: Params, idempotent: Bool = false) async throws -> [String: Any] {
        try await client.call(action, p.pairs, idempotent: idempotent)
    }

    /// PageNumber/PageSize pages as one list: asks for pages of 100 until TotalCount is reached.
    func allPages<T: Decodable>(_ action: String, _ p: Params, _ outer: String, _ inner: String) async throws -> [T] {
        var out: [T] = []
        var number = 1
        while true {
            var page = p
            page.add("PageNumber", number); page.add("PageSize", 100)
            let o = try await read(action, page)
            let items: [T] = try ResponseReader.list(o, outer, inner)
            out += items
            let total = ResponseReader.int(o, "TotalCount") ?? out.count
            if items.isEmpty || out.count >= total { return out }
            number += 1
        }
    }

    public func describeRegions() async throws -> [Region] {
        try ResponseReader.list(try await read("DescribeRegions", Params()), "Regions", "Region")
    }

    public func describeInstances(regionId: String, instanceIds: [String]?) async throws -> [Instance] {
        var p = Params(); p.add("RegionId", regionId); p.json("InstanceIds", instanceIds)
        return try await allPages("DescribeInstances", p, "Instances", "Instance")
    }

    public func describeDisks(regionId: String, instanceId: String?, diskIds: [String]?) async throws -> [Disk] {
        var p = Params(); p.add("RegionId", regionId); p.add("InstanceId", instanceId); p.json("DiskIds", diskIds)
        return try await allPages("DescribeDisks", p, "Disks", "Disk")
    }

    public func describeCloudAssistantStatus(regionId: String, instanceIds: [String]) async throws -> [CloudAssistantStatus] {
        var p = Params(); p.add("RegionId", regionId); p.flat("InstanceId", instanceIds)
        return try ResponseReader.list(try await read("DescribeCloudAssistantStatus", p),
                                       "InstanceCloudAssistantStatusSet", "InstanceCloudAssistantStatus")
    }

    public func installCloudAssistant(regionId: String, instanceIds: [String]) async throws {
        var p = Params(); p.add("RegionId", regionId); p.flat("InstanceId", instanceIds)
        _ = try await write("InstallCloudAssistant", p)
    }

    public func describeInstanceRamRole(regionId: String, instanceIds: [String]) async throws -> [InstanceRamRole] {
        var p = Params(); p.add("RegionId", regionId); p.json("InstanceIds", instanceIds.isEmpty ? nil : instanceIds)
        return try ResponseReader.list(try await read("DescribeInstanceRamRole", p), "InstanceRamRoleSets", "InstanceRamRoleSet")
    }

    public func runCommand(_ r: RunCommandRequest) async throws -> String {
        var p = Params()
        p.add("RegionId", r.regionId); p.add("Type", r.type)
        // Base64 on the wire: a script's quotes, newlines and non-ASCII survive any proxy.
        p.add("CommandContent", Data(r.commandContent.utf8).base64EncodedString()); p.add("ContentEncoding", "Base64")
        p.flat("InstanceId", r.instanceIds); p.add("Timeout", r.timeout)
        if !r.name.isEmpty { p.add("Name", r.name) }
        return try ResponseReader.string(try await write("RunCommand", p), "InvokeId")
    }

    public func describeInvocations(regionId: String, invokeId: String?, instanceId: String?) async throws -> [Invocation] {
        var p = Params(); p.add("RegionId", regionId); p.add("InvokeId", invokeId); p.add("InstanceId", instanceId)
        return try ResponseReader.list(try await read("DescribeInvocations", p), "Invocations", "Invocation")
    }

    /// Output is always fetched Base64 (every byte survives); PlainText is decoded here.
    public func describeInvocationResults(regionId: String, invokeId: String?, instanceId: String?,
                                          contentEncoding: ContentEncoding) async throws -> [InvocationResult] {
        var p = Params(); p.add("RegionId", regionId); p.add("InvokeId", invokeId); p.add("InstanceId", instanceId)
        p.add("ContentEncoding", ContentEncoding.base64.rawValue)
        var results: [InvocationResult] = try ResponseReader.list(try await read("DescribeInvocationResults", p),
                                                                  "Invocation", "InvocationResults", "InvocationResult")
        if contentEncoding == .plainText {
            for i in results.indices {
                results[i].Output = Data(base64Encoded: results[i].Output).map { String(decoding: $0, as: UTF8.self) } ?? results[i].Output
            }
        }
        return results
    }

    public func sendFile(_ r: SendFileRequest) async throws -> String {
        var p = Params()
        p.add("RegionId", r.regionId); p.flat("InstanceId", r.instanceIds); p.add("Name", r.name); p.add("TargetDir", r.targetDir)
        p.add("Content", r.content.base64EncodedString()); p.add("ContentType", "Base64")
        p.add("FileMode", r.fileMode); p.add("FileOwner", r.fileOwner); p.add("FileGroup", r.fileGroup); p.add("Overwrite", r.overwrite)
        return try ResponseReader.string(try await write("SendFile", p), "InvokeId")
    }

    /// Carries a ClientToken (the request's own, else a fresh one), so a retried create
    /// never makes a second group.
    public func createSnapshotGroup(_ r: CreateSnapshotGroupRequest) async throws -> String {
        var p = Params()
        p.add("RegionId", r.regionId); p.add("InstanceId", r.instanceId); p.flat("ExcludeDiskId", r.excludeDiskIds)
        p.flat("DiskId", r.diskIds)
        if !r.name.isEmpty { p.add("Name", r.name) }
        if !r.description.isEmpty { p.add("Description", r.description) }
        p.tags(r.tags)
        if r.dryRun { p.add("DryRun", true) }
        p.add("ClientToken", r.clientToken ?? UUID().uuidString)
        return try ResponseReader.string(try await write("CreateSnapshotGroup", p, idempotent: true), "SnapshotGroupId")
    }

    /// NextToken/MaxResults pages as one list; IDs go ten a call, ECS's limit.
    public func describeSnapshotGroups(regionId: String, instanceId: String?, snapshotGroupIds: [String]?) async throws -> [SnapshotGroup] {
        let chunks: [[String]?] = snapshotGroupIds.map { ids in
            ids.isEmpty ? [[]] : stride(from: 0, to: ids.count, by: 10).map { Array(ids[$0..<min(ids.count, $0 + 10)]) }
        } ?? [nil]
        var out: [SnapshotGroup] = []
        for chunk in chunks {
            if let chunk, chunk.isEmpty { continue }
            var token: String?
            repeat {
                var p = Params(); p.add("RegionId", regionId); p.add("InstanceId", instanceId); p.flat("SnapshotGroupId", chunk)
                p.add("MaxResults", 100); p.add("NextToken", token)
                let o = try await read("DescribeSnapshotGroups", p)
                out += try ResponseReader.list(o, "SnapshotGroups", "SnapshotGroup") as [SnapshotGroup]
                token = (o["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            } while token != nil
        }
        return out
    }

    public func deleteSnapshotGroup(regionId: String, snapshotGroupId: String) async throws {
        var p = Params(); p.add("RegionId", regionId); p.add("SnapshotGroupId", snapshotGroupId)
        _ = try await write("DeleteSnapshotGroup", p)
    }

    public func describeSnapshots(regionId: String, snapshotIds: [String]?, diskId: String?, instanceId: String?) async throws -> [Snapshot] {
        var p = Params(); p.add("RegionId", regionId); p.json("SnapshotIds", snapshotIds); p.add("DiskId", diskId); p.add("InstanceId", instanceId)
        return try await allPages("DescribeSnapshots", p, "Snapshots", "Snapshot")
    }

    public func deleteSnapshot(regionId: String, snapshotId: String) async throws {
        var p = Params(); if !regionId.isEmpty { p.add("RegionId", regionId) }; p.add("SnapshotId", snapshotId)
        _ = try await write("DeleteSnapshot", p)
    }

    public func tagResources(regionId: String, resourceType: String, resourceIds: [String], tags: [Tag], dryRun: Bool) async throws {
        var p = Params(); p.add("RegionId", regionId); p.add("ResourceType", resourceType); p.flat("ResourceId", resourceIds)
        p.tags(tags); if dryRun { p.add("DryRun", true) }
        // Tagging the same tags again changes nothing, so a retry is safe.
        _ = try await write("TagResources", p, idempotent: true)
    }

    public func createDisk(_ r: CreateDiskRequest) async throws -> String {
        var p = Params(); p.add("RegionId", r.regionId); p.add("ZoneId", r.zoneId); p.add("SnapshotId", r.snapshotId)
        p.add("Size", r.size); p.add("DiskCategory", r.category); if !r.diskName.isEmpty { p.add("DiskName", r.diskName) }
        return try ResponseReader.string(try await write("CreateDisk", p), "DiskId")
    }

    public func attachDisk(instanceId: String, diskId: String) async throws {
        var p = Params(); p.add("InstanceId", instanceId); p.add("DiskId", diskId)
        _ = try await write("AttachDisk", p)
    }

    public func detachDisk(instanceId: String, diskId: String) async throws {
        var p = Params(); p.add("InstanceId", instanceId); p.add("DiskId", diskId)
        _ = try await write("DetachDisk", p)
    }

    public func resetDisks(regionId: String?, disks: [DiskReset], dryRun: Bool) async throws -> [OperationProgress] {
        var p = Params()
        guard let regionId else {
            // ResetDisk: one disk, in its own region; a failure is thrown as the call's.
            p.add("DiskId", disks.first?.diskId); p.add("SnapshotId", disks.first?.snapshotId); if dryRun { p.add("DryRun", true) }
            _ = try await write("ResetDisk", p)
            return disks.map { OperationProgress(success: true, items: [RelatedItem("DiskId", $0.diskId)]) }
        }
        p.add("RegionId", regionId)
        for (i, d) in disks.enumerated() { p.add("Disk.\(i + 1).DiskId", d.diskId); p.add("Disk.\(i + 1).SnapshotId", d.snapshotId) }
        if dryRun { p.add("DryRun", true) }
        return try ResponseReader.list(try await write("ResetDisks", p), "OperationProgressSet", "OperationProgress")
    }

    public func stopInstance(instanceId: String, forceStop: Bool, dryRun: Bool) async throws {
        var p = Params(); p.add("InstanceId", instanceId); if forceStop { p.add("ForceStop", true) }; if dryRun { p.add("DryRun", true) }
        _ = try await write("StopInstance", p)
    }

    public func startInstance(instanceId: String, dryRun: Bool) async throws {
        var p = Params(); p.add("InstanceId", instanceId); if dryRun { p.add("DryRun", true) }
        _ = try await write("StartInstance", p)
    }

    public func modifySnapshotGroup(regionId: String, snapshotGroupId: String, name: String?, description: String?) async throws {
        var p = Params(); p.add("RegionId", regionId); p.add("SnapshotGroupId", snapshotGroupId); p.add("Name", name); p.add("Description", description)
        _ = try await write("ModifySnapshotGroup", p)
    }
}

extension AliyunConfigError: ECSErrorConvertible {
    public var ecsError: ECSError { ECSError("InvalidCredentials", message, httpStatus: 400, requestId: "", hostId: "appsnap") }
}
