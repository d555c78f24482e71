import AppSnapCore
import Foundation
import Glibc

/// The body of `appsnap _guardian --run-dir DIR --instance ID --timeout S`: keeps SPEC §7's
/// promise "prescript having run, postscript runs even if the parent dies".
///
/// The plugin starts it before prescript, with the checked postscript as fd 3 and a
/// socket to itself as fd 0; stdout is the plugin's own (the run's log). It says `ready`
/// on the socket, then listens: `prescript PID` (prescript runs, as process group PID:
/// from now on postscript is owed), `postscript` (the plugin started postscript itself), `done`
/// (nothing left to guard). If the socket ends before `done` (the plugin died) and it was
/// armed: it waits for prescript's process group to end, thaws whatever this instance's
/// freeze journals list, and — unless the plugin had started it — runs postscript from the
/// checked descriptor, its output going to the log.
public enum GuardianChild {
    public static let subcommand = "_guardian"

    public static func main(arguments: [String]) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        // The terminal's or the runner's signals meant for the plugin are not for us.
        signal(SIGINT, SIG_IGN); signal(SIGHUP, SIG_IGN)
        var runDirectory = "", instanceId = "", timeout = 1800.0, launcher: [String] = []
        var args = arguments[...]
        if args.first == subcommand { args = args.dropFirst() }
        while let a = args.popFirst() {
            switch a {
            case "--run-dir": runDirectory = args.popFirst() ?? ""
            case "--instance": instanceId = args.popFirst() ?? ""
            case "--timeout": timeout = args.popFirst().flatMap(Double.init) ?? timeout
            case "--launcher-arg": if let a = args.popFirst() { launcher.append(a) }
            default: break
            }
        }
        guard !runDirectory.isEmpty, !instanceId.isEmpty else { log(.error, "guardian: --run-dir and --instance are required"); return 2 }
        tell("ready")

