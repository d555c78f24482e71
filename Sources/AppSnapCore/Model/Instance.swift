/// An ECS instance as DescribeInstances returns it (the fields appsnap uses).
public struct Instance: Codable, Hashable, Sendable {
    public var InstanceId: String
    public var InstanceName: String
    public var RegionId: String
    public var ZoneId: String
    /// `Running`, `Stopped`, `Starting`, `Stopping`.
    public var Status: String
    /// `linux` or `windows`.
    public var OSType: String
    /// e.g. `CentOS 7.9 64 bit`, `Windows Server 2019 Datacenter 64 bit`.
    public var OSName: String
    public var InstanceType: String
    public var CreationTime: String

    public init(InstanceId: String, InstanceName: String, RegionId: String, ZoneId: String, Status: String,
                OSType: String, OSName: String, InstanceType: String = "ecs.g7.large", CreationTime: String) {
        self.InstanceId = InstanceId; self.InstanceName = InstanceName; self.RegionId = RegionId
        self.ZoneId = ZoneId; self.Status = Status; self.OSType = OSType; self.OSName = OSName
        self.InstanceType = InstanceType; self.CreationTime = CreationTime
    }

    public var isWindows: Bool { OSType.lowercased() == "windows" }
}

public enum InstanceStatus {
    public static let running = "Running"
    public static let stopped = "Stopped"
}

/// DescribeCloudAssistantStatus: `InstanceCloudAssistantStatusSet.InstanceCloudAssistantStatus[]`.
public struct CloudAssistantStatus: Codable, Hashable, Sendable {
    public var InstanceId: String
    /// `"true"` or `"false"`, a string as the real API returns it.
    public var CloudAssistantStatus: String
    public var CloudAssistantVersion: String
    public var OSType: String
    public init(InstanceId: String, CloudAssistantStatus: String, CloudAssistantVersion: String, OSType: String) {
        self.InstanceId = InstanceId; self.CloudAssistantStatus = CloudAssistantStatus
        self.CloudAssistantVersion = CloudAssistantVersion; self.OSType = OSType
    }
    public var isRunning: Bool { CloudAssistantStatus == "true" }
}

/// DescribeInstanceRamRole: `InstanceRamRoleSets.InstanceRamRoleSet[]`.
public struct InstanceRamRole: Codable, Hashable, Sendable {
    public var InstanceId: String
    public var RamRoleName: String
    public init(InstanceId: String, RamRoleName: String) { self.InstanceId = InstanceId; self.RamRoleName = RamRoleName }
}
