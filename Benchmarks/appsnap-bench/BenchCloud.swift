import AppSnapCore
import Foundation

/// An in-memory cloud with a big region: `instances` instances with `disksPerInstance`
/// disks each. Only the calls the console makes to show a region are answered; the rest
/// are never reached by the benchmark.
final class BenchCloud: CloudAPI, @unchecked Sendable {
    static let region = "cn-hangzhou"
    let instances: [Instance]
    let disks: [Disk]

    init(instances count: Int, disksPerInstance: Int) {
        let oses = [("linux", "CentOS 7.9 64 bit"), ("linux", "Ubuntu 22.04 64 bit"), ("linux", "Alibaba Cloud Linux 3 64 bit"),
                    ("windows", "Windows Server 2019 Datacenter 64 bit")]
        let roles = ["web", "app", "db", "cache", "batch", "queue", "search", "edge"]
        var ins: [Instance] = []
        var ds: [Disk] = []
        ins.reserveCapacity(count)
        ds.reserveCapacity(count * disksPerInstance)
        for n in 0..<count {
            let (os, osName) = oses[n % oses.count]
            let id = String(format: "i-bp1bench%08d", n)
            ins.append(Instance(InstanceId: id, InstanceName: "\(roles[n % roles.count])-\(n)", RegionId: Self.region,
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
    }

    func describeRegions() async throws -> [Region] {
        [Region(RegionId: Self.region, LocalName: "China (Hangzhou)", RegionEndpoint: "ecs.cn-hangzhou.aliyuncs.com")]
    }
    func describeInstances(regionId: String, instanceIds: [String]?) async throws -> [Instance] { instances }
    func describeDisks(regionId: String, instanceId: String?, diskIds: [String]?) async throws -> [Disk] { disks }
    func describeCloudAssistantStatus(regionId: String, instanceIds: [String]) async throws -> [CloudAssistantStatus] {
        instanceIds.map { CloudAssistantStatus(InstanceId: $0, CloudAssistantStatus: "true", CloudAssistantVersion: "2.2.3", OSType: "Linux") }
    }
    func describeInstanceRamRole(regionId: String, instanceIds: [String]) async throws -> [InstanceRamRole] {
        instanceIds.map { InstanceRamRole(InstanceId: $0, RamRoleName: "AppSnapshotRoleName") }
    }
    func describeInvocations(regionId: String, invokeId: String?, instanceId: String?) async throws -> [Invocation] { [] }
    func describeSnapshotGroups(regionId: String, instanceId: String?, snapshotGroupIds: [String]?) async throws -> [SnapshotGroup] { [] }

    struct Unused: Error {}
    func installCloudAssistant(regionId: String, instanceIds: [String]) async throws { throw Unused() }
    func runCommand(_ request: RunCommandRequest) async throws -> String { throw Unused() }
    func describeInvocationResults(regionId: String, invokeId: String?, instanceId: String?,
                                   contentEncoding: ContentEncoding) async throws -> [InvocationResult] { throw Unused() }
    func sendFile(_ request: SendFileRequest) async throws -> String { throw Unused() }
    func createSnapshotGroup(_ request: CreateSnapshotGroupRequest) async throws -> String { throw Unused() }
    func deleteSnapshotGroup(regionId: String, snapshotGroupId: String) async throws { throw Unused() }
    func describeSnapshots(regionId: String, snapshotIds: [String]?, diskId: String?, instanceId: String?) async throws -> [Snapshot] { [] }
    func deleteSnapshot(regionId: String, snapshotId: String) async throws { throw Unused() }
    func tagResources(regionId: String, resourceType: String, resourceIds: [String], tags: [Tag], dryRun: Bool) async throws { throw Unused() }
    func createDisk(_ request: CreateDiskRequest) async throws -> String { throw Unused() }
    func attachDisk(instanceId: String, diskId: String) async throws { throw Unused() }
    func detachDisk(instanceId: String, diskId: String) async throws { throw Unused() }
}
