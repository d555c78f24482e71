/// `acs-plugin-manager --exec --plugin NAME --params=…`: parse first, then dispatch.
public enum PluginRunner {
    /// Bad `--params` end the run with exit 2 before anything is touched: no lock, no
    /// cloud call, no script.
    public static func exec(plugin: String, params: String, cloud: CloudAPI, guest: GuestHost, clock: Clock,
                            log: LogSink, settings: WorkflowSettings = .init()) async -> Outcome {
        let parsed: PluginParams
        do {
            parsed = try PluginParams.parse(plugin: plugin, params: params)
        } catch {
            let message = (error as? ParamsError)?.message ?? "\(error)"
            log.emit(LogRecord(level: .error, date: clock.now(),
                               message: "Exit code 2, \(ExitCode.badParams.meaning): \(message)"))
            return Outcome(exitCode: .badParams)
        }
        switch parsed {
        case .linux(let p):
            return await LinuxWorkflow(cloud: cloud, guest: guest, clock: clock, log: log, settings: settings).run(p)
        case .windows(let p):
            return await WindowsWorkflow(cloud: cloud, guest: guest, clock: clock, log: log, settings: settings).run(p)
        }
    }
}
