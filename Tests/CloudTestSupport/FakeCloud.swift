import AppSnapCore
import Foundation

/// A configurable fake `CloudAPI` for the tests, held to EmbeddedCloud's answers by
/// Tests/CloudContractTests. In memory, with a few of the demo inventory's instances
/// (SPEC §12); a plugin run finishes on the second poll with the log lines and tags the
/// real plugin writes; groups, disks and instance states change as the calls say.
public final class FakeCloud: CloudAPI, @unchecked Sendable {
    private let lock = NSLock()
    public var instances: [Instance] = []
    public var disks: [Disk] = []
    public var assistant: [String: Bool] = [:]
    public var roles: [String: String] = [:]
    public var groups: [SnapshotGroup] = []
    public var invocations: [Invocation] = []
    public var polls: [String: Int] = [:]
    public var runCommands: [RunCommandRequest] = []
    public var createRequests: [CreateSnapshotGroupRequest] = []
    public var installs: [String] = []
    public var calls: [String] = []
    /// The exit code a plugin run ends with.
    public var pluginExit = 0
    public var counter = 0

    public static let region = "cn-hangzhou"

    public init() {
        func inst(_ n: Int, _ name: String, _ os: String, _ osName: String, _ status: String = "Running") -> Instance {
            Instance(InstanceId: "i-bp1demo0000000\(n)", InstanceName: name, RegionId: Self.region, ZoneId: "cn-hangzhou-h",
                     Status: status, OSType: os, OSName: osName, CreationTime: "2025-03-04T08:0\(n):00Z")
        }
        instances = [
            inst(1, "linux-app-1", "linux", "CentOS 7.9 64 bit"),
            inst(2, "linux-db-1", "linux", "Ubuntu 22.04 64 bit"),
            inst(3, "linux-shared-1", "linux", "Alibaba Cloud Linux 3 64 bit"),
            inst(4, "linux-stopped-1", "linux", "Ubuntu 20.04 64 bit", "Stopped"),
            inst(5, "linux-noassist-1", "linux", "Ubuntu 22.04 64 bit"),
            inst(6, "win-sql-1", "windows", "Windows Server 2019 Datacenter 64 bit"),
        ]
        var n = 0
        func disk(_ i: Instance, _ type: String, _ size: Int, _ category: String = "cloud_essd", multi: String = "Disabled") {
            n += 1
            disks.append(Disk(DiskId: "d-bp1disk00000\(String(format: "%02d", n))", DiskName: "\(i.InstanceName)-\(type)\(n)",
                              RegionId: Self.region, ZoneId: "cn-hangzhou-h", InstanceId: i.InstanceId, Category: category,
                              Size: size, Status: "In_use", Type: type, Device: "/dev/vd\(Character(UnicodeScalar(96 + n)!))",
                              MultiAttach: multi, CreationTime: "2025-03-04T08:00:00Z"))
        }
        let app = instances[0], db = instances[1], shared = instances[2], stopped = instances[3], noassist = instances[4], win = instances[5]
        disk(app, "system", 40); disk(app, "data", 100); disk(app, "data", 200)
        disk(db, "system", 40); disk(db, "data", 500); disk(db, "data", 100, "cloud_ssd")
        disk(shared, "system", 40); disk(shared, "data", 100, multi: "Enabled")
        disk(stopped, "system", 40)
        disk(noassist, "system", 40); disk(noassist, "data", 50)
        disk(win, "system", 60); disk(win, "data", 200)
        for i in instances { assistant[i.InstanceId] = i.InstanceName != "linux-noassist-1"; roles[i.InstanceId] = "AppSnapshotRoleName" }
        let g = makeGroup(id: "ssg-bp1seed000000001", name: "nightly-app", instance: app, tags: [ConsistencyTag.app, Tag(ConsistencyTag.freezeMsKey, "41")],
                          time: "2025-03-03T01:00:00Z")
        groups = [g]
        invocations = [Invocation(InvokeId: "t-hz0seed00000001", CommandType: "RunShellScript",
                                  CommandContent: #"acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\"AppSnapshotRoleName\",-Name=\"nightly-app\""#,
                                  InvocationStatus: "Success", CreationTime: "2025-03-03T01:00:00Z",
                                  InvokeInstances: InvokeInstanceSet([InvokeInstance(InstanceId: app.InstanceId, InvocationStatus: "Success")]))]
    }

