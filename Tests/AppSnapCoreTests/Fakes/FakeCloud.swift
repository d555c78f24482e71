import Foundation
@testable import AppSnapCore

/// An in-memory ECS that really keeps disks, groups, snapshots, tags and a role policy,
/// and answers like the real one: `Forbidden.RAM` for an action the role's policy lacks,
/// `DryRunOperation` for a dry run that would pass.
final class FakeCloud: CloudAPI, @unchecked Sendable {
    enum GroupFate { case accomplish, groupFails, snapshotFails, neverFinishes }

    private let lock = NSLock()
    let clock: FakeClock
    let events: EventLog

    var instances: [Instance] = []
    var disks: [Disk] = []
    var groups: [SnapshotGroup] = []
    var snapshots: [Snapshot] = []
    /// instanceId → attached role.
    var roles: [String: String] = [:]
    /// The role's policy actions, with `*` wildcards as RAM writes them.
    var policy: [String] = ["ecs:DescribeSnapshot*", "ecs:CreateSnapshot*", "ecs:TagResources",
                            "ecs:DescribeDisks", "ecs:DeleteSnapshotGroup"]
    /// Actions the role's policy governs. Instance metadata (DescribeInstances, the role
    /// itself) is what the real plugin reads from the metadata service, so it is not here.
    let governed: Set<String> = ["DescribeDisks", "DescribeSnapshots", "DescribeSnapshotGroups", "CreateSnapshotGroup",
                                 "TagResources", "DeleteSnapshotGroup", "DeleteSnapshot"]
    /// Fails every call of an action (not its dry runs) with this error.
    var failing: [String: ECSError] = [:]

    var fate: GroupFate = .accomplish
    /// DescribeSnapshotGroups answers before a new group is accomplished.
    var pollsUntilDone = 2
    /// How long CreateSnapshotGroup takes to capture the point in time.
    var captureSeconds: Double = 0.3
    /// Leave one chosen disk's snapshot out of the new group (a capture that did not happen).
    var dropOneSnapshot = false
    var onCreate: (@Sendable () -> Void)?

    private var polls: [String: Int] = [:]
    private var counter = 0

    init(clock: FakeClock, events: EventLog) { self.clock = clock; self.events = events }

    func with<T>(_ body: () throws -> T) rethrows -> T { lock.lock(); defer { lock.unlock() }; return try body() }

    private func nextId(_ prefix: String) -> String { counter += 1; return "\(prefix)-fake\(counter)" }

    private func allowed(_ action: String) -> Bool {
        policy.contains { p in
            p.hasSuffix("*") ? "ecs:\(action)".hasPrefix(p.dropLast()) : p == "ecs:\(action)"
        }
    }

    /// Policy first, then injected failure, as the real API checks RAM before anything else.
    private func gate(_ action: String, dryRun: Bool = false) throws {
        if governed.contains(action), !allowed(action) { throw ECSError.forbiddenRAM(action) }
        if !dryRun, let e = failing[action] { throw e }
    }

    var calls: [String] { events.all.filter { $0.hasPrefix("cloud ") } }

    // MARK: - reads

    func describeRegions() async throws -> [Region] { [Region(RegionId: "cn-hangzhou", LocalName: "Hangzhou", RegionEndpoint: "")] }

    func describeInstances(regionId: String, instanceIds: [String]?) async throws -> [Instance] {
        events.add("cloud DescribeInstances")
        return try with {
            try gate("DescribeInstances")
            return instances.filter { i in instanceIds.map { $0.contains(i.InstanceId) } ?? true }
        }
    }

    func describeDisks(regionId: String, instanceId: String?, diskIds: [String]?) async throws -> [Disk] {
        events.add("cloud DescribeDisks")
        return try with {
            try gate("DescribeDisks")
            return disks.filter { d in (instanceId.map { $0 == d.InstanceId } ?? true) && (diskIds.map { $0.contains(d.DiskId) } ?? true) }
        }
    }

    func describeCloudAssistantStatus(regionId: String, instanceIds: [String]) async throws -> [CloudAssistantStatus] { [] }
    func installCloudAssistant(regionId: String, instanceIds: [String]) async throws {}

