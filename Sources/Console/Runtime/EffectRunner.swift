import AppSnapCore
import Foundation

/// Performs effects against the cloud and reports the outcome as actions. The only place
/// the console calls `CloudAPI`.
public struct EffectRunner: Sendable {
    public let cloud: CloudAPI
    public let clock: Clock
    /// How long to wait for Cloud Assistant to report running after InstallCloudAssistant.
    public var installWaitSeconds = 120.0
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
        case .quit:
            return
        case .loadRegions:
            do { send(.regionsLoaded(try await cloud.describeRegions())) }
            catch { send(.failed(what: "DescribeRegions", message: message(error))) }
        case .loadInventory(let r):
            do { send(.inventoryLoaded(regionId: r, try await inventory(r))) }
            catch { send(.failed(what: "DescribeInstances", message: message(error))) }
        case .loadGroups(let r):
            do { send(.groupsLoaded(regionId: r, try await cloud.describeSnapshotGroups(regionId: r, instanceId: nil, snapshotGroupIds: nil))) }
            catch { send(.failed(what: "DescribeSnapshotGroups", message: message(error))) }
        case .loadInvocations(let r):
            do { send(.invocationsLoaded(regionId: r, try await cloud.describeInvocations(regionId: r, invokeId: nil, instanceId: nil))) }
            catch { send(.failed(what: "DescribeInvocations", message: message(error))) }
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
            } catch { send(.failed(what: "DescribeInvocationResults", message: message(error))) }
        case let .findGroup(r, instance, name, after):
            await clock.sleep(seconds: after)
            do {
                let groups = try await cloud.describeSnapshotGroups(regionId: r, instanceId: instance, snapshotGroupIds: nil)
                send(.groupLoaded(groups.filter { $0.Name == name }.max { $0.CreationTime < $1.CreationTime }))
            } catch { send(.failed(what: "DescribeSnapshotGroups", message: message(error))) }
        case let .pollGroup(r, id, after):
            await clock.sleep(seconds: after)
            do {
                let groups = try await cloud.describeSnapshotGroups(regionId: r, instanceId: nil, snapshotGroupIds: [id])
                send(.groupLoaded(groups.first { $0.SnapshotGroupId == id }))
            } catch { send(.failed(what: "DescribeSnapshotGroups", message: message(error))) }
        case let .saveLog(path, lines):
            let text = lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
            do {
                try text.write(toFile: (path as NSString).expandingTildeInPath, atomically: true, encoding: .utf8)
                send(.logSaved(path: path, lines: lines.count))
            } catch { send(.failed(what: "Saving the log", message: error.localizedDescription)) }
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

    func execute(_ plan: ConsolePlan, send: @escaping @Sendable (Action) -> Void) async {
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
                    send(.failed(what: "InstallCloudAssistant", message: message(error)))
                    return
                }
            }
            do { send(.runStarted(invokeId: try await cloud.runCommand(cmd))) }
            catch { send(.failed(what: "RunCommand", message: message(error))) }
        case .createSnapshotGroup(let req):
            do { send(.groupCreated(try await cloud.createSnapshotGroup(req))) }
            catch { send(.failed(what: "CreateSnapshotGroup", message: message(error))) }
        }
    }
}
