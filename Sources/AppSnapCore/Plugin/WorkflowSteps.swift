import Foundation

/// The steps both plugins share, over the ports only. The Linux and Windows workflows
/// differ in how they decide consistency (scripts vs. VSS writers); the rest is here.
struct WorkflowSteps: Sendable {
    let cloud: CloudAPI
    let guest: GuestHost
    let clock: Clock
    let log: RunLog
    let settings: WorkflowSettings

    var regionId: String { guest.regionId }
    var instanceId: String { guest.instanceId }

    /// The instance and the disks that go into the group.
    struct Target {
        var instance: Instance
        var disks: [Disk]
    }

    /// Runs `body` under the run lock; a second run on the instance is refused (exit 16).
    func withRunLock(_ body: () async -> Outcome) async -> Outcome {
        let lock: RunLock?
        do { lock = try guest.acquireRunLock() } catch {
            return fail(WorkflowFailure(.unknown, "Cannot take the run lock of instance \(instanceId): \(error)"))
        }
        guard let lock else {
            return fail(WorkflowFailure(.creationInProgress,
                "Another appsnap run holds the run lock of instance \(instanceId); wait until it completes"))
        }
        defer { lock.release() }
        return await body()
    }

    /// Logs the one error line that names the exit code and returns the outcome.
    func fail(_ f: WorkflowFailure, groupId: String? = nil, consistency: Consistency = .crash,
              reason: String? = nil, freezeMs: Double = 0, snapshotIds: [String] = []) -> Outcome {
        log.error("Exit code \(f.exitCode.rawValue), \(f.exitCode.meaning): \(f.message)")
        return Outcome(exitCode: f.exitCode, groupId: groupId, consistency: consistency, reason: reason,
                       freezeMs: freezeMs, snapshotIds: snapshotIds)
    }

    // MARK: - cloud calls

    /// A cloud read or write: `Forbidden.RAM` means the role lacks the action (13);
    /// anything else means the cloud could not be reached or answered wrongly (3).
    func call<T>(_ action: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as ECSError where e.Code == "Forbidden.RAM" {
            throw WorkflowFailure(.ramRoleUnauthorized,
                "The instance's RAM role may not call ecs:\(action) (\(e.Code): \(e.Message)); add it to the role's policy")
        } catch let e as ECSError {
            throw WorkflowFailure(.cloudAccessFailed, "\(action) failed: \(e.Code): \(e.Message)")
        } catch {
            throw WorkflowFailure(.cloudAccessFailed, "\(action) failed: \(error)")
        }
    }

