import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// glibc's POSIX_SPAWN_SETSID (a GNU extension Swift does not import).
private let spawnSetSid: Int32 = 0x80

struct LaunchError: Error, CustomStringConvertible {
    var program: String
    var errno: Int32
    var description: String { "cannot start \(program): \(String(cString: strerror(errno)))" }
}

/// How the cloud starts its detached helpers (group worker, invocation runner).
/// Tests inject their own so nothing outside the test process is started.
public struct DetachedSpawner: Sendable {
    public let spawn: @Sendable (_ argv: [String]) throws -> Int32
    public init(spawn: @escaping @Sendable (_ argv: [String]) throws -> Int32) { self.spawn = spawn }

    /// posix_spawn in a new session with stdio on /dev/null, so the helper outlives the
    /// caller and no terminal signal reaches it. A thread reaps it if we are still alive.
    public static let posixSpawn = DetachedSpawner { argv in
        let pid = try Spawn.start(argv: argv, environment: ProcessInfo.processInfo.environment,
                                  directory: nil, stdoutPath: "/dev/null", newSession: true)
        Spawn.reapInBackground(pid)
        return pid
    }
}

enum Spawn {
    /// glibc's posix_spawn_file_actions_addchdir_np (2.29+), looked up because Swift does not import it.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }

    /// Starts `argv` with stdin from /dev/null and stdout+stderr appended to `stdoutPath`.
    /// `newSession` gives it its own session (detached); otherwise its own process group,
    /// so a timeout can kill everything it started.
    static func start(argv: [String], environment: [String: String], directory: String?,
                      stdoutPath: String, newSession: Bool) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let directory {
            guard let addchdir = addChdir else { throw LaunchError(program: argv[0], errno: ENOSYS) }
            _ = addchdir(&actions, directory)
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= spawnSetSid } else {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attr, 0)
        }
        posix_spawnattr_setflags(&attr, Int16(flags))
        var empty = sigset_t(); sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t(); sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)

        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgv + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cArgv, cEnv)
        guard rc == 0 else { throw LaunchError(program: argv[0], errno: rc) }
        return pid
    }

    static func reapInBackground(_ pid: Int32) {
        let thread = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        thread.start()
    }

    enum Exit: Equatable { case exited(Int32), signaled(Int32) }

    /// Non-blocking wait: nil while the child runs.
    static func poll(_ pid: Int32) -> Exit? {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == 0 { return nil }
        if rc < 0 { return errno == EINTR ? nil : .exited(-1) }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }
}
