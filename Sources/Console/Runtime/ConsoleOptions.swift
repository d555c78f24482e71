/// How `appsnap console` starts the console.
public struct ConsoleOptions: Sendable {
    /// Start in this region (skips the picker); nil shows the region picker.
    public var region: String?
    /// `--theme`: a theme name from themes/ or a path to a YAML file.
    public var theme: String?
    /// `--no-color`; NO_COLOR in the environment does the same.
    public var noColor: Bool
    /// Draw with ASCII only, whatever the locale says.
    public var ascii: Bool
    /// Lines the live log keeps; older ones are dropped and counted.
    public var logCapacity: Int
    /// `--refresh`: seconds between list refreshes; nil takes the config file's `refreshRate`, else 2.
    public var refresh: Double?
    /// `--readonly`: nothing that changes the cloud is offered.
    public var readonly: Bool
    /// The embedded cloud's host-instance extras (restore mounts there); nil elsewhere.
    public var hostDisks: HostDisks?
    /// Overrides the environment (tests); nil reads the process environment.
    public var environment: [String: String]?
    /// The cloud is remote (`--cloud aliyun`): slower polling, RequestIds in errors.
    public var remote = false

    public init(region: String? = nil, theme: String? = nil, noColor: Bool = false, ascii: Bool = false,
                logCapacity: Int = 100_000, refresh: Double? = nil, readonly: Bool = false,
                environment: [String: String]? = nil) {
        self.refresh = refresh; self.readonly = readonly
        self.region = region; self.theme = theme; self.noColor = noColor; self.ascii = ascii
        self.logCapacity = logCapacity; self.environment = environment
    }
}