    /// A permission probe: a dry run that would pass answers `DryRunOperation`; one the
    /// role may not make answers `Forbidden.RAM`.
    func probe(_ action: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
            log.debug("Dry run of \(action) returned without DryRunOperation; taking it as allowed")
        } catch let e as ECSError where e.Code == "DryRunOperation" {
            log.debug("Dry run of \(action) passed")
        } catch let e as ECSError where e.Code == "Forbidden.RAM" {
            throw WorkflowFailure(.ramRoleUnauthorized,
                "The instance's RAM role may not call ecs:\(action) (\(e.Code): \(e.Message)); add it to the role's policy")
        } catch let e as ECSError {
            // ECS checks RAM before anything else, so any other answer means the role may
            // call the action; what else is wrong (quota, disks) the next checks name.
            log.debug("Dry run of \(action) answered \(e.Code): \(e.Message); the role may call it")
        } catch {
            throw WorkflowFailure(.cloudAccessFailed, "Dry run of \(action) failed: \(error)")
        }
    }

    // MARK: - preflight: SPEC §4 steps 2 to 5

    /// What every plugin run shares: hold the run lock, pass the preflight checks, then
    /// take the snapshots the plugin's own way.
    func run(ramRoleName: String, excludeDiskIds: [String], name: String, description: String,
             osCheck: (String) -> OSSupport.Verdict, snapshot: (Target) async -> Outcome) async -> Outcome {
        await withRunLock {
            let target: Target
            do {
                target = try await preflight(ramRoleName: ramRoleName, excludeDiskIds: excludeDiskIds,
                                             name: name, description: description, osCheck: osCheck)
            } catch let f as WorkflowFailure {
                return fail(f)
            } catch {
                return fail(WorkflowFailure(.unknown, "\(error)"))
            }
            return await snapshot(target)
        }
    }

    func preflight(ramRoleName: String, excludeDiskIds: [String], name: String, description: String,
                   osCheck: (String) -> OSSupport.Verdict) async throws -> Target {
        guard guest.isRoot else {
            throw WorkflowFailure(.conditionCheckFailed, "The plugin must run as root (Administrator on Windows) on instance \(instanceId)")
        }
        let instances = try await call("DescribeInstances") {
            try await cloud.describeInstances(regionId: regionId, instanceIds: [instanceId])
        }
        guard let instance = instances.first(where: { $0.InstanceId == instanceId }) else {
            throw WorkflowFailure(.cloudAccessFailed, "DescribeInstances does not know instance \(instanceId) in region \(regionId)")
        }
        let all = try await call("DescribeDisks") {
            try await cloud.describeDisks(regionId: regionId, instanceId: instanceId, diskIds: nil)
        }.filter { $0.InstanceId == instanceId }
        log.info("Instance \(instanceId) (\(instance.InstanceName)) in \(regionId): \(instance.OSName), \(instance.Status); disks: "
                 + (all.isEmpty ? "none" : all.map(describe).joined(separator: ", ")))

        if case .unsupported(let why) = osCheck(instance.OSName) {
            throw WorkflowFailure(.conditionCheckFailed, "Unsupported operating system: \(why)")
        }
        guard instance.Status == InstanceStatus.running else {
            throw WorkflowFailure(.conditionCheckFailed, "Instance \(instanceId) is \(instance.Status); it must be Running")
        }
        let ids = Set(all.map(\.DiskId))
        for id in excludeDiskIds where !ids.contains(id) {
            throw WorkflowFailure(.conditionCheckFailed,
                "ExcludeDiskId \(id) is not a disk of instance \(instanceId) (its disks: \(all.map(\.DiskId).joined(separator: ", ")))")
        }
        let chosen = all.filter { !excludeDiskIds.contains($0.DiskId) }
        guard !chosen.isEmpty else {
            throw WorkflowFailure(.conditionCheckFailed, "No disk is left to snapshot: every disk of instance \(instanceId) is excluded")
        }
        for d in chosen {
            if let why = d.ineligibilityReason {
                throw WorkflowFailure(.conditionCheckFailed,
                    "Disk \(why); only ESSD disks with multi-attach disabled can be in the group: exclude it with -ExcludeDiskId=\"\(d.DiskId)\"")
            }
        }
        guard chosen.count <= CloudLimits.disksPerGroup else {
            throw WorkflowFailure(.conditionCheckFailed,
                "\(chosen.count) disks are chosen but a group holds at most \(CloudLimits.disksPerGroup): exclude some with -ExcludeDiskId")
        }
        log.info("Disks in the group: \(chosen.map(\.DiskId).joined(separator: ", "))"
                 + (excludeDiskIds.isEmpty ? "" : "; excluded: \(excludeDiskIds.joined(separator: ", "))"))

        try await checkRole(ramRoleName, chosen: chosen, name: name, description: description)
        return Target(instance: instance, disks: chosen)
    }

    /// SPEC §4 steps 4 and 5: the role is attached and may do what the run does; then quota and busy.
    private func checkRole(_ role: String, chosen: [Disk], name: String, description: String) async throws {
        let roles = try await call("DescribeInstanceRamRole") {
            try await cloud.describeInstanceRamRole(regionId: regionId, instanceIds: [instanceId])
        }.filter { $0.InstanceId == instanceId && !$0.RamRoleName.isEmpty }
        guard roles.contains(where: { $0.RamRoleName == role }) else {
            let attached = roles.isEmpty ? "no role is attached" : "attached: \(roles.map(\.RamRoleName).joined(separator: ", "))"
            throw WorkflowFailure(.ramRoleUnauthorized, "RAM role \(role) is not attached to instance \(instanceId) (\(attached))")
        }
        log.info("RAM role \(role) is attached to instance \(instanceId)")

        var manual: [String: Int] = [:]
        for d in chosen {
            let snaps = try await call("DescribeSnapshots") {
                try await cloud.describeSnapshots(regionId: regionId, snapshotIds: nil, diskId: d.DiskId, instanceId: nil)
            }
            manual[d.DiskId] = snaps.filter { $0.SourceDiskId == d.DiskId && $0.SnapshotType == "user" }.count
        }
        try await probe("CreateSnapshotGroup") {
            _ = try await cloud.createSnapshotGroup(CreateSnapshotGroupRequest(
                regionId: regionId, instanceId: instanceId, diskIds: chosen.map(\.DiskId),
                name: name, description: description, dryRun: true))
        }
        // Disks, not snapshots: the run's snapshots do not exist yet, and a dry run checks
        // the permission, which ECS grants per action.
        try await probe("TagResources") {
            try await cloud.tagResources(regionId: regionId, resourceType: "disk", resourceIds: chosen.map(\.DiskId),
                                         tags: [ConsistencyTag.fs], dryRun: true)
        }
        log.info("RAM role \(role) may DescribeSnapshots, CreateSnapshotGroup and TagResources")

        for d in chosen {
            let n = manual[d.DiskId] ?? 0
            if n >= CloudLimits.manualSnapshotsPerDisk {
                throw WorkflowFailure(.quotaExceeded,
                    "Disk \(d.DiskId) already has \(n) manual snapshots (at most \(CloudLimits.manualSnapshotsPerDisk)): delete some, or exclude it with -ExcludeDiskId=\"\(d.DiskId)\"")
            }
        }
        let groups = try await call("DescribeSnapshotGroups") {
            try await cloud.describeSnapshotGroups(regionId: regionId, instanceId: instanceId, snapshotGroupIds: nil)
        }
        if let busy = groups.first(where: { $0.InstanceId == instanceId && $0.Status == SnapshotStatus.progressing }) {
            throw WorkflowFailure(.creationInProgress,
                "Snapshot-consistent group \(busy.SnapshotGroupId) of instance \(instanceId) is still being created; wait until it completes")
        }
    }

    private func describe(_ d: Disk) -> String {
        "\(d.DiskId) (\(d.Category), \(d.Size) GiB, \(d.Device.isEmpty ? d.Type : d.Device)\(d.isMultiAttach ? ", multi-attach" : ""))"
    }

    // MARK: - formatting

    func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }
    func secs(_ seconds: Double) -> String { String(format: "%.7f", seconds) }
}
