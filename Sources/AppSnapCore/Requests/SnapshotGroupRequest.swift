import Foundation

/// A snapshot-consistent group to create on one instance (SPEC §2, §15): the disks, the
/// name, the application-consistent settings, and how it becomes cloud calls: the plugin's
/// RunCommand when application-consistent is on, a plain CreateSnapshotGroup
/// (crash-consistent) when it is off. The console's Create dialog and the command line
/// both build one; what only the dialog shows lives in the console.
public struct SnapshotGroupRequest: Equatable, Sendable {
    public var instance: Instance
    /// Every disk of the instance, eligible or not (ineligible ones are never selected).
    public var disks: [Disk]
    public var selectedDiskIds: Set<String>
    public var name: String
    public var description: String
    public var appConsistent: Bool
    /// Linux: File System I/O Suspension and Resume.
    public var fsFreeze: Bool
    /// Linux: how long I/O may stay suspended.
    public var timeoutSeconds: Int
    /// Windows: Contain Writers by Default.
    public var containWriters: Bool
    /// From DescribeInstanceRamRole; empty when no role is attached.
    public var ramRoleName: String
    /// From DescribeCloudAssistantStatus; when false the plan installs it first.
    public var cloudAssistantInstalled: Bool

    /// The only script paths the plugin accepts (SPEC §6).
    public static let preScriptPath = "/tmp/prescript.sh"
    public static let postScriptPath = "/tmp/postscript.sh"
    /// RunCommand timeout for a plugin run, in seconds.
    public static let runCommandTimeout = 7200

    /// A new request for `instance`: every eligible disk selected, the defaults of SPEC §2.
    public init(instance: Instance, disks: [Disk], ramRoleName: String = "", cloudAssistantInstalled: Bool = true,
                name: String = "", description: String = "", appConsistent: Bool = false,
                fsFreeze: Bool = true, timeoutSeconds: Int = 30, containWriters: Bool = true,
                selectedDiskIds: Set<String>? = nil) {
        self.instance = instance; self.disks = disks; self.ramRoleName = ramRoleName
        self.cloudAssistantInstalled = cloudAssistantInstalled; self.name = name; self.description = description
        self.appConsistent = appConsistent; self.fsFreeze = fsFreeze; self.timeoutSeconds = timeoutSeconds
        self.containWriters = containWriters
        self.selectedDiskIds = selectedDiskIds ?? Set(disks.filter { $0.ineligibilityReason == nil }.map(\.DiskId))
    }

    public var isWindows: Bool { instance.isWindows }

    /// The instance's disks that are not selected, in the instance's order: the plugin's ExcludeDiskId.
    public var excludedDiskIds: [String] { disks.map(\.DiskId).filter { !selectedDiskIds.contains($0) } }

    /// The selected disks, in the instance's order.
    public var selectedDisks: [Disk] { disks.filter { selectedDiskIds.contains($0.DiskId) } }

    public enum Field: String, Sendable, Equatable, CaseIterable {
        case disks, name, description, timeout, ramRole
    }

    /// One thing the operator must fix before OK does anything.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var field: Field
        public var message: String
        public init(_ field: Field, _ message: String) { self.field = field; self.message = message }
        public var description: String { message }
    }

    /// The parser's sentence for a value it refuses, without its `--params` framing.
    private static func refusal(_ check: () throws -> Void) -> String? {
        do { try check(); return nil } catch let e as ParamsError {
            return e.message.replacingOccurrences(of: "invalid --params: ", with: "")
        } catch { return "\(error)" }
    }

    /// Every problem with the dialog as it stands, in the dialog's order; empty when OK may proceed.
    public func validate() -> [Problem] {
        var out: [Problem] = []
        let chosen = selectedDisks
        if chosen.isEmpty {
            out.append(Problem(.disks, "Disks: select at least one disk"))
        }
        for d in chosen {
            if let why = d.ineligibilityReason { out.append(Problem(.disks, "Disks: \(why); deselect it")) }
        }
        if chosen.count > CloudLimits.disksPerGroup {
            out.append(Problem(.disks, "Disks: at most \(CloudLimits.disksPerGroup) disks fit in one group, \(chosen.count) are selected"))
        }
        // The plugin's own rules (ECS naming), so OK never starts a run that ends in exit 2.
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(Problem(.name, "Name: required"))
        } else if let why = Self.refusal({ _ = try ParamsParser.groupName(name) }) {
            out.append(Problem(.name, why))
        }
        if let why = Self.refusal({ _ = try ParamsParser.groupDescription(description) }) {
            out.append(Problem(.description, why))
        }
        if appConsistent && !isWindows && !(1...3600).contains(timeoutSeconds) {
            out.append(Problem(.timeout, "Timeout: must be 1 to 3600 seconds (now \(timeoutSeconds))"))
        }
        if appConsistent && ramRoleName.isEmpty {
            out.append(Problem(.ramRole, "RAM role: none is attached to \(instance.InstanceName); attach one that may create and tag snapshots"))
        }
        return out
    }

    /// The plugin parameters the request stands for (application-consistent only).
    public var pluginParams: PluginParams {
        if isWindows {
            return .windows(WindowsPluginParams(ramRoleName: ramRoleName, enableWriters: containWriters,
                                                excludeDiskIds: excludedDiskIds, name: name, description: description))
        }
        return .linux(LinuxPluginParams(ramRoleName: ramRoleName, enableFsFreeze: fsFreeze, timeoutInSeconds: timeoutSeconds,
                                        preScriptPath: Self.preScriptPath, postScriptPath: Self.postScriptPath,
                                        excludeDiskIds: excludedDiskIds, name: name, description: description))
    }

    /// The calls to make, or the problems that stop them.
    public func plan() -> Result<SnapshotGroupPlan, SnapshotGroupRequestInvalid> {
        let problems = validate()
        if !problems.isEmpty { return .failure(SnapshotGroupRequestInvalid(problems: problems)) }
        let region = instance.RegionId
        if appConsistent {
            let params = pluginParams
            let run = RunCommandRequest(regionId: region, type: isWindows ? "RunPowerShellScript" : "RunShellScript",
                                        commandContent: params.commandLine, instanceIds: [instance.InstanceId],
                                        timeout: Self.runCommandTimeout, name: "appsnap-\(name)")
            return .success(.runPlugin(installCloudAssistant: !cloudAssistantInstalled, params: params, command: run))
        }
        return .success(.createSnapshotGroup(CreateSnapshotGroupRequest(
            regionId: region, instanceId: instance.InstanceId, excludeDiskIds: excludedDiskIds,
            diskIds: selectedDisks.map(\.DiskId), name: name, description: description)))
    }
}

/// The calls a valid request makes.
public enum SnapshotGroupPlan: Equatable, Sendable {
    /// Install Cloud Assistant first when it is missing, then RunCommand the plugin.
    case runPlugin(installCloudAssistant: Bool, params: PluginParams, command: RunCommandRequest)
    /// Application-consistent off: a plain, crash-consistent group.
    case createSnapshotGroup(CreateSnapshotGroupRequest)
}

/// The request has problems left (the dialog focuses the first; the CLI names them all).
public struct SnapshotGroupRequestInvalid: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [SnapshotGroupRequest.Problem]
    public var description: String { problems.map(\.message).joined(separator: "; ") }
}