    public func makeGroup(id: String, name: String, instance: Instance, tags: [Tag], time: String, progress: String = "100%",
                   diskIds: [String]? = nil) -> SnapshotGroup {
        let ds = disks.filter { $0.InstanceId == instance.InstanceId && (diskIds?.contains($0.DiskId) ?? ($0.ineligibilityReason == nil)) }
        let snaps = ds.enumerated().map { (i, d) in
            Snapshot(SnapshotId: "s-\(id.dropFirst(4).prefix(14))\(i)", SnapshotName: "\(name)-\(d.DiskId)", SourceDiskId: d.DiskId,
                     SourceDiskSize: d.Size, SourceDiskType: d.Type == "system" ? "System" : "Data",
                     Status: progress == "100%" ? "accomplished" : "progressing", Progress: progress,
                     SnapshotGroupId: id, CreationTime: time, Tags: TagSet(tags))
        }
        return SnapshotGroup(SnapshotGroupId: id, Name: name, Description: "", InstanceId: instance.InstanceId,
                             Status: progress == "100%" ? "accomplished" : "progressing", CreationTime: time, Snapshots: SnapshotSet(snaps))
    }

    /// A big region for the benchmark: `count` instances with `disksPerInstance` disks each
    /// (the fifth a cloud_ssd one), every eleventh stopped, Cloud Assistant and a role on
    /// all; no groups or invocations.
    public convenience init(generatedInstances count: Int, disksPerInstance: Int) {
        self.init()
        let oses = [("linux", "CentOS 7.9 64 bit"), ("linux", "Ubuntu 22.04 64 bit"), ("linux", "Alibaba Cloud Linux 3 64 bit"),
                    ("windows", "Windows Server 2019 Datacenter 64 bit")]
        let names = ["web", "app", "db", "cache", "batch", "queue", "search", "edge"]
        var ins: [Instance] = [], ds: [Disk] = []
        ins.reserveCapacity(count)
        ds.reserveCapacity(count * disksPerInstance)
        for n in 0..<count {
            let (os, osName) = oses[n % oses.count]
            let id = String(format: "i-bp1bench%08d", n)
            ins.append(Instance(InstanceId: id, InstanceName: "\(names[n % names.count])-\(n)", RegionId: Self.region,
                                ZoneId: "cn-hangzhou-h", Status: n % 11 == 0 ? "Stopped" : "Running", OSType: os, OSName: osName,
                                CreationTime: "2025-03-04T08:00:00Z"))
            for d in 0..<disksPerInstance {
                ds.append(Disk(DiskId: String(format: "d-bp1bench%08d%02d", n, d), DiskName: "", RegionId: Self.region,
                               ZoneId: "cn-hangzhou-h", InstanceId: id, Category: d == 4 ? "cloud_ssd" : "cloud_essd",
                               Size: d == 0 ? 40 : 100 * d, Status: "In_use", Type: d == 0 ? "system" : "data",
                               Device: "/dev/vd\(Character(UnicodeScalar(97 + d)!))", MultiAttach: "Disabled",
                               CreationTime: "2025-03-04T08:00:00Z"))
            }
        }
        instances = ins
        disks = ds
        assistant = Dictionary(uniqueKeysWithValues: ins.map { ($0.InstanceId, true) })
        roles = Dictionary(uniqueKeysWithValues: ins.map { ($0.InstanceId, "AppSnapshotRoleName") })
        groups = []
        invocations = []
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T { lock.lock(); defer { lock.unlock() }; return try body() }

    public func describeRegions() async throws -> [Region] {
        locked { calls.append("DescribeRegions") }
        return [Region(RegionId: "ap-southeast-1", LocalName: "Singapore", RegionEndpoint: "ecs.ap-southeast-1.aliyuncs.com"),
                Region(RegionId: "cn-hangzhou", LocalName: "China (Hangzhou)", RegionEndpoint: "ecs.cn-hangzhou.aliyuncs.com"),
                Region(RegionId: "cn-shanghai", LocalName: "China (Shanghai)", RegionEndpoint: "ecs.cn-shanghai.aliyuncs.com")]
    }
    public func describeInstances(regionId: String, instanceIds: [String]?) async throws -> [Instance] {
        locked { instances.filter { $0.RegionId == regionId && (instanceIds?.contains($0.InstanceId) ?? true) } }
    }
    public func describeDisks(regionId: String, instanceId: String?, diskIds: [String]?) async throws -> [Disk] {
        locked { disks.filter { $0.RegionId == regionId && (instanceId == nil || $0.InstanceId == instanceId) } }
    }
    public func describeCloudAssistantStatus(regionId: String, instanceIds: [String]) async throws -> [CloudAssistantStatus] {
        locked { instanceIds.map { CloudAssistantStatus(InstanceId: $0, CloudAssistantStatus: assistant[$0] == true ? "true" : "false",
                                                         CloudAssistantVersion: "2.2.3", OSType: "Linux") } }
    }
    public func installCloudAssistant(regionId: String, instanceIds: [String]) async throws {
        locked { for i in instanceIds { assistant[i] = true; installs.append(i) }; calls.append("InstallCloudAssistant") }
    }
    public func describeInstanceRamRole(regionId: String, instanceIds: [String]) async throws -> [InstanceRamRole] {
        locked { instanceIds.compactMap { id in roles[id].map { InstanceRamRole(InstanceId: id, RamRoleName: $0) } } }
    }
    public func runCommand(_ request: RunCommandRequest) async throws -> String {
        locked {
            counter += 1
            let id = "t-hz0run0000000\(counter)"
            runCommands.append(request)
            calls.append("RunCommand")
            invocations.append(Invocation(InvokeId: id, CommandType: request.type, CommandContent: request.commandContent,
                                          InvocationStatus: "Running", CreationTime: "2025-03-04T16:09:2\(counter)Z",
                                          InvokeInstances: InvokeInstanceSet(request.instanceIds.map { InvokeInstance(InstanceId: $0, InvocationStatus: "Running") })))
            return id
        }
    }
    public func describeInvocations(regionId: String, invokeId: String?, instanceId: String?) async throws -> [Invocation] {
        locked { invocations.filter { invokeId == nil || $0.InvokeId == invokeId } }
    }

    public static let logHead = [
        #"[level="info"][time="2025-03-04 16:09:25.8200239"][message="Start app-snapshot-plugin"]"#,
        #"[level="info"][time="2025-03-04 16:09:25.8300000"][message="Condition checks passed"]"#,
        #"[level="info"][time="2025-03-04 16:09:26.1000000"][message="Run prescript /tmp/prescript.sh"]"#,
    ]

    public func describeInvocationResults(regionId: String, invokeId: String?, instanceId: String?, contentEncoding: ContentEncoding) async throws -> [InvocationResult] {
        try locked {
            calls.append("DescribeInvocationResults:\(contentEncoding.rawValue)")
            guard let id = invokeId, let inv = invocations.first(where: { $0.InvokeId == id }) else { return [] }
            let n = (polls[id] ?? 0) + 1
            polls[id] = n
            let inst = inv.InvokeInstances.InvokeInstance.first!.InstanceId
            if inv.InvocationStatus == "Success" {
                return [InvocationResult(InvokeId: id, InstanceId: inst, InvocationStatus: "Success", InvokeRecordStatus: "Finished",
                                         ExitCode: 0, Output: Self.logHead.joined(separator: "\n") + "\n", Dropped: 0, StartTime: "", FinishedTime: "")]
            }
            if n == 1 {
                // A partial last line: the console must hold it until it is complete.
                return [InvocationResult(InvokeId: id, InstanceId: inst, InvocationStatus: "Running", InvokeRecordStatus: "Running",
                                         ExitCode: nil, Output: Self.logHead.joined(separator: "\n") + "\n[level=\"info\"]", Dropped: 0,
                                         StartTime: "", FinishedTime: "")]
            }
            let instance = instances.first { $0.InstanceId == inst }!
            let content = inv.CommandContent
            let name = content.range(of: #"-Name=\""#).map { String(content[$0.upperBound...].prefix { $0 != "\\" }) } ?? "x"
            var out = Self.logHead
            var gid: String?
            if pluginExit == 0 {
                counter += 1
                let g = makeGroup(id: "ssg-bp1new00000000\(counter)", name: name, instance: instance,
                                  tags: [ConsistencyTag.app, Tag(ConsistencyTag.freezeMsKey, "37")], time: "2025-03-04T16:09:3\(counter)Z",
                                  progress: "60%")
                groups.append(g)
                gid = g.SnapshotGroupId
                out += [
                    #"[level="info"][time="2025-03-04 16:09:27.0000000"][message="Finish SnapshotGroup=\#(g.SnapshotGroupId) Creation, TotalCost=1.2s, QueryCost=0.3s"]"#,
                    #"[level="info"][time="2025-03-04 16:09:27.1000000"][message="Prepare to Thaw FileSystem or Applications"]"#,
                    #"[level="info"][time="2025-03-04 16:09:27.2000000"][message="Thaw Write Request Done"]"#,
                    #"[level="info"][time="2025-03-04 16:09:27.3000000"][message="Tag snapshots with AppConsistent"]"#,
                    #"[level="info"][time="2025-03-04 16:09:27.4000000"][message="Take AppConsistent snapshots successfully"]"#,
                ]
            } else {
                out.append(#"[level="error"][time="2025-03-04 16:09:27.0000000"][message="Freeze did not complete within 30s; thawed"]"#)
            }
            _ = gid
            if let i = invocations.firstIndex(where: { $0.InvokeId == id }) {
                invocations[i].InvocationStatus = pluginExit == 0 ? "Success" : "Failed"
            }
            return [InvocationResult(InvokeId: id, InstanceId: inst, InvocationStatus: pluginExit == 0 ? "Success" : "Failed",
                                     InvokeRecordStatus: "Finished", ExitCode: pluginExit, Output: out.joined(separator: "\n"),
                                     Dropped: 0, ErrorCode: pluginExit == 0 ? "" : "ExitCodeNonzero", StartTime: "", FinishedTime: "")]
        }
    }
    public func sendFile(_ request: SendFileRequest) async throws -> String { "t-file" }
    public func createSnapshotGroup(_ request: CreateSnapshotGroupRequest) async throws -> String {
        locked {
            counter += 1
            createRequests.append(request)
            calls.append("CreateSnapshotGroup")
            let inst = instances.first { $0.InstanceId == request.instanceId }!
            let g = makeGroup(id: "ssg-bp1crash0000000\(counter)", name: request.name, instance: inst, tags: [],
                              time: "2025-03-04T17:00:0\(counter)Z", diskIds: request.diskIds)
            groups.append(g)
            return g.SnapshotGroupId
        }
    }
    /// Each describe moves progressing snapshots on by 40 points, so progress shows and ends.
    public func describeSnapshotGroups(regionId: String, instanceId: String?, snapshotGroupIds: [String]?) async throws -> [SnapshotGroup] {
        locked {
            calls.append("DescribeSnapshotGroups")
            let out = groups.filter { (instanceId == nil || $0.InstanceId == instanceId) && (snapshotGroupIds?.contains($0.SnapshotGroupId) ?? true) }
            for (gi, g) in groups.enumerated() where g.Status == "progressing" && out.contains(where: { $0.SnapshotGroupId == g.SnapshotGroupId }) {
                for si in groups[gi].Snapshots.Snapshot.indices {
                    let p = min(100, (Int(groups[gi].Snapshots.Snapshot[si].Progress.replacingOccurrences(of: "%", with: "")) ?? 0) + 40)
                    groups[gi].Snapshots.Snapshot[si].Progress = "\(p)%"
                    if p == 100 { groups[gi].Snapshots.Snapshot[si].Status = "accomplished" }
                }
                if groups[gi].Snapshots.Snapshot.allSatisfy({ $0.Status == "accomplished" }) { groups[gi].Status = "accomplished" }
            }
            return out
        }
    }
    /// Names of groups DeleteSnapshotGroup refuses (as a group still being created is).
    public var undeletable: Set<String> = []
    public func deleteSnapshotGroup(regionId: String, snapshotGroupId: String) async throws {
        try locked {
            calls.append("DeleteSnapshotGroup \(snapshotGroupId)")
            if undeletable.contains(snapshotGroupId) { throw ECSError("IncorrectSnapshotGroupStatus", "The group is being created.") }
            guard groups.contains(where: { $0.SnapshotGroupId == snapshotGroupId }) else {
                throw ECSError("InvalidSnapshotGroupId.NotFound", "The specified snapshot group \"\(snapshotGroupId)\" does not exist.")
            }
            groups.removeAll { $0.SnapshotGroupId == snapshotGroupId }
        }
    }
    /// Disks rolled back, in order, as (disk, snapshot).
    public var resets: [DiskReset] = []
    public func stopInstance(instanceId: String, forceStop: Bool, dryRun: Bool) async throws {
        try locked {
            guard let i = instances.firstIndex(where: { $0.InstanceId == instanceId }) else { throw ECSError("InvalidInstanceId.NotFound", "no such instance") }
            guard instances[i].Status == "Running" else { throw ECSError("IncorrectInstanceStatus", "The instance is \(instances[i].Status).") }
            if dryRun { throw ECSError.dryRunOperation }
            calls.append("StopInstance \(instanceId)")
            instances[i].Status = "Stopped"
        }
    }
    public func startInstance(instanceId: String, dryRun: Bool) async throws {
        try locked {
            guard let i = instances.firstIndex(where: { $0.InstanceId == instanceId }) else { throw ECSError("InvalidInstanceId.NotFound", "no such instance") }
            guard instances[i].Status == "Stopped" else { throw ECSError("IncorrectInstanceStatus", "The instance is \(instances[i].Status).") }
            if dryRun { throw ECSError.dryRunOperation }
            calls.append("StartInstance \(instanceId)")
            instances[i].Status = "Running"
        }
    }
    public func resetDisks(regionId: String?, disks: [DiskReset], dryRun: Bool) async throws -> [OperationProgress] {
        try locked {
            for r in disks {
                guard let d = self.disks.first(where: { $0.DiskId == r.diskId }) else { throw ECSError("InvalidDiskId.NotFound", "no such disk") }
                if let i = instances.first(where: { $0.InstanceId == d.InstanceId }), i.Status != "Stopped" {
                    throw ECSError("IncorrectInstanceStatus", "The instance \(i.InstanceId) is \(i.Status); stop it first.")
                }
            }
            if dryRun { throw ECSError.dryRunOperation }
            calls.append("ResetDisks \(disks.map(\.diskId).joined(separator: ","))")
            resets += disks
            return disks.map { OperationProgress(success: true, items: [RelatedItem("DiskId", $0.diskId), RelatedItem("SnapshotId", $0.snapshotId)]) }
        }
    }
    public func modifySnapshotGroup(regionId: String, snapshotGroupId: String, name: String?, description: String?) async throws {
        try locked {
            calls.append("ModifySnapshotGroup \(snapshotGroupId)")
            guard let i = groups.firstIndex(where: { $0.SnapshotGroupId == snapshotGroupId }) else {
                throw ECSError("InvalidSnapshotGroupId.NotFound", "The specified snapshot group does not exist.")
            }
            if let name { groups[i].Name = name }
            if let description { groups[i].Description = description }
        }
    }
    public func describeSnapshots(regionId: String, snapshotIds: [String]?, diskId: String?, instanceId: String?) async throws -> [Snapshot] { [] }
    public func deleteSnapshot(regionId: String, snapshotId: String) async throws {}
    public func tagResources(regionId: String, resourceType: String, resourceIds: [String], tags: [Tag], dryRun: Bool) async throws {}
    public var createdDisks: [CreateDiskRequest] = []
    public var attached: [(instance: String, disk: String)] = []
    public func createDisk(_ request: CreateDiskRequest) async throws -> String {
        locked {
            createdDisks.append(request)
            return "d-restored0000\(createdDisks.count)"
        }
    }
    public func attachDisk(instanceId: String, diskId: String) async throws { locked { attached.append((instanceId, diskId)) } }
    public func detachDisk(instanceId: String, diskId: String) async throws {}
}

