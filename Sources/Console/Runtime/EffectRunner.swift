import AppSnapCore
import Foundation

/// Performs effects against the cloud and reports the outcome as actions. The only place
/// the console calls `CloudAPI`.
public struct EffectRunner: Sendable {
    public let cloud: CloudAPI
    public let clock: Clock
    /// How long to wait for Cloud Assistant to report running after InstallCloudAssistant.
    public var installWaitSeconds = 120.0
    /// The host instance's extras (mount points), when the cloud is the embedded one.
    public var hostDisks: HostDisks?
    /// A remote cloud (`--cloud aliyun`) is polled no faster than once a second, and its
    /// errors name their RequestId, which the vendor's support asks for.
    public var remote = false

    public init(cloud: CloudAPI, clock: Clock) { self.cloud = cloud; self.clock = clock }

    func message(_ error: Error) -> String {
        if let e = error as? ECSError {
            return "\(e.Code): \(e.Message)" + (remote && !e.RequestId.isEmpty ? " (RequestId \(e.RequestId))" : "")
        }
        return "\(error)"
    }

    public func perform(_ effect: Effect, send: @escaping @Sendable (Action) -> Void) async {
        switch effect {
        case .quit, .copyToClipboard:
            // The runtime does these itself: they are the terminal's, not the cloud's.
            return
        case let .deleteGroups(r, ids):
            // One call a group, as the API takes one; each outcome is reported, so a group
            // that could not go stays on screen with the reason.
            var gone: [String] = [], failures: [String: String] = [:]
            for id in ids {
                do { try await cloud.deleteSnapshotGroup(regionId: r, snapshotGroupId: id); gone.append(id) }
                catch { failures[id] = message(error) }
            }
            send(.groupsDeleted(gone, failures: failures))
        case .checkRollback(let plan):
            send(.rollbackChecked(await dryRun(plan)))
        case .rollback(let plan):
            await rollback(plan, send: send)
        case let .restore(plan, mountPoint):
            await restore(plan, mountPoint: mountPoint, send: send)
        case let .renameGroup(r, id, name):
            do {
                try await cloud.modifySnapshotGroup(regionId: r, snapshotGroupId: id, name: name, description: nil)
                send(.groupRenamed(id: id, name: name))
            } catch { send(.failed(.modifySnapshotGroup, message: message(error))) }
        case .loadRegions:
            do { send(.regionsLoaded(try await cloud.describeRegions())) }
            catch { send(.failed(.describeRegions, message: message(error))) }
        case .loadInventory(let r):
            do { send(.inventoryLoaded(regionId: r, try await inventory(r))) }
            catch { send(.failed(.describeInstances, message: message(error))) }
        case .loadGroups(let r):
            do { send(.groupsLoaded(regionId: r, try await cloud.describeSnapshotGroups(regionId: r, instanceId: nil, snapshotGroupIds: nil))) }
            catch { send(.failed(.describeSnapshotGroups, message: message(error))) }
        case .loadInvocations(let r):
            do { send(.invocationsLoaded(regionId: r, try await cloud.describeInvocations(regionId: r, invokeId: nil, instanceId: nil))) }
            catch { send(.failed(.describeInvocations, message: message(error))) }
        case .execute(let plan):
            await execute(plan, send: send)
        case let .pollInvocation(r, id, instance, after):
            await clock.sleep(seconds: remote ? max(after, 1) : after)
            do {
                let results = try await cloud.describeInvocationResults(regionId: r, invokeId: id, instanceId: instance, contentEncoding: .plainText)
                if let res = results.first(where: { $0.InvokeId == id }) {
                    send(.invocationPolled(res))
                } else {
                    // Not visible yet (the cloud registers results asynchronously): ask again.
                    await perform(.pollInvocation(regionId: r, invokeId: id, instanceId: instance, after: 0.5), send: send)
                }
            } catch { send(.failed(.describeInvocationResults, message: message(error))) }
        case let .findGroup(r, instance, name, after):
            await clock.sleep(seconds: after)
            do {
                let groups = try await cloud.describeSnapshotGroups(regionId: r, instanceId: instance, snapshotGroupIds: nil)
                send(.groupLoaded(groups.filter { $0.Name == name }.max { $0.CreationTime < $1.CreationTime }))
            } catch { send(.failed(.describeSnapshotGroups, message: message(error))) }
        case let .pollGroup(r, id, after):
            await clock.sleep(seconds: after)
            do {
                let groups = try await cloud.describeSnapshotGroups(regionId: r, instanceId: nil, snapshotGroupIds: [id])
                send(.groupLoaded(groups.first { $0.SnapshotGroupId == id }))
            } catch { send(.failed(.describeSnapshotGroups, message: message(error))) }
        case let .saveLog(path, lines):
            let text = lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
            do {
                try text.write(toFile: (path as NSString).expandingTildeInPath, atomically: true, encoding: .utf8)
                send(.logSaved(path: path, lines: lines.count))
            } catch { send(.failed(.saveLog, message: error.localizedDescription)) }
        }
    }

