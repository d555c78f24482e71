import AppSnapCore
import CLinux
import Foundation
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

/// How a command inside an emulated instance reaches the cloud: the runner listens on a
/// Unix socket that only that instance's sandbox sees (at `/run/appsnap/agent.sock`),
/// as Cloud Assistant's agent does on a real instance. Who is asking is which socket
/// they reached, never anything the command says or sets: an instance cannot speak
/// for another, and it acts with its own RAM role alone.
///
/// Two requests exist: `plugin-manager …` (the app-snapshot plugin, run outside the
/// sandbox for this instance, its scripts run back inside it) and `ecs ACTION …` (one
/// ECS call as the instance's role). Frames: one type byte, a 32-bit big-endian length,
/// the payload. Client → agent: `r` (a JSON array: the arguments). Agent → client: `o`
/// and `e` (output bytes), then `x` (the exit status, 4 bytes).
public final class InstanceAgent: @unchecked Sendable {
    /// Where the socket is inside the sandbox (the agent's folder is bound at /run/appsnap).
    public static let mountPoint = "/run/appsnap"
    public static let socketInside = mountPoint + "/agent.sock"
    /// Set inside the sandbox so the in-instance `appsnap` knows to relay.
    public static let environmentKey = "APPSNAP_AGENT"

    public let directory: URL
    let instanceId: String
    let executable: String
    let stateDirectory: String
    private let listener: Int32
    private let lock = NSLock()
    private var children: Set<pid_t> = []
    private var stopped = false

