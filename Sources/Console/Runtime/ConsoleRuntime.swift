import AppSnapCore
import Foundation

/// The loop: terminal events and effect results in, reduce, draw. Keys draw at once;
/// background updates (log lines, progress) are batched to one frame per ~50 ms.
public final class ConsoleRuntime {
    public static let batchInterval = 0.05
    let terminal: TerminalPort
    let runner: EffectRunner
    let clock: Clock
    let theme: Theme
    let inbox = ActionInbox()
    let stop: StopFlag
    var tasks: [Task<Void, Never>] = []

    init(terminal: TerminalPort, runner: EffectRunner, clock: Clock, theme: Theme, stop: StopFlag) {
        self.terminal = terminal; self.runner = runner; self.clock = clock; self.theme = theme; self.stop = stop
    }

    func spawn(_ effects: [Effect]) {
        tasks.removeAll { $0.isCancelled }
        for e in effects where e != .quit {
            if case .copyToClipboard(let text) = e { terminal.copyToClipboard(text); continue }
            let runner = self.runner, inbox = self.inbox
            tasks.append(Task { await runner.perform(e) { inbox.push($0) } })
        }
    }

    /// Runs until the operator quits or a stop is requested (SIGTERM, SIGHUP).
    func run(session: ConsoleSession) async {
        spawn(session.start())
        terminal.flush(session.frame(), theme: theme)
        var dirty = false
        var lastDraw = clock.uptime()
        // The refresh timer: the reducer decides what to reload and skips what is in flight.
        var lastTick = clock.uptime()
        let rate = max(ConsoleState.minimumRefresh, session.state.refreshRate)
        while !session.state.quitting && !stop.isSet {
            var keyed = false
            while let ev = terminal.nextEvent() {
                switch ev {
                case .key(let k): spawn(session.press(k))
                case let .resize(w, h): spawn(session.send(.resize(width: w, height: h)))
                }
                keyed = true
                if session.state.quitting { break }
            }
            let pending = inbox.drain()
            for a in pending { spawn(session.send(a)) }
            if !pending.isEmpty { dirty = true }
            let now = clock.uptime()
            if now - lastTick >= rate {
                lastTick = now
                spawn(session.send(.tick))
            }
            if keyed || (dirty && now - lastDraw >= Self.batchInterval) {
                terminal.flush(session.frame(), theme: theme)
                lastDraw = now; dirty = false
            }
            if !keyed && pending.isEmpty { await clock.sleep(seconds: 0.01) }
        }
        for t in tasks { t.cancel() }
    }
}

/// Set by a signal handler, read by the loop.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

/// The console's entry for `appsnap console`. Returns the process exit status.
public func runConsole(cloud: CloudAPI, options: ConsoleOptions) async -> Int32 {
    let env = options.environment ?? ProcessInfo.processInfo.environment
    let resolution = ThemeResolver(environment: env).resolve(themeOption: options.theme, noColor: options.noColor)
    let noColor = options.noColor || env["NO_COLOR"].map { !$0.isEmpty } == true
    guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
        FileHandle.standardError.write(Data("appsnap console needs a terminal; use the appsnap ecs/logs commands in scripts\n".utf8))
        return 1
    }
    let stop = StopFlag()
    // Signals become a flag the loop checks, so the terminal is restored on the way out.
    var sources: [DispatchSourceSignal] = []
    for sig in [SIGTERM, SIGHUP, SIGINT] {
        signal(sig, SIG_IGN)
        let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        src.setEventHandler { stop.set() }
        src.resume()
        sources.append(src)
    }
    let terminal = NcursesTerminal(forceASCII: options.ascii, noColor: noColor, environment: env)
    defer {
        terminal.restore()
        for s in sources { s.cancel() }
        for sig in [SIGTERM, SIGHUP, SIGINT] { signal(sig, SIG_DFL) }
        for w in resolution.warnings { FileHandle.standardError.write(Data("appsnap: \(w)\n".utf8)) }
    }
    var state = ConsoleState(width: terminal.width, height: terminal.height,
                             glyphs: terminal.supportsUnicode ? .unicode : .ascii, logCapacity: options.logCapacity)
    state.regionId = options.region
    state.readonly = options.readonly
    state.hostInstanceId = options.hostDisks?.hostInstanceId()
    var warnings = resolution.warnings
    let configured = options.refresh
        ?? ThemeResolver(environment: env).configPath.flatMap { ConfigFile.refreshRate(at: $0, warnings: &warnings) }
    if let r = configured {
        if r < ConsoleState.minimumRefresh || !r.isFinite {
            warnings.append("refresh every \(r) s is too often; refreshing every \(Int(ConsoleState.minimumRefresh)) s")
        }
        state.refreshRate = r.isFinite ? max(ConsoleState.minimumRefresh, r) : 2
    }
    if let w = warnings.first { state.message = StatusMessage(level: .warn, text: w) }
    let clock = SystemClock()
    var runner = EffectRunner(cloud: cloud, clock: clock)
    runner.hostDisks = options.hostDisks
    runner.remote = options.remote
    let runtime = ConsoleRuntime(terminal: terminal, runner: runner, clock: clock,
                                 theme: terminal.colorDepth == .none ? BuiltinThemes.mono : resolution.theme, stop: stop)
    await runtime.run(session: ConsoleSession(state: state))
    return stop.isSet ? 143 : 0
}