    /// Instances, their disks, Cloud Assistant and RAM roles; the per-instance calls go
    /// 100 instances at a time, as the real API allows.
    func inventory(_ r: String) async throws -> Inventory {
        let instances = try await cloud.describeInstances(regionId: r, instanceIds: nil)
        let disks = try await cloud.describeDisks(regionId: r, instanceId: nil, diskIds: nil)
        var assistant: [String: Bool] = [:]
        var roles: [String: String] = [:]
        let ids = instances.map(\.InstanceId)
        for start in stride(from: 0, to: ids.count, by: CloudLimits.instancesPerRunCommand) {
            let chunk = Array(ids[start..<min(ids.count, start + CloudLimits.instancesPerRunCommand)])
            if let st = try? await cloud.describeCloudAssistantStatus(regionId: r, instanceIds: chunk) {
                for s in st { assistant[s.InstanceId] = s.isRunning }
            }
            if let rr = try? await cloud.describeInstanceRamRole(regionId: r, instanceIds: chunk) {
                for x in rr { roles[x.InstanceId] = x.RamRoleName }
            }
        }
        return Inventory(instances: instances, assistant: assistant, ramRoles: roles, disks: disks)
    }

    func execute(_ plan: SnapshotGroupPlan, send: @escaping @Sendable (Action) -> Void) async {
        switch plan {
        case let .runPlugin(install, _, cmd):
            if install {
                do {
                    try await cloud.installCloudAssistant(regionId: cmd.regionId, instanceIds: cmd.instanceIds)
                    let deadline = clock.uptime() + installWaitSeconds
                    while clock.uptime() < deadline {
                        let st = try await cloud.describeCloudAssistantStatus(regionId: cmd.regionId, instanceIds: cmd.instanceIds)
                        if st.allSatisfy(\.isRunning), !st.isEmpty { break }
                        await clock.sleep(seconds: 1)
                    }
                    send(.cloudAssistantInstalled)
                } catch {
                    send(.failed(.installCloudAssistant, message: message(error)))
                    return
                }
            }
            do { send(.runStarted(invokeId: try await cloud.runCommand(cmd))) }
            catch { send(.failed(.runCommand, message: message(error))) }
        case .createSnapshotGroup(let req):
            do { send(.groupCreated(try await cloud.createSnapshotGroup(req))) }
            catch { send(.failed(.createSnapshotGroup, message: message(error))) }
        }
    }

    /// DryRun of each call the roll back will make, in its order. ResetDisks refuses a
    /// running instance; when the dialog stops it first, that answer is expected and said so.
    func dryRun(_ plan: RollbackPlan) async -> [RollbackPlan.Line] {
        var lines: [RollbackPlan.Line] = []
        func ask(_ call: String, _ body: () async throws -> Void) async -> ECSError? {
            do {
                try await body()
                lines.append(.init(level: .ok, text: "\(call): would succeed"))
                return nil
            } catch let e as ECSError where e.Code == "DryRunOperation" {
                lines.append(.init(level: .ok, text: "\(call): DryRunOperation, would succeed"))
                return nil
            } catch let e as ECSError {
                return e
            } catch {
                lines.append(.init(level: .error, text: "\(call): \(error)"))
                return nil
            }
        }
        let stopping = plan.stopFirst && plan.instanceStatus == InstanceStatus.running
        if stopping, let e = await ask("StopInstance", { try await cloud.stopInstance(instanceId: plan.instanceId, forceStop: false, dryRun: true) }) {
            lines.append(.init(level: .error, text: "StopInstance: \(e.Code): \(e.Message)"))
        }
        if let e = await ask("ResetDisks", { _ = try await cloud.resetDisks(regionId: plan.regionId, disks: plan.resets, dryRun: true) }) {
            if stopping && e.Code == "IncorrectInstanceStatus" {
                lines.append(.init(level: .warn, text: "ResetDisks: \(e.Code) now; it is stopped first"))
            } else {
                lines.append(.init(level: .error, text: "ResetDisks: \(e.Code): \(e.Message)"))
            }
        }
        return lines
    }

