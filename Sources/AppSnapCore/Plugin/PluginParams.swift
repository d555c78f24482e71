/// The `--params=` of `app-snapshot-plugin` (SPEC §3).
public struct LinuxPluginParams: Equatable, Sendable {
    public var ramRoleName: String
    public var enableFsFreeze: Bool
    /// How long I/O may stay suspended, 1...3600.
    public var timeoutInSeconds: Int
    /// Both or neither for app-consistency; nil when not given.
    public var preScriptPath: String?
    public var postScriptPath: String?
    public var excludeDiskIds: [String]
    /// The snapshot-consistent group's name, 2...128 characters.
    public var name: String
    /// At most 256 characters.
    public var description: String

    public init(ramRoleName: String, enableFsFreeze: Bool = true, timeoutInSeconds: Int = 30,
                preScriptPath: String? = nil, postScriptPath: String? = nil,
                excludeDiskIds: [String] = [], name: String, description: String = "") {
        self.ramRoleName = ramRoleName; self.enableFsFreeze = enableFsFreeze
        self.timeoutInSeconds = timeoutInSeconds; self.preScriptPath = preScriptPath
        self.postScriptPath = postScriptPath; self.excludeDiskIds = excludeDiskIds
        self.name = name; self.description = description
    }
}

/// The `--params=` of `app-snapshot-plugin-win` (SPEC §3).
public struct WindowsPluginParams: Equatable, Sendable {
    public var ramRoleName: String
    public var enableWriters: Bool
    public var excludeDiskIds: [String]
    public var name: String
    public var description: String

    public init(ramRoleName: String, enableWriters: Bool = true, excludeDiskIds: [String] = [],
                name: String, description: String = "") {
        self.ramRoleName = ramRoleName; self.enableWriters = enableWriters
        self.excludeDiskIds = excludeDiskIds; self.name = name; self.description = description
    }
}

public enum PluginParams: Equatable, Sendable {
    case linux(LinuxPluginParams)
    case windows(WindowsPluginParams)

    public static let linuxPlugin = "app-snapshot-plugin"
    public static let windowsPlugin = "app-snapshot-plugin-win"

    /// Parses the `--params=` value for the named plugin. Throws `ParamsError` (exit 2).
    public static func parse(plugin: String, params: String) throws -> PluginParams {
        try ParamsParser.parse(plugin: plugin, params: params)
    }

    public var pluginName: String {
        switch self {
        case .linux: return Self.linuxPlugin
        case .windows: return Self.windowsPlugin
        }
    }

    /// The `--params=` value, in the seed's `-Key=\"value\"` style (backslash-quote).
    /// Values never hold `"` or `\` (parsing refuses them), so no escaping is needed.
    public var rendered: String {
        func q(_ s: String) -> String { "\\\"" + s + "\\\"" }
        var items: [String] = []
        switch self {
        case .linux(let p):
            items.append("-RamRoleName=\(q(p.ramRoleName))")
            items.append("-EnableFsFreeze=\(p.enableFsFreeze)")
            items.append("-TimeoutInSeconds=\(p.timeoutInSeconds)")
            if let pre = p.preScriptPath { items.append("-PreScriptPath=\(q(pre))") }
            if let post = p.postScriptPath { items.append("-PostScriptPath=\(q(post))") }
            items.append("-ExcludeDiskId=\(q(p.excludeDiskIds.joined(separator: ",")))")
            items.append("-Name=\(q(p.name))")
            items.append("-Description=\(q(p.description))")
        case .windows(let p):
            items.append("-RamRoleName=\(q(p.ramRoleName))")
            items.append("-EnableWriters=\(p.enableWriters)")
            items.append("-ExcludeDiskId=\(q(p.excludeDiskIds.joined(separator: ",")))")
            items.append("-Name=\(q(p.name))")
            items.append("-Description=\(q(p.description))")
        }
        return items.joined(separator: ",")
    }

    /// The whole RunCommand CommandContent:
    /// `acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\"…\",…`
    public var commandLine: String {
        "acs-plugin-manager --exec --plugin \(pluginName) --params=\(rendered)"
    }
}

/// Why `--params` was refused (exit 2): one line that names the key.
public struct ParamsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The offending key, when there is one.
    public var key: String?
    /// One clear line naming the key, starting `invalid --params:`.
    public var message: String

    public init(key: String?, message: String) {
        self.key = key; self.message = message
    }

    public var description: String { message }
}
