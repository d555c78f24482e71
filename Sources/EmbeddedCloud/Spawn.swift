import Foundation
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

/// How the cloud starts its detached helpers (group worker, invocation runner).
/// Tests inject their own so nothing outside the test process is started.
public struct DetachedSpawner: Sendable {
    public let spawn: @Sendable (_ argv: [String]) throws -> Int32
    public init(spawn: @escaping @Sendable (_ argv: [String]) throws -> Int32) { self.spawn = spawn }

    /// posix_spawn in a new session with stdio on /dev/null and no other descriptor of
    /// ours, so the helper outlives the caller, no terminal signal reaches it, and it holds
    /// no pipe a caller is reading to the end. A thread reaps it if we are still alive.
    public static let posixSpawn = DetachedSpawner { argv in
        let pid = try Spawn.start(argv: argv, environment: ProcessInfo.processInfo.environment,
                                  directory: nil, stdoutPath: "/dev/null", newSession: true)
        Spawn.reapInBackground(pid)
        return pid
    }
}

enum Spawn {
    /// Starts `argv` with stdin from /dev/null and stdout+stderr appended to `stdoutPath`.
    /// `newSession` gives it its own session (detached); otherwise its own process group,
    /// so a timeout can kill everything it started.
    static func start(argv: [String], environment: [String: String], directory: String?,
                      stdoutPath: String, newSession: Bool) throws -> Int32 {
        try start(argv: argv, environment: environment, directory: directory,
                  stdout: .open(1, path: stdoutPath, flags: O_WRONLY | O_CREAT | O_APPEND), newSession: newSession)
    }

    /// The same, with stdout and stderr on `stdoutDescriptor` (a pipe's write end).
    static func start(argv: [String], environment: [String: String], directory: String?,
                      stdoutDescriptor: Int32, newSession: Bool) throws -> Int32 {
        try start(argv: argv, environment: environment, directory: directory,
                  stdout: .dup2(stdoutDescriptor, to: 1), newSession: newSession)
    }

    private static func start(argv: [String], environment: [String: String], directory: String?,
                              stdout: SpawnRequest.FileAction, newSession: Bool) throws -> Int32 {
        var request = SpawnRequest(argv[0], argv)
        request.fileActions = [.open(0, path: "/dev/null", flags: O_RDONLY), stdout, .dup2(1, to: 2)]
        request.environment = environment
        request.workingDirectory = directory
        request.newSession = newSession
        request.newProcessGroup = !newSession
        return try request.spawn()
    }

    static func reapInBackground(_ pid: Int32) {
        let thread = Thread { _ = waitForChild(pid) }
        thread.start()
    }

    /// Non-blocking wait: nil while the child runs.
    static func poll(_ pid: Int32) -> ChildStatus? { pollChild(pid) }
}