        var armed = false, postStarted = false, prescriptGroup: pid_t?
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        reading: while true {
            let n = read(0, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            input.append(contentsOf: buffer[0..<n])
            while let nl = input.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: input[..<nl], as: UTF8.self)
                input.removeSubrange(...nl)
                let words = line.split(separator: " ")
                switch words.first {
                case "prescript":
                    armed = true
                    prescriptGroup = words.dropFirst().first.flatMap { pid_t($0) }
                case "postscript": postStarted = true
                case "run-postscript":
                    // The one place postscript ever runs, so it runs exactly once even if
                    // the plugin dies while it does.
                    return runPostscript(runDirectory: runDirectory, instanceId: instanceId, timeout: timeout, launcher: launcher, toParent: true)
                case "done": return 0
                default: break
                }
            }
        }
        guard armed else { return 0 }

        // The plugin is gone in the middle of an application-consistent run.
        log(.warn, "The plugin ended before its postscript was done; the guardian takes over")
        if let group = prescriptGroup, kill(-group, 0) == 0 {
            log(.info, "Waiting for prescript.sh (process group \(group)) to end before resuming the application")
            let limit = monotonicSeconds() + timeout
            while kill(-group, 0) == 0 {
                if monotonicSeconds() >= limit { kill(-group, SIGKILL); log(.warn, "prescript.sh timed out and was killed"); break }
                usleep(50_000)
            }
        }
        let thawed = FreezeJournal.thawAll(runDirectory: runDirectory, instanceId: instanceId)
        if !thawed.isEmpty { log(.info, "Thawed from the freeze journal: \(thawed.joined(separator: ", "))") }
        if postStarted {
            log(.info, "postscript.sh had been started by the plugin; not running it again")
            return 0
        }
        log(.info, "Run postscript.sh from the descriptor checked before prescript (timeout \(Int(timeout))s)")
        return runPostscript(runDirectory: runDirectory, instanceId: instanceId, timeout: timeout, launcher: launcher, toParent: false)
    }

    /// Runs postscript from fd 3. Its lines and result go to the plugin over the socket
    /// while the plugin is there, else (or once it is gone) into the log directly.
    private static func runPostscript(runDirectory: String, instanceId: String, timeout: Double, launcher: [String],
                                      toParent: Bool) -> Int32 {
        var parentThere = toParent
        func relay(_ line: String) -> Bool {
            guard parentThere else { return false }
            let bytes = Array((line + "\n").utf8)
            if bytes.withUnsafeBytes({ send(0, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) != bytes.count { parentThere = false }
            return parentThere
        }
        let result = ScriptRunner(workingDirectory: "/", clock: SystemClock(), launcher: launcher)
            .run(descriptor: 3, timeoutSeconds: timeout,
                 started: { _ in RunPhase.set("postscript", runDirectory: runDirectory, instanceId: instanceId) }) { line in
                if !relay("out " + line) { log(.info, "postscript.sh: \(line)") }
            }
        RunPhase.set("after-postscript", runDirectory: runDirectory, instanceId: instanceId)
        let word: String
        switch result {
        case .exited(let c): word = "exited \(c)"
        case .signaled(let s): word = "signaled \(s)"
        case .timedOut: word = "timedout"
        case .failedToStart(let why): word = "failed " + why.replacingOccurrences(of: "\n", with: " ")
        }
        if relay("result " + word) { return 0 }
        switch result {
        case .exited(0): log(.info, "postscript.sh exited with 0"); return 0
        case .exited(let c): log(.error, "postscript.sh exited with \(c); the application may still be suspended")
        case .signaled(let s): log(.error, "postscript.sh was killed by signal \(s); the application may still be suspended")
        case .timedOut: log(.error, "postscript.sh timed out after \(Int(timeout))s; the application may still be suspended")
        case .failedToStart(let why): log(.error, "postscript.sh could not start: \(why); the application may still be suspended")
        }
        return 1
    }

    private static func tell(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { send(0, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private static func log(_ level: LogLevel, _ message: String) {
        let bytes = Array((LogRecord(level: level, date: Date(), message: message).render() + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
}

/// The plugin's side of the guardian: started before prescript, told each step, told
/// `done` when postscript has finished.
final class GuardianProcess: @unchecked Sendable {
    let pid: pid_t
    private let control: Int32

    private init(pid: pid_t, control: Int32) { self.pid = pid; self.control = control }

    static func start(executable: String, runDirectory: String, instanceId: String, postscript: Int32,
                      timeoutSeconds: Double, launcher: [String] = []) throws -> GuardianProcess {
        var sv: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | O_CLOEXEC, 0, &sv) == 0 else {
            throw GuestError("cannot start the guardian: socketpair: \(errnoText(errno))")
        }
        var source = postscript
        if source <= 3 { source = fcntl(postscript, F_DUPFD_CLOEXEC, 10) }
        defer { if source != postscript { close(source) } }
        var request = SpawnRequest(executable, [executable, GuardianChild.subcommand, "--run-dir", runDirectory,
                                                "--instance", instanceId, "--timeout", String(Int(timeoutSeconds))]
                                     + launcher.flatMap { ["--launcher-arg", $0] })
        request.fileActions = [.dup2(sv[1], to: 0), .dup2(1, to: 1), .dup2(2, to: 2), .dup2(source, to: 3)]
        // Its own process group: a RunCommand timeout kills the plugin's whole group, and
        // the guardian must outlive exactly that.
        request.newProcessGroup = true
        let pid: pid_t
        do { pid = try request.spawn() } catch {
            close(sv[0]); close(sv[1])
            throw GuestError("cannot start the guardian: \(error)")
        }
        close(sv[1])
        let g = GuardianProcess(pid: pid, control: sv[0])
        // Ready means it runs and holds the postscript: only then may prescript start.
        var pfd = pollfd(fd: sv[0], events: Int16(POLLIN), revents: 0)
        var line = [UInt8](repeating: 0, count: 16)
        guard poll(&pfd, 1, 10_000) == 1, recv(sv[0], &line, 6, 0) == 6, Array(line.prefix(5)) == Array("ready".utf8) else {
            kill(pid, SIGKILL); _ = waitForChild(pid)
            close(sv[0])
            throw GuestError("the guardian did not start")
        }
        return g
    }

    func say(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { send(control, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Has the guardian run postscript (the only runner of it), relaying its lines.
    func runPostscript(output: (String) -> Void) -> ScriptResult {
        say("run-postscript")
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = recv(control, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return .failedToStart("the guardian ended before postscript.sh finished") }
            pending.append(contentsOf: buffer[0..<n])
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                if line.hasPrefix("out ") { output(String(line.dropFirst(4))); continue }
                guard line.hasPrefix("result ") else { continue }
                let words = line.dropFirst(7).split(separator: " ", maxSplits: 1).map(String.init)
                switch words.first {
                case "exited": return .exited(Int32(words.last ?? "") ?? 255)
                case "signaled": return .signaled(Int32(words.last ?? "") ?? 9)
                case "timedout": return .timedOut
                default: return .failedToStart(words.count > 1 ? words[1] : "postscript.sh could not start")
                }
            }
        }
    }

    /// Nothing left to guard: it exits, and we reap it.
    func finish() {
        say("done")
        close(control)
        _ = waitForChild(pid)
    }
}