    func describeInstanceRamRole(regionId: String, instanceIds: [String]) async throws -> [InstanceRamRole] {
        events.add("cloud DescribeInstanceRamRole")
        return try with {
            try gate("DescribeInstanceRamRole")
            return instanceIds.map { InstanceRamRole(InstanceId: $0, RamRoleName: roles[$0] ?? "") }
        }
    }

    func describeSnapshots(regionId: String, snapshotIds: [String]?, diskId: String?, instanceId: String?) async throws -> [Snapshot] {
        events.add("cloud DescribeSnapshots")
        return try with {
            try gate("DescribeSnapshots")
            return snapshots.filter { s in
                (snapshotIds.map { $0.contains(s.SnapshotId) } ?? true) && (diskId.map { $0 == s.SourceDiskId } ?? true)
            }
        }
    }

    func describeSnapshotGroups(regionId: String, instanceId: String?, snapshotGroupIds: [String]?) async throws -> [SnapshotGroup] {
        events.add("cloud DescribeSnapshotGroups")
        return try with {
            try gate("DescribeSnapshotGroups")
            for id in snapshotGroupIds ?? [] { advance(id) }
            return groups.filter { g in
                (instanceId.map { $0 == g.InstanceId } ?? true) && (snapshotGroupIds.map { $0.contains(g.SnapshotGroupId) } ?? true)
            }.map(materialize)
        }
    }

    /// A group's snapshots are kept once, in `snapshots`; the group shows the current ones.
    private func materialize(_ g: SnapshotGroup) -> SnapshotGroup {
        var g = g
        g.Snapshots = SnapshotSet(snapshots.filter { $0.SnapshotGroupId == g.SnapshotGroupId })
        return g
    }

    /// Each look at a fresh group moves it along towards its fate.
    private func advance(_ id: String) {
        guard let gi = groups.firstIndex(where: { $0.SnapshotGroupId == id }), groups[gi].Status == SnapshotStatus.progressing else { return }
        polls[id, default: 0] += 1
        guard polls[id]! >= pollsUntilDone else { return }
        switch fate {
        case .neverFinishes: return
        case .accomplish: setSnapshots(of: id, to: SnapshotStatus.accomplished); groups[gi].Status = SnapshotStatus.accomplished
        case .groupFails: groups[gi].Status = SnapshotStatus.failed
        case .snapshotFails:
            if let si = snapshots.firstIndex(where: { $0.SnapshotGroupId == id }) { snapshots[si].Status = SnapshotStatus.failed }
        }
    }

    private func setSnapshots(of group: String, to status: String) {
        for i in snapshots.indices where snapshots[i].SnapshotGroupId == group {
            snapshots[i].Status = status; snapshots[i].Progress = "100%"
        }
    }

    // MARK: - writes

