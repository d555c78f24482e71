import AppSnapCore
import Foundation
import Glibc

/// The body of `appsnap _guardian --run-dir DIR --instance ID --timeout S`: keeps SPEC §7's
/// promise "prescript having run, postscript runs even if the parent dies".
///
/// The plugin starts it before prescript, with the checked postscript as fd 3 and a
/// socket to itself as fd 0; stdout is the plugin's own (the run's log). It says `ready`
/// on the socket, then listens: `armed` (prescript is about to start), `prescript PID`
/// (its process group), `postscript` (the plugin started postscript itself), `done`
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
        var runDirectory = "", instanceId = "", timeout = 1800.0
        var args = arguments[...]
        if args.first == subcommand { args = args.dropFirst() }
        while let a = args.popFirst() {
            switch a {
            case "--run-dir": runDirectory = args.popFirst() ?? ""
            case "--instance": instanceId = args.popFirst() ?? ""
            case "--timeout": timeout = args.popFirst().flatMap(Double.init) ?? timeout
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
                case "armed": armed = true
                case "prescript": prescriptGroup = words.dropFirst().first.flatMap { pid_t($0) }
                case "postscript": postStarted = true
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
        RunPhase.set("postscript", runDirectory: runDirectory, instanceId: instanceId)
        log(.info, "Run postscript.sh from the descriptor checked before prescript (timeout \(Int(timeout))s)")
        let result = ScriptRunner(workingDirectory: "/", clock: SystemClock())
            .run(descriptor: 3, timeoutSeconds: timeout) { log(.info, "postscript.sh: \($0)") }
        RunPhase.set("after-postscript", runDirectory: runDirectory, instanceId: instanceId)
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
                      timeoutSeconds: Double) throws -> GuardianProcess {
        var sv: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | O_CLOEXEC, 0, &sv) == 0 else {
            throw GuestError("cannot start the guardian: socketpair: \(errnoText(errno))")
        }
        var source = postscript
        if source <= 3 { source = fcntl(postscript, F_DUPFD_CLOEXEC, 10) }
        defer { if source != postscript { close(source) } }
        var request = SpawnRequest(executable, [executable, GuardianChild.subcommand, "--run-dir", runDirectory,
                                                "--instance", instanceId, "--timeout", String(Int(timeoutSeconds))])
        request.fileActions = [.dup2(sv[1], to: 0), .dup2(1, to: 1), .dup2(2, to: 2), .dup2(source, to: 3)]
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
            throw GuestError("the guardian did not start")
        }
        return g
    }

    func say(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { send(control, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Nothing left to guard: it exits, and we reap it.
    func finish() {
        say("done")
        close(control)
        _ = waitForChild(pid)
    }
}
