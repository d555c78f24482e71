import Foundation

/// The demo inventory of SPEC §12: deterministic IDs and names, so tests and the tour
/// can rely on them.
enum DemoInventory {
    static let readyRole = "AppSnapshotRoleName"
    static let weakRole = "AppSnapshotWeakRole"
    /// The vendor's policy plus ecs:DeleteSnapshotGroup, so a run that misses its I/O
    /// suspension bound (exit 11) can remove the half-made group it leaves.
    static let readyPolicy = ["ecs:DescribeSnapshot*", "ecs:CreateSnapshot*", "ecs:TagResources", "ecs:DescribeDisks",
                              "ecs:DeleteSnapshotGroup"]
    static let weakPolicy = ["ecs:DescribeSnapshot*", "ecs:CreateSnapshot*", "ecs:DescribeDisks"]
    static let assistantVersion = "2.2.3.776"

    static let regions: [RegionRecord] = [
        RegionRecord(regionId: "cn-hangzhou", localName: "China (Hangzhou)",
                     endpoint: "ecs.cn-hangzhou.aliyuncs.com", defaultZoneId: "cn-hangzhou-h"),
        RegionRecord(regionId: "cn-shanghai", localName: "China (Shanghai)",
                     endpoint: "ecs.cn-shanghai.aliyuncs.com", defaultZoneId: "cn-shanghai-l"),
        RegionRecord(regionId: "ap-southeast-1", localName: "Singapore",
                     endpoint: "ecs.ap-southeast-1.aliyuncs.com", defaultZoneId: "ap-southeast-1c"),
    ]

    struct DiskSpec { var category: String; var sizeGiB: Int; var multiAttach = false }
    struct InstanceSpec {
        var name: String
        var region: String
        var osType: String
        var osName: String
        var status = "Running"
        var role: String? = DemoInventory.readyRole
        var assistant = true
        var disks: [DiskSpec]
        var vssWriters: [String] = []
    }

    private static let essd = { (size: Int) in DiskSpec(category: "cloud_essd", sizeGiB: size) }

    static let instances: [InstanceSpec] = [
        InstanceSpec(name: "linux-app-1", region: "cn-hangzhou", osType: "linux", osName: "CentOS 7.9 64 bit",
                     disks: [essd(40), essd(20), essd(20)]),
        InstanceSpec(name: "linux-db-1", region: "cn-hangzhou", osType: "linux", osName: "Ubuntu 22.04 64 bit",
                     disks: [essd(40), essd(30), DiskSpec(category: "cloud_ssd", sizeGiB: 20)]),
        InstanceSpec(name: "linux-shared-1", region: "cn-hangzhou", osType: "linux",
                     osName: "Alibaba Cloud Linux 3.2104 LTS 64 bit",
                     disks: [DiskSpec(category: "cloud_essd", sizeGiB: 40, multiAttach: true)]),
        InstanceSpec(name: "linux-stopped-1", region: "cn-hangzhou", osType: "linux", osName: "Ubuntu 20.04 64 bit",
                     status: "Stopped", disks: [essd(20), essd(20)]),
        InstanceSpec(name: "linux-norole-1", region: "cn-hangzhou", osType: "linux", osName: "CentOS 8.2 64 bit",
                     role: nil, disks: [essd(20), essd(20)]),
        InstanceSpec(name: "linux-weakrole-1", region: "cn-hangzhou", osType: "linux", osName: "Ubuntu 22.04 64 bit",
                     role: DemoInventory.weakRole, disks: [essd(20), essd(20)]),
        InstanceSpec(name: "linux-noassist-1", region: "cn-hangzhou", osType: "linux", osName: "Ubuntu 22.04 64 bit",
                     assistant: false, disks: [essd(20), essd(20)]),
        InstanceSpec(name: "linux-old-1", region: "cn-hangzhou", osType: "linux", osName: "CentOS 7.5 64 bit",
                     disks: [essd(20)]),
        InstanceSpec(name: "win-sql-1", region: "cn-hangzhou", osType: "windows",
                     osName: "Windows Server 2019 Datacenter 64 bit", disks: [essd(40), essd(30)],
                     vssWriters: ["System Writer", "Registry Writer", "COM+ REGDB Writer", "WMI Writer", "SqlServerWriter"]),
        InstanceSpec(name: "win-old-1", region: "cn-hangzhou", osType: "windows",
                     osName: "Windows Server 2008 R2 Enterprise 64 bit", disks: [essd(40)],
                     vssWriters: ["System Writer", "Registry Writer"]),
        InstanceSpec(name: "linux-sh-1", region: "cn-shanghai", osType: "linux", osName: "Alibaba Cloud Linux 3.2104 LTS 64 bit",
                     disks: [essd(40), essd(20)]),
        InstanceSpec(name: "linux-sg-1", region: "ap-southeast-1", osType: "linux", osName: "Ubuntu 22.04 64 bit",
                     disks: [essd(40), essd(20)]),
    ]

    /// ECS-looking IDs (`i-bp1…` in Hangzhou, `uf6` Shanghai, `t4n` Singapore) derived
    /// from the name, so every seeded cloud has the same ones.
    static func id(prefix: String, region: String, seed: String) -> String {
        let regionPart = regionCode(region)
        var h = FNV1a64(); h.update(Array(seed.utf8))
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var v = h.value, out = ""
        for _ in 0..<12 { out.append(digits[Int(v % 36)]); v /= 36 }
        return "\(prefix)-\(regionPart)\(out)"
    }

    static let creationTime = "2025-03-01T08:00:00Z"

    /// The three letters after the dash of an ID that say its region, as ECS's IDs do.
    private static let regionCodes = ["cn-hangzhou": "bp1", "cn-shanghai": "uf6", "ap-southeast-1": "t4n"]

    static func regionCode(_ region: String) -> String { regionCodes[region] ?? "xx0" }

    /// The region an ID was made in (`d-bp1…` → cn-hangzhou), when it says one.
    static func region(ofId id: String) -> String? {
        guard let dash = id.firstIndex(of: "-") else { return nil }
        let code = id[id.index(after: dash)...].prefix(3)
        return regionCodes.first { $0.value == code }?.key
    }
}