    func createSnapshotGroup(_ r: CreateSnapshotGroupRequest) async throws -> String {
        events.add(r.dryRun ? "cloud CreateSnapshotGroup dry-run" : "cloud CreateSnapshotGroup")
        let id: String = try with {
            try gate("CreateSnapshotGroup", dryRun: r.dryRun)
            guard instances.contains(where: { $0.InstanceId == r.instanceId }) else {
                throw ECSError.notFound("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
            }
            let ids = r.diskIds ?? disks.filter { $0.InstanceId == r.instanceId && !r.excludeDiskIds.contains($0.DiskId) }.map(\.DiskId)
            for d in ids where !disks.contains(where: { $0.DiskId == d && $0.InstanceId == r.instanceId }) {
                throw ECSError.invalidParameter("DiskId", "\(d) is not a disk of \(r.instanceId)")
            }
            guard ids.count <= CloudLimits.disksPerGroup else { throw ECSError.invalidParameter("DiskId", "more than 16 disks") }
            for d in ids where snapshots.filter({ $0.SourceDiskId == d && $0.SnapshotType == "user" }).count >= CloudLimits.manualSnapshotsPerDisk {
                throw ECSError("QuotaExceed.Snapshot", "Disk \(d) already has 256 manual snapshots.")
            }
            if r.dryRun { throw ECSError.dryRunOperation }
            let gid = nextId("ssg")
            var kept = ids
            if dropOneSnapshot { kept.removeLast() }
            for d in kept {
                let disk = disks.first { $0.DiskId == d }!
                snapshots.append(Snapshot(SnapshotId: nextId("s"), SnapshotName: r.name, SourceDiskId: d, SourceDiskSize: disk.Size,
                                          SourceDiskType: disk.Type == "system" ? "System" : "Data", Status: SnapshotStatus.progressing,
                                          Progress: "0%", SnapshotGroupId: gid, CreationTime: "2025-03-04T08:09:25Z",
                                          Tags: TagSet(r.tags)))
            }
            groups.append(SnapshotGroup(SnapshotGroupId: gid, Name: r.name, Description: r.description, InstanceId: r.instanceId,
                                        Status: SnapshotStatus.progressing, CreationTime: "2025-03-04T08:09:25Z", Snapshots: SnapshotSet()))
            return gid
        }
        clock.advance(captureSeconds)
        onCreate?()
        return id
    }

    func deleteSnapshotGroup(regionId: String, snapshotGroupId: String) async throws {
        events.add("cloud DeleteSnapshotGroup")
        try with {
            try gate("DeleteSnapshotGroup")
            guard groups.contains(where: { $0.SnapshotGroupId == snapshotGroupId }) else {
                throw ECSError.notFound("InvalidSnapshotGroupId.NotFound", "The specified snapshot group does not exist.")
            }
            groups.removeAll { $0.SnapshotGroupId == snapshotGroupId }
            snapshots.removeAll { $0.SnapshotGroupId == snapshotGroupId }
        }
    }

    func deleteSnapshot(regionId: String, snapshotId: String) async throws {
        try with { try gate("DeleteSnapshot"); snapshots.removeAll { $0.SnapshotId == snapshotId } }
    }

    func tagResources(regionId: String, resourceType: String, resourceIds: [String], tags: [Tag], dryRun: Bool) async throws {
        events.add(dryRun ? "cloud TagResources dry-run" : "cloud TagResources")
        try with {
            try gate("TagResources", dryRun: dryRun)
            guard !resourceIds.isEmpty, !tags.isEmpty else { throw ECSError.missingParameter(resourceIds.isEmpty ? "ResourceId" : "Tag") }
            func merge(_ set: inout TagSet) {
                for t in tags { set.Tag.removeAll { $0.TagKey == t.TagKey }; set.Tag.append(t) }
            }
            switch resourceType {
            case "snapshot":
                for id in resourceIds where !snapshots.contains(where: { $0.SnapshotId == id }) {
                    throw ECSError.notFound("InvalidResourceId.NotFound", "The specified ResourceIds \(id) are not found.")
                }
                if dryRun { throw ECSError.dryRunOperation }
                for i in snapshots.indices where resourceIds.contains(snapshots[i].SnapshotId) { merge(&snapshots[i].Tags) }
            case "disk":
                for id in resourceIds where !disks.contains(where: { $0.DiskId == id }) {
                    throw ECSError.notFound("InvalidResourceId.NotFound", "The specified ResourceIds \(id) are not found.")
                }
                if dryRun { throw ECSError.dryRunOperation }
                for i in disks.indices where resourceIds.contains(disks[i].DiskId) { merge(&disks[i].Tags) }
            default:
                throw ECSError.invalidParameter("ResourceType", "\(resourceType) is not supported by this fake")
            }
        }
    }

    // MARK: - not used by the plugin

    func runCommand(_ request: RunCommandRequest) async throws -> String { throw ECSError("Unsupported", "not in the fake") }
    func describeInvocations(regionId: String, invokeId: String?, instanceId: String?) async throws -> [Invocation] { [] }
    func describeInvocationResults(regionId: String, invokeId: String?, instanceId: String?,
                                   contentEncoding: ContentEncoding) async throws -> [InvocationResult] { [] }
    func sendFile(_ request: SendFileRequest) async throws -> String { throw ECSError("Unsupported", "not in the fake") }
    func createDisk(_ request: CreateDiskRequest) async throws -> String { throw ECSError("Unsupported", "not in the fake") }
    func attachDisk(instanceId: String, diskId: String) async throws {}
    func detachDisk(instanceId: String, diskId: String) async throws {}
}
