import AppSnapCore

/// The three tabs of SPEC §2.
public enum Tab: String, CaseIterable, Sendable {
    case instances = "Instances"
    case groups = "Snapshot-consistent Groups"
    case invocations = "Cloud Assistant"
}

/// A place the operator can be; the stack of them is the breadcrumb trail.
public enum Place: Hashable, Sendable {
    case regions
    case tab(Tab)
    case groupDetail(String)
    case create
    case run
    case help
}

/// One line of text being typed at the bottom: a `/` filter, a `:` jump, a log search or a save path.
public struct Prompt: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case filter, jump, search, savePath }
    public var kind: Kind
    public var field: TextField
    public var text: String { field.text }
    public init(kind: Kind, text: String) { self.kind = kind; field = TextField(text) }
}

/// What the console loads from the cloud; the set of these in flight is shown as "loading …"
/// and keeps a refresh from being doubled.
public enum Resource: String, CaseIterable, Hashable, Sendable, Comparable {
    case regions, instances, groups, invocations
    public static func < (a: Resource, b: Resource) -> Bool { a.rawValue < b.rawValue }
}

/// The cloud calls whose failure the console reports, in the operator's words (the API's names).
public enum CloudCall: String, Hashable, Sendable {
    case describeRegions = "DescribeRegions"
    case describeInstances = "DescribeInstances"
    case describeSnapshotGroups = "DescribeSnapshotGroups"
    case describeInvocations = "DescribeInvocations"
    case describeInvocationResults = "DescribeInvocationResults"
    case installCloudAssistant = "InstallCloudAssistant"
    case runCommand = "RunCommand"
    case createSnapshotGroup = "CreateSnapshotGroup"
    case deleteSnapshotGroup = "DeleteSnapshotGroup"
    case modifySnapshotGroup = "ModifySnapshotGroup"
    case saveLog = "Saving the log"

    /// The list a failed load leaves no longer loading.
    var resource: Resource? {
        switch self {
        case .describeRegions: return .regions
        case .describeInstances: return .instances
        case .describeSnapshotGroups: return .groups
        case .describeInvocations: return .invocations
        default: return nil
        }
    }

    /// Calls whose failure ends the run on screen (the others are shown and retried or left).
    var endsRun: Bool { self == .installCloudAssistant || self == .runCommand || self == .createSnapshotGroup }
}

/// What the cloud says about the instances of the region, with search keys for the filter.
public struct Inventory: Sendable {
    public var instances: [Instance] = []
    public var assistant: [String: Bool] = [:]
    public var ramRoles: [String: String] = [:]
    public var disksByInstance: [String: [Disk]] = [:]
    /// InstanceId → InstanceName, built once so list rows look names up in O(1).
    public var names: [String: String] = [:]
    /// The filter's search text of each instance, built where the inventory is loaded (off
    /// the key loop), so a 2-second refresh of 10,000 instances costs the loop little.
    public var searchKeys: [String] = []
    public init() {}
    public init(instances: [Instance], assistant: [String: Bool], ramRoles: [String: String], disks: [Disk]) {
        self.instances = instances; self.assistant = assistant; self.ramRoles = ramRoles
        var by: [String: [Disk]] = [:]
        for d in disks where !d.InstanceId.isEmpty { by[d.InstanceId, default: []].append(d) }
        disksByInstance = by
        names = Dictionary(instances.map { ($0.InstanceId, $0.InstanceName) }, uniquingKeysWith: { a, _ in a })
        searchKeys = instances.map { i in
            "\(i.InstanceName) \(i.InstanceId) \(i.Status) \(i.OSName) \(ramRoles[i.InstanceId] ?? "")".lowercased()
        }
    }
}

/// The Create dialog: the request plus where the focus is and the text fields being edited.
public struct CreateForm: Sendable {
    public enum Field: Hashable, Sendable {
        case instance, disk(String), name, description, appConsistent, fsFreeze, timeout, containWriters, ok, cancel
    }
    public var request: SnapshotGroupRequest
    public var focus: Field = .name {
        didSet {
            // Moving to a field puts the text cursor at the end of its text.
            if focus != oldValue, let f = textField { var t = f; t.perform(.lineEnd); textField = t }
        }
    }
    public var nameField: TextField
    public var descriptionField: TextField
    /// The timeout as typed (it may be empty or out of range while editing).
    public var timeoutField: TextField
    /// Problems shown after OK was refused.
    public var problems: [SnapshotGroupRequest.Problem] = []

    public init(request: SnapshotGroupRequest) {
        self.request = request
        nameField = TextField(request.name)
        descriptionField = TextField(request.description)
        timeoutField = TextField(String(request.timeoutSeconds), rule: .digits(max: 5))
        focus = request.disks.first { $0.ineligibilityReason == nil }.map { .disk($0.DiskId) } ?? .name
    }

    public var timeoutText: String { timeoutField.text }
    /// The text cursor in the focused text field, in characters from its start.
    public var cursor: Int { textField?.cursor ?? 0 }

