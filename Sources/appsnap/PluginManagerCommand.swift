import ArgumentParser
import AppSnapCore
import EmbeddedCloud
import LinuxHost
import Foundation

/// `appsnap plugin-manager --exec --plugin NAME --params=…`: the on-instance plugin, the
/// way Cloud Assistant's acs-plugin-manager runs it. Inside RunCommand on an embedded
/// instance `acs-plugin-manager` is this command, so the seed's CommandContent runs unchanged.
struct PluginManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin-manager",
        abstract: "Run the app-snapshot plugin on this instance, as acs-plugin-manager does.",
        discussion: """
        With --cloud aliyun this is the plugin on a real ECS instance, in place of \
        acs-plugin-manager: the instance ID, region and RAM role credentials come from the \
        metadata service (APPSNAP_METADATA_ENDPOINT overrides 100.100.100.200), and each disk is \
        found by its serial under /dev/disk/by-id (APPSNAP_DISK_BY_ID_DIR overrides it).

        The instance is the one RunCommand runs on (APPSNAP_INSTANCE_ID, set by the embedded \
        cloud); run by hand on a machine enrolled with `appsnap cloud host enroll`, it is that \
        host instance, as acs-plugin-manager on a real instance knows its own instance from \
        metadata. The plugin acts with that instance's RAM role. Its exit code is the plugin's \
        (0 success … 16 busy, 255 unknown); the log goes to stdout, one record a line.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Execute the plugin.")
    var exec = false

    @Option(help: "app-snapshot-plugin (Linux) or app-snapshot-plugin-win (Windows).")
    var plugin: String

    // An array, so that a second --params is seen and refused rather than silently winning.
    @Option(help: "The plugin's parameters: -Key=Value,… (see the README).")
    var params: [String] = []

    func validate() throws {
        guard exec else { throw ValidationError("say --exec to run the plugin") }
        guard [PluginParams.linuxPlugin, PluginParams.windowsPlugin].contains(plugin) else {
            throw ValidationError("unknown plugin \(plugin): use \(PluginParams.linuxPlugin) or \(PluginParams.windowsPlugin)")
        }
    }

    func run() async throws {
        InstanceAgent.endWithRunnerIfSupervised()
        // Inside an emulated instance the plugin is the instance's agent's to run.
        if let code = InstanceAgent.relayIfInsideInstance(Array(CommandLine.arguments.dropFirst())) {
            throw ArgumentParser.ExitCode(code)
        }
        // Each record goes out as one line at once, so a follower sees it live.
        let log = LineLogSink { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
        let clock = SystemClock()
        // Bad --params end with exit 2 before anything is opened, even the cloud.
        let params: String
        do {
            guard self.params.count <= 1 else {
                throw ParamsError(key: nil, message: "invalid --params: --params is given \(self.params.count) times; give it once, with every -Key=Value in it")
            }
            params = self.params.first ?? ""
            _ = try PluginParams.parse(plugin: plugin, params: params)
        } catch {
            let message = (error as? ParamsError)?.message ?? "\(error)"
            log.emit(LogRecord(level: .error, date: clock.now(), message: "Exit code 2, \(AppSnapCore.ExitCode.badParams.meaning): \(message)"))
            throw ArgumentParser.ExitCode(AppSnapCore.ExitCode.badParams.rawValue)
        }
        if global.cloud == .aliyun {
            let code = await PluginOnInstance(global: global, plugin: plugin, params: params, clock: clock, log: log).run()
            if code != .success { throw ArgumentParser.ExitCode(code.rawValue) }
            return
        }
        let instanceId: String
        switch resolveInstance() {
        case .success(let id): instanceId = id
        case .failure(let why):
            log.emit(LogRecord(level: .error, date: clock.now(), message:
                "Exit code 3, \(AppSnapCore.ExitCode.cloudAccessFailed.meaning): \(why.text)"))
            throw ArgumentParser.ExitCode(AppSnapCore.ExitCode.cloudAccessFailed.rawValue)
        }
        let outcome: Outcome
        do {
            let asRole = try EmbeddedCloud(stateDirectory: global.stateDirectory, caller: .instanceRole(instanceId))
            // The guest comes from the cloud the plugin calls, so the group worker that
            // CreateSnapshotGroup starts waits for this guest's thaw (their ThawGate).
            var guest = try asRole.guest(for: instanceId)
            // On Linux a guardian keeps postscript's promise if this process dies; the
            // run's phase is written beside the freeze journal.
            let guarded = (guest as? LinuxGuest).map(GuardedGuest.init)
            if let guarded { guest = guarded }
            defer { guarded?.finish() }
            if plugin == PluginParams.linuxPlugin {
                let note = asRole.snapshotCopyNote()
                log.emit(LogRecord(level: note.reflink ? .info : .warn, date: clock.now(), message: note.message))
            }
            outcome = await PluginRunner.exec(plugin: plugin, params: params, cloud: asRole, guest: guest, clock: clock, log: log)
        } catch {
            log.emit(LogRecord(level: .error, date: clock.now(), message:
                "Exit code 3, \(AppSnapCore.ExitCode.cloudAccessFailed.meaning): \(error)"))
            throw ArgumentParser.ExitCode(AppSnapCore.ExitCode.cloudAccessFailed.rawValue)
        }
        if outcome.exitCode != .success { throw ArgumentParser.ExitCode(outcome.exitCode.rawValue) }
    }

    struct NoInstance: Error { var text: String }

    /// Which instance this is: the one RunCommand names, else, run by hand, the host
    /// instance this machine was enrolled as. A cloud that does not exist yet is not
    /// opened (that would create and seed one just to find no host in it).
    private func resolveInstance() -> Result<String, NoInstance> {
        if let id = ProcessInfo.processInfo.environment["APPSNAP_INSTANCE_ID"], !id.isEmpty { return .success(id) }
        let notEnrolled = NoInstance(text: "this machine is not an instance of the embedded cloud: APPSNAP_INSTANCE_ID is not set (RunCommand sets it) and no host is enrolled; run `appsnap cloud host enroll` as root to make this machine the host instance")
        guard global.cloud == .local, global.cloudExists else { return .failure(notEnrolled) }
        do {
            let cloud = try EmbeddedCloud(stateDirectory: global.stateDirectory)
            guard let host = try cloud.hostInstanceId() else { return .failure(notEnrolled) }
            return .success(host)
        } catch {
            return .failure(NoInstance(text: "the embedded cloud cannot be read to find the host instance: \(error)"))
        }
    }
}

/// `--params=` reaches ArgumentParser as `--params` with no value (it drops an empty
/// attached value), which it refuses with its usage exit 64; the plugin's contract is exit 2
/// for any bad --params, so the empty value is passed on explicitly.
enum PluginManagerArguments {
    static func normalized(_ arguments: [String]) -> [String] {
        guard arguments.first == PluginManagerCommand.configuration.commandName else { return arguments }
        return arguments.flatMap { $0 == "--params=" ? ["--params", ""] : [$0] }
    }
}