    /// Makes the agent's folder (the socket, the `acs-plugin-manager` shim and a mount
    /// point for the appsnap binary) and starts listening.
    public init(directory: URL, instanceId: String, executable: String, stateDirectory: String) throws {
        self.directory = directory
        self.instanceId = instanceId
        self.executable = executable
        self.stateDirectory = stateDirectory
        let fm = FileManager.default
        try? fm.removeItem(at: directory)
        try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let shim = "#!/bin/sh\nexec \(Self.mountPoint)/appsnap plugin-manager \"$@\"\n"
        try Data(shim.utf8).write(to: directory.appendingPathComponent("acs-plugin-manager"))
        chmod(directory.appendingPathComponent("acs-plugin-manager").path, 0o755)
        _ = fm.createFile(atPath: directory.appendingPathComponent("appsnap").path, contents: nil,
                          attributes: [.posixPermissions: 0o755])
        let path = directory.appendingPathComponent("agent.sock").path
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw SandboxError("cannot create the agent socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(listener)
            throw SandboxError("the agent socket's path is too long (\(path.utf8.count) bytes): use a shorter --state folder")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8) + [0])
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            let e = errno; close(listener)
            throw SandboxError("cannot listen on the agent socket: \(String(cString: strerror(e)))")
        }
        // The instance's root is another uid when appsnap runs as root.
        chmod(path, 0o666)
        let thread = Thread { [self] in acceptLoop() }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Stops listening, ends whatever the instance still has running through the agent
    /// (its command is over), and removes the folder.
    public func stop() {
        lock.lock()
        stopped = true
        let running = children
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for pid in running { kill(-pid, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    private func acceptLoop() {
        while true {
            let conn = accept(listener, nil, nil)
            if conn < 0 {
                if errno == EINTR { continue }
                return
            }
            // Spawns set up their own descriptors; this one must not leak into them.
            _ = fcntl(conn, F_SETFD, FD_CLOEXEC)
            let thread = Thread { [self] in serve(conn); close(conn) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ conn: Int32) {
        guard let (type, payload) = Frame.read(conn), type == UInt8(ascii: "r"),
              let args = try? JSONDecoder().decode([String].self, from: Data(payload)), let verb = args.first else {
            refuse(conn, "appsnap: the agent expects one request: plugin-manager … or ecs ACTION …")
            return
        }
        var environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
                           "APPSNAP_STATE": stateDirectory, Self.supervisedKey: "1"]
        switch verb {
        case "plugin-manager": environment["APPSNAP_INSTANCE_ID"] = instanceId
        case "ecs": environment[Self.callerKey] = instanceId
        default:
            refuse(conn, "appsnap: inside an instance, only `appsnap plugin-manager` and `appsnap ecs` reach the cloud")
            return
        }
        // The state and the cloud are the agent's to choose.
        if let bad = args.first(where: { $0 == "--state" || $0.hasPrefix("--state=") || $0 == "--cloud" || $0.hasPrefix("--cloud=") }) {
            refuse(conn, "appsnap: \(bad) cannot be chosen from inside an instance")
            return
        }
        run([executable] + args, environment: environment, conn: conn)
    }

    /// Marks an `appsnap ecs` started by an agent: it calls the cloud as that instance's role.
    public static let callerKey = "APPSNAP_CALLER_INSTANCE"
    /// Marks a process an agent started: it ends with the runner, never going on
    /// unsupervised (the plugin's guardian still runs postscript, its freezer still thaws).
    public static let supervisedKey = "APPSNAP_SUPERVISED"

    /// Called first by the commands an agent starts: a runner that dies takes them along.
    public static func endWithRunnerIfSupervised() {
        guard ProcessInfo.processInfo.environment[supervisedKey] == "1" else { return }
        if appsnap_die_with_parent() != 0 { exit(137) }
    }

    private func refuse(_ conn: Int32, _ message: String) {
        Frame.write(conn, "e", Array((message + "\n").utf8))
        Frame.write(conn, "x", Frame.status(2))
    }

    private func run(_ argv: [String], environment: [String: String], conn: Int32) {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard GNU.pipe2(&out, O_CLOEXEC) == 0 else { refuse(conn, "appsnap: cannot create a pipe"); return }
        guard GNU.pipe2(&err, O_CLOEXEC) == 0 else { close(out[0]); close(out[1]); refuse(conn, "appsnap: cannot create a pipe"); return }
        var request = SpawnRequest(argv[0], argv)
        request.fileActions = [.open(0, path: "/dev/null", flags: O_RDONLY), .dup2(out[1], to: 1), .dup2(err[1], to: 2)]
        request.environment = environment
        request.newProcessGroup = true
        request.workingDirectory = "/"
        lock.lock()
        guard !stopped, let pid = try? request.spawn() else {
            lock.unlock()
            [out[0], out[1], err[0], err[1]].forEach { close($0) }
            refuse(conn, "appsnap: the agent cannot start appsnap")
            return
        }
        children.insert(pid)
        lock.unlock()
        close(out[1]); close(err[1])
        defer {
            close(out[0]); close(err[0])
            lock.lock(); children.remove(pid); lock.unlock()
        }
        var fds = [pollfd(fd: out[0], events: Int16(POLLIN), revents: 0), pollfd(fd: err[0], events: Int16(POLLIN), revents: 0),
                   pollfd(fd: conn, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 16384)
        while open > 0 {
            if poll(&fds, 3, -1) < 0 { if errno == EINTR { continue }; break }
            // The command that asked is gone (ended, killed or timed out): so is its request.
            if fds[2].revents & Int16(POLLHUP | POLLERR) != 0 || (fds[2].revents & Int16(POLLIN) != 0 && recv(conn, &buffer, 1, Int32(MSG_PEEK)) <= 0) {
                kill(-pid, SIGKILL)
                _ = waitForChild(pid)
                return
            }
            for i in 0..<2 where fds[i].revents != 0 {
                let n = read(fds[i].fd, &buffer, buffer.count)
                if n > 0 {
                    Frame.write(conn, i == 0 ? "o" : "e", Array(buffer[0..<n]))
                } else if n == 0 || errno != EINTR {
                    fds[i].fd = -1; open -= 1
                }
            }
        }
        let code: Int32
        switch waitForChild(pid) {
        case .exited(let c)?: code = c
        case .signaled(let s)?: code = 128 + s
        case nil: code = 255
        }
        Frame.write(conn, "x", Frame.status(code))
    }

    // MARK: - Inside the sandbox

    /// Inside an emulated instance: relays `arguments` (e.g. `plugin-manager --exec …`) to
    /// the agent, copies its output to ours and returns its exit status. Nil outside one.
    public static func relayIfInsideInstance(_ arguments: [String]) -> Int32? {
        guard let path = ProcessInfo.processInfo.environment[environmentKey], !path.isEmpty else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard fd >= 0, path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else { return unreachable(path) }
        defer { close(fd) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0, let body = try? JSONEncoder().encode(arguments) else { return unreachable(path) }
        Frame.write(fd, "r", Array(body))
        while let (type, payload) = Frame.read(fd) {
            switch type {
            case UInt8(ascii: "o"): FileHandle.standardOutput.write(Data(payload))
            case UInt8(ascii: "e"): FileHandle.standardError.write(Data(payload))
            case UInt8(ascii: "x") where payload.count == 4:
                return payload.withUnsafeBytes { Int32(bigEndian: $0.loadUnaligned(as: Int32.self)) }
            default: break
            }
        }
        FileHandle.standardError.write(Data("appsnap: the instance's agent ended before the request finished\n".utf8))
        return 3
    }

    private static func unreachable(_ path: String) -> Int32 {
        FileHandle.standardError.write(Data("appsnap: the instance's agent at \(path) cannot be reached: \(String(cString: strerror(errno)))\n".utf8))
        return 3
    }
}

/// One frame of the agent's protocol.
enum Frame {
    static func write(_ fd: Int32, _ type: Character, _ payload: [UInt8]) {
        var bytes = [type.asciiValue!]
        withUnsafeBytes(of: UInt32(payload.count).bigEndian) { bytes += $0 }
        bytes += payload
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }

    static func read(_ fd: Int32) -> (UInt8, [UInt8])? {
        guard let head = exactly(5, from: fd) else { return nil }
        let length = Int(UInt32(head[1]) << 24 | UInt32(head[2]) << 16 | UInt32(head[3]) << 8 | UInt32(head[4]))
        // A request is a few hundred bytes and output comes in 16 KiB chunks: anything far
        // larger is not this protocol, and is refused before it is read into memory.
        guard length <= 1 << 20, let payload = exactly(length, from: fd) else { return nil }
        return (head[0], payload)
    }

    static func status(_ code: Int32) -> [UInt8] {
        withUnsafeBytes(of: code.bigEndian) { Array($0) }
    }

    private static func exactly(_ count: Int, from fd: Int32) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var have = 0
        while have < count {
            let n = out[have...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            have += n
        }
        return out
    }
}