    /// Stop (and wait for Stopped), ResetDisks, start: each step reported as it ends. A
    /// failed stop touches no disk; a failed reset still starts the instance if asked, so
    /// it is not left down.
    func rollback(_ plan: RollbackPlan, send: @escaping @Sendable (Action) -> Void) async {
        let id = plan.instanceId
        if plan.stopFirst && plan.instanceStatus == InstanceStatus.running {
            do {
                try await cloud.stopInstance(instanceId: id, forceStop: false, dryRun: false)
                send(.rollbackStep(.init(level: .ok, text: "StopInstance \(plan.instanceName): stopping")))
                guard await waitFor(id, in: plan.regionId, status: InstanceStatus.stopped) else {
                    send(.rollbackFinished(failure: "\(plan.instanceName) did not reach Stopped in \(Int(installWaitSeconds)) s; no disk was touched"))
                    return
                }
                send(.rollbackStep(.init(level: .ok, text: "\(plan.instanceName) is Stopped")))
            } catch {
                send(.rollbackStep(.init(level: .error, text: "StopInstance: \(message(error))")))
                send(.rollbackFinished(failure: "StopInstance failed; no disk was touched"))
                return
            }
        }
        var failure: String?
        do {
            let progress = try await cloud.resetDisks(regionId: plan.regionId, disks: plan.resets, dryRun: false)
            send(.rollbackDisks(progress))
            let bad = progress.filter { $0.OperationStatus != "Success" }.count
            if bad > 0 { failure = "ResetDisks: \(plural(bad, "disk")) not rolled back" }
        } catch {
            failure = "ResetDisks failed: \(message(error))"
        }
        if plan.startAfter {
            do {
                try await cloud.startInstance(instanceId: id, dryRun: false)
                send(.rollbackStep(.init(level: .ok, text: "StartInstance \(plan.instanceName): starting")))
            } catch {
                send(.rollbackStep(.init(level: .error, text: "StartInstance: \(message(error))")))
                failure = failure ?? "StartInstance failed: \(message(error))"
            }
        }
        send(.rollbackFinished(failure: failure))
    }

    /// Polls DescribeInstances until the instance has `status`, up to `installWaitSeconds`.
    func waitFor(_ instanceId: String, in regionId: String, status: String) async -> Bool {
        let deadline = clock.uptime() + installWaitSeconds
        repeat {
            if let i = try? await cloud.describeInstances(regionId: regionId, instanceIds: [instanceId]).first, i.Status == status { return true }
            await clock.sleep(seconds: 1)
        } while clock.uptime() < deadline
        return false
    }

    /// CreateDisk from each snapshot; on the host, each new disk's mount point set and the
    /// disk attached (which mounts it). One disk's failure does not stop the others.
    func restore(_ plan: RestorePlan, mountPoint: String?, send: @escaping @Sendable (Action) -> Void) async {
        var failed = 0
        for snap in plan.snapshots {
            let diskId: String
            do {
                diskId = try await cloud.createDisk(CreateDiskRequest(regionId: plan.regionId, zoneId: plan.zoneId, snapshotId: snap.SnapshotId,
                                                                      category: "cloud_essd", diskName: plan.diskName(for: snap)))
                send(.restoreStep(snapshotId: snap.SnapshotId, .created(diskId)))
            } catch {
                failed += 1
                send(.restoreStep(snapshotId: snap.SnapshotId, .failed("CreateDisk: \(message(error))")))
                continue
            }
            guard let typed = mountPoint else { continue }
            let at = plan.mountPoint(typed, for: snap)
            do {
                guard let host = hostDisks else { throw ECSError("OperationDenied", "this cloud cannot mount disks on this machine") }
                try host.setMountPoint(diskId, at)
                try await cloud.attachDisk(instanceId: plan.instanceId, diskId: diskId)
                send(.restoreStep(snapshotId: snap.SnapshotId, .attached(diskId, at: at)))
            } catch {
                failed += 1
                send(.restoreStep(snapshotId: snap.SnapshotId, .failed("\(diskId) made, not mounted: \(message(error))")))
            }
        }
        send(.restoreFinished(failure: failed == 0 ? nil : "\(plural(failed, "disk")) not restored as asked"))
    }
}
