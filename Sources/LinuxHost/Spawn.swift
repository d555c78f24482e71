import Glibc

/// Why a process could not be started, with the words a user needs.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    public var executable: String
    public var code: Int32
    public var description: String {
        if code == ENOENT, let missing = ToolPackages.missing(executable) { return missing }
        return "cannot start \(executable): \(errnoText(code))"
    }
}

/// One posix_spawn call: the few things appsnap ever asks of a child process (scripts,
/// the freezer, the embedded cloud's detached helpers and invocation shells).
public struct SpawnRequest {
    public enum FileAction {
        case dup2(Int32, to: Int32)
        /// Opens `path` as descriptor `fd` in the child (mode 0600 when it creates: what a
        /// command writes is its owner's alone).
        case open(Int32, path: String, flags: Int32)
    }

    public var executable: String
    /// argv, including argv[0].
    public var arguments: [String]
    public var fileActions: [FileAction] = []
    /// Leader of a new process group, so a timeout can kill everything it started.
    public var newProcessGroup = false
    /// A new session (setsid): detached from our terminal and process group, so it
    /// outlives the process that started it.
    public var newSession = false
    public var workingDirectory: String?
    /// The child's environment; nil passes ours on.
    public var environment: [String: String]?
    /// Signals the child starts with blocked. Every thread it creates inherits the mask,
    /// so a signal meant for a signalfd cannot be taken by a runtime thread instead.
    var blockedSignals: [Int32] = []

    public init(_ executable: String, _ arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Starts the child. Only descriptors 0, 1, 2 and those named by `dup2` actions
    /// survive into it; every signal starts at its default and unblocked, whatever
    /// this process (or the Swift runtime) ignores.
    public func spawn() throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var highest: Int32 = 2
        for action in fileActions {
            switch action {
            case let .dup2(from, to):
                posix_spawn_file_actions_adddup2(&actions, from, to)
                highest = max(highest, to)
            case let .open(fd, path, flags):
                posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0o600)
                highest = max(highest, fd)
            }
        }
        // Without closefrom, descriptors are still protected by O_CLOEXEC everywhere appsnap opens them.
        _ = GNU.addCloseFrom(&actions, highest + 1)
        if let dir = workingDirectory, !GNU.addChdir(&actions, dir) {
            throw SpawnError(executable: executable, code: ENOSYS)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newSession {
            flags |= GNU.POSIX_SPAWN_SETSID
        } else if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in blockedSignals { sigaddset(&mask, signal) }
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for p in envp ?? [] { free(p) } }
        var pid: pid_t = 0
        let rc = envp.map { e in posix_spawn(&pid, executable, &actions, &attributes, argv, e) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw SpawnError(executable: executable, code: rc) }
        return pid
    }
}

/// The end of a child process as waitpid reports it.
public enum ChildStatus: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus s: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot see.
        if s & 0x7f == 0 { self = .exited((s >> 8) & 0xff) } else { self = .signaled(s & 0x7f) }
    }
}

/// Blocks until `pid` ends, retrying on EINTR.
public func waitForChild(_ pid: pid_t) -> ChildStatus? {
    var status: Int32 = 0
    while true {
        let rc = waitpid(pid, &status, 0)
        if rc == pid { return ChildStatus(waitStatus: status) }
        if rc == -1 && errno == EINTR { continue }
        return nil
    }
}

/// Non-blocking: nil while `pid` still runs.
public func pollChild(_ pid: pid_t) -> ChildStatus? {
    var status: Int32 = 0
    let rc = waitpid(pid, &status, WNOHANG)
    return rc == pid ? ChildStatus(waitStatus: status) : nil
}

/// Monotonic seconds, for the deadlines this module enforces inside one process.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