    /// The focusable fields, in Tab order. Ineligible disks are shown but never focused.
    public var fields: [Field] {
        var f: [Field] = [.instance]
        f += request.disks.filter { $0.ineligibilityReason == nil }.map { .disk($0.DiskId) }
        f += [.name, .description, .appConsistent]
        if !request.isWindows { f += [.fsFreeze, .timeout] }
        if request.showsContainWriters { f.append(.containWriters) }
        f += [.ok, .cancel]
        return f
    }

    public var isTextField: Bool { textField != nil }

    /// The focused text field, nil when the focus is on a checkbox or a button. Setting it
    /// keeps the request in step with what is typed.
    public var textField: TextField? {
        get {
            switch focus {
            case .name: return nameField
            case .description: return descriptionField
            case .timeout: return timeoutField
            default: return nil
            }
        }
        set {
            guard let t = newValue else { return }
            switch focus {
            case .name: nameField = t; request.name = t.text
            case .description: descriptionField = t; request.description = t.text
            case .timeout: timeoutField = t; request.timeoutSeconds = Int(t.text) ?? 0
            default: break
            }
        }
    }

    /// The text of a text field, nil for the others.
    public func text(of field: Field) -> String? {
        switch field {
        case .name: return nameField.text
        case .description: return descriptionField.text
        case .timeout: return timeoutField.text
        default: return nil
        }
    }
}

/// Where a submitted request is: the phases an operator watches on the run screen.
public enum RunPhase: Equatable, Sendable {
    case installingCloudAssistant
    case starting
    case running
    case creatingGroup
    /// The invocation or the group creation finished; the group may still be loading.
    case finished
    case failed(String)
}

public struct RunState: Sendable {
    /// Nil when the screen shows an existing invocation rather than a new run.
    public var request: SnapshotGroupRequest?
    public var regionId: String
    public var instanceId: String?
    public var phase: RunPhase
    public var invokeId: String?
    public var invocationStatus: String = ""
    public var exitCode: Int?
    public var errorCode: String = ""
    public var log: LogRing
    /// Characters of the invocation's Output already turned into lines.
    public var consumed: Int = 0
    public var partialLine: String = ""
    /// Bytes the cloud itself dropped beyond its 24 KB.
    public var cloudDropped: Int = 0
    public var groupId: String?
    public var group: SnapshotGroup?
    public init(request: SnapshotGroupRequest?, regionId: String, instanceId: String?, phase: RunPhase, logCapacity: Int) {
        self.request = request; self.regionId = regionId; self.instanceId = instanceId
        self.phase = phase; log = LogRing(capacity: logCapacity)
    }
}

/// A line shown on the status bar until the next key.
public struct StatusMessage: Equatable, Sendable {
    public enum Level: Equatable, Sendable { case info, warn, error }
    public var level: Level
    public var text: String
}

/// Everything the console shows, as a plain value: `reduce` changes it, views draw it.
public struct ConsoleState: Sendable {
    public var width: Int
    public var height: Int
    public var glyphs: Glyphs
    public var keyMap: KeyMap = .standard
    /// `--readonly`: the map has no command that changes the cloud.
    public var readonly = false { didSet { keyMap = readonly ? KeyMap.standard.readOnly() : .standard } }
    /// Seconds between refreshes of the list on screen (`refreshRate`, `--refresh`; at least 1).
    public var refreshRate: Double = 2

    public var stack: [Place] = [.regions]
    public var place: Place { stack.last ?? .regions }

    public var regions: [Region] = []
    public var regionList = FilteredList()
    public var regionId: String?

    public var inventory = Inventory()
    public var instanceList = FilteredList()
    public var groups: [SnapshotGroup] = []
    public var groupList = FilteredList()
    public var invocations: [Invocation] = []
    public var invocationList = FilteredList()
    public var detailScroll = 0
    public var helpScroll = 0

    public var create: CreateForm?
    public var run: RunState?
    public var prompt: Prompt?
    /// The host instance's ID when the cloud has one enrolled (restore mounts disks there).
    public var hostInstanceId: String?
    /// A group action's dialog over the screen (roll back, restore, rename, delete).
    public var dialog: GroupDialog?
    public var message: StatusMessage?
    /// What is being loaded, shown as "loading …"; a refresh of a list still loading waits.
    public var loading: Set<Resource> = []
    public var quitting = false
    public var logCapacity: Int

    public init(width: Int = 80, height: Int = 24, glyphs: Glyphs = .unicode, logCapacity: Int = 100_000) {
        self.width = width; self.height = height; self.glyphs = glyphs; self.logCapacity = logCapacity
    }

    /// Faster than this a refresh of 10,000 instances would be all the cloud ever does.
    public static let minimumRefresh = 1.0
    public static let minWidth = 80
    public static let minHeight = 24
    public var tooSmall: Bool { width < Self.minWidth || height < Self.minHeight }

    public var currentTab: Tab? {
        for p in stack.reversed() { if case .tab(let t) = p { return t } }
        return nil
    }

    /// Rows available to a list body: the screen less breadcrumbs, tabs, header, status and hints.
    public var listHeight: Int { max(1, height - 5) }
}
