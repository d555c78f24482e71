import Foundation
@testable import AppSnapCore

/// A ready Linux (or Windows) instance in the fake cloud, like the demo's linux-app-1:
/// three ESSD disks with mounted file systems, the role attached, good scripts in /tmp.
final class TestEnv: @unchecked Sendable {
    let clock = FakeClock()
    let events = EventLog()
    let cloud: FakeCloud
    let guest: FakeGuest
    let sink = MemoryLogSink()
    let instanceId: String
    let role = "AppSnapshotRoleName"
    private let lock = NSLock()
    private var _linesAtFreeze: Int?
    private var _linesAtThaw: Int?

    init(windows: Bool = false, osName: String? = nil, diskCount: Int = 3) {
        instanceId = windows ? "i-win1" : "i-linux1"
        cloud = FakeCloud(clock: clock, events: events)
        guest = FakeGuest(instanceId: instanceId, clock: clock, events: events)
        cloud.instances = [Instance(InstanceId: instanceId, InstanceName: windows ? "win-sql-1" : "linux-app-1",
                                    RegionId: "cn-hangzhou", ZoneId: "cn-hangzhou-h", Status: "Running",
                                    OSType: windows ? "windows" : "linux",
                                    OSName: osName ?? (windows ? "Windows Server 2019 Datacenter 64 bit" : "CentOS 7.9 64 bit"),
                                    CreationTime: "2025-01-01T00:00Z")]
        for n in 1...diskCount { addDisk("d-\(n)", system: n == 1) }
        cloud.roles[instanceId] = role
        guest.installGoodScripts()
        let s = sink
        guest.onFreeze = { [weak self] in self?.mark(freeze: s.records.count) }
        guest.onThaw = { [weak self] in self?.mark(thaw: s.records.count) }
    }

    func addDisk(_ id: String, system: Bool = false, category: String = "cloud_essd", multiAttach: String = "Disabled") {
        cloud.disks.append(Disk(DiskId: id, DiskName: id, RegionId: "cn-hangzhou", ZoneId: "cn-hangzhou-h", InstanceId: instanceId,
                                Category: category, Size: 40, Status: "In_use", Type: system ? "system" : "data",
                                Device: "/dev/vd\(Character(UnicodeScalar(UInt8(96 + cloud.disks.count + 1))))",
                                MultiAttach: multiAttach, CreationTime: "2025-01-01T00:00Z"))
        guest.mounts[id] = system ? ["/"] : ["/mnt/\(id)"]
    }

    private func mark(freeze: Int? = nil, thaw: Int? = nil) {
        lock.lock(); defer { lock.unlock() }
        if let freeze { _linesAtFreeze = freeze }
        if let thaw, _linesAtThaw == nil { _linesAtThaw = thaw }
    }
    /// Lines that reached the sink by the time the file systems were frozen, and by the first thaw.
    var linesAtFreeze: Int? { lock.lock(); defer { lock.unlock() }; return _linesAtFreeze }
    var linesAtThaw: Int? { lock.lock(); defer { lock.unlock() }; return _linesAtThaw }

    let settings = WorkflowSettings(scriptTimeoutSeconds: 1800, groupWaitSeconds: 600, pollIntervalSeconds: 2)

    func runLinux(_ p: LinuxPluginParams) async -> Outcome {
        await LinuxWorkflow(cloud: cloud, guest: guest, clock: clock, log: sink, settings: settings).run(p)
    }

    func runWindows(_ p: WindowsPluginParams) async -> Outcome {
        await WindowsWorkflow(cloud: cloud, guest: guest, clock: clock, log: sink, settings: settings).run(p)
    }

    func exec(plugin: String, params: String) async -> Outcome {
        await PluginRunner.exec(plugin: plugin, params: params, cloud: cloud, guest: guest, clock: clock, log: sink, settings: settings)
    }

    var messages: [String] { sink.messages }
    func logged(_ s: String) -> Bool { messages.contains { $0.contains(s) } }
    var errorLines: [String] { sink.records.filter { $0.level == .error }.map(\.message) }

    /// The tags on every snapshot of a group, as `key:value` sets.
    func tags(ofGroup gid: String) -> [String: Set<String>] {
        cloud.with {
            Dictionary(uniqueKeysWithValues: cloud.snapshots.filter { $0.SnapshotGroupId == gid }
                .map { ($0.SnapshotId, Set($0.Tags.Tag.map { "\($0.TagKey):\($0.TagValue)" })) })
        }
    }

    func addManualSnapshots(disk: String, count: Int, type: String = "user") {
        cloud.with {
            for n in 0..<count {
                cloud.snapshots.append(Snapshot(SnapshotId: "s-old-\(disk)-\(n)", SnapshotName: "old", SourceDiskId: disk, SourceDiskSize: 40,
                                                SourceDiskType: "Data", Status: "accomplished", Progress: "100%", SnapshotType: type,
                                                SnapshotGroupId: "", CreationTime: "2025-01-01T00:00Z"))
            }
        }
    }
}
