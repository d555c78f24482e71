import Foundation
import Glibc

/// Real PostgreSQL and MariaDB servers that a test starts on a data directory of its own,
/// with its own socket and port (never the system's default ones), and stops by PID.

/// A program run to completion: exit status, stdout, stderr (kept apart, so a server's
/// NOTICE on stderr never mixes into a query's result).
struct ToolResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

@discardableResult
func runTool(_ argv: [String], environment: [String: String]? = nil) throws -> ToolResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    p.currentDirectoryURL = URL(fileURLWithPath: "/")
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Both pipes drained at once, so neither can fill up and stall the child.
    let e = DrainedPipe(err)
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ToolResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e.data(), as: UTF8.self))
}

/// A pipe read to its end on a thread of its own.
final class DrainedPipe: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var read = Data()
    init(_ pipe: Pipe) {
        Thread.detachNewThread { self.read = pipe.fileHandleForReading.readDataToEndOfFile(); self.done.signal() }
    }
    func data() -> Data { done.wait(); return read }
}

/// A TCP port nobody listens on right now (the kernel's choice of an ephemeral one).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw E2EError("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard bound else { throw E2EError("bind: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// uid and gid of a system user, nil if it does not exist.
func account(_ name: String) -> (uid: uid_t, gid: gid_t)? {
    guard let pw = getpwnam(name) else { return nil }
    return (pw.pointee.pw_uid, pw.pointee.pw_gid)
}

/// A directory owned by `user`, mode `mode` (made if missing).
func makeDirectory(_ path: String, owner user: String, mode: mode_t) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    guard let a = account(user), chown(path, a.uid, a.gid) == 0, chmod(path, mode) == 0 else {
        throw E2EError("cannot give \(path) to \(user): \(String(cString: strerror(errno)))")
    }
}

/// A server process this test started; `stop` ends it by its PID and nothing else.
final class ServerProcess {
    let name: String
    let log: String
    private let process: Process
    var pid: pid_t { process.processIdentifier }

    /// `argv[0]` must exec the server itself (no forking wrapper), so our PID is the server's.
    init(name: String, argv: [String], log: String) throws {
        self.name = name
        self.log = log
        guard FileManager.default.createFile(atPath: log, contents: nil), let handle = FileHandle(forWritingAtPath: log) else {
            throw E2EError("cannot create \(log)")
        }
        defer { try? handle.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Polls `ready` until it holds; throws with the log if the server exits or `seconds` pass.
    func waitUntilReady(within seconds: Double = 90, _ ready: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if ready() { return }
            guard isRunning else { throw E2EError("\(name) exited with \(process.terminationStatus) before it was ready:\n\(logText)") }
            usleep(100_000)
        }
        throw E2EError("\(name) was not ready within \(Int(seconds))s:\n\(logText)")
    }

    /// `signal` (the server's own clean-shutdown request), then SIGKILL if it is still
    /// there after `seconds`. Returns whether it ended by itself.
    @discardableResult
    func stop(_ signal: Int32, within seconds: Double = 60) -> Bool {
        guard isRunning else { return true }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning, Date() < deadline { usleep(50_000) }
        guard isRunning else { return true }
        kill(pid, SIGKILL)
        process.waitUntilExit()
        return false
    }
}

// MARK: PostgreSQL

/// One PostgreSQL cluster of the test: initdb as the postgres user, the postmaster on a
/// socket directory and port of its own, no TCP listener at all.
final class PostgresServer {
    let bin: String
    let dataDirectory: String
    let socketDirectory: String
    let port: Int
    let server: ServerProcess

    /// The newest installed server's bin directory, or why there is none.
    static func tools() -> Result<String, E2EError> {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted()
        guard let v = versions.last(where: { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/postgres") }) else {
            return .failure(E2EError("no PostgreSQL server in /usr/lib/postgresql/*/bin (Debian package postgresql)"))
        }
        guard account("postgres") != nil else { return .failure(E2EError("no postgres user")) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return .failure(E2EError("no setpriv (util-linux)")) }
        return .success("/usr/lib/postgresql/\(v)/bin")
    }

    /// `argv` as the postgres user, exec'd directly (setpriv forks nothing).
    static func asPostgres(_ argv: [String]) -> [String] {
        ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + argv
    }

    static func initdb(bin: String, dataDirectory: String) throws {
        try makeDirectory(dataDirectory, owner: "postgres", mode: 0o700)
        let r = try runTool(asPostgres([bin + "/initdb", "-D", dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]))
        guard r.status == 0 else { throw E2EError("initdb exited \(r.status): \(r.stdout)\(r.stderr)") }
    }

    init(bin: String, dataDirectory: String, socketDirectory: String, log: String, name: String) throws {
        self.bin = bin
        self.dataDirectory = dataDirectory
        self.socketDirectory = socketDirectory
        port = try freePort()
        try makeDirectory(socketDirectory, owner: "postgres", mode: 0o755)
        server = try ServerProcess(name: name, argv: Self.asPostgres([
            bin + "/postgres", "-D", dataDirectory, "-p", String(port), "-k", socketDirectory,
            "-c", "listen_addresses=", "-c", "logging_collector=off", "-c", "shared_buffers=32MB",
        ]), log: log)
        do {
            try server.waitUntilReady { (try? self.query("SELECT 1", database: "postgres")) == "1" }
        } catch {
            stop()
            throw error
        }
    }

    /// psql as root, speaking as the postgres role (trust on the socket), with a shell
    /// word list the writer can use too.
    var client: [String] {
        [bin + "/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", String(port), "-U", "postgres"]
    }

    @discardableResult
    func query(_ sql: String, database: String = "appsnaptest") throws -> String {
        let r = try runTool(client + ["-d", database, "-c", sql])
        guard r.status == 0 else { throw E2EError("psql (\(server.name)) \(sql): \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Fast shutdown (SIGINT): rolls back open transactions and checkpoints.
    func stop() { server.stop(SIGINT) }
}

// MARK: MariaDB

/// One MariaDB server of the test: mariadb-install-db on its data directory, mariadbd as
/// the mysql user with `--no-defaults` (nothing from /etc/mysql, so never the default
/// socket, port or data directory), listening on 127.0.0.1 and a socket of its own.
final class MariaDBServer {
    let dataDirectory: String
    let runDirectory: String
    let port: Int
    let server: ServerProcess
    var socket: String { runDirectory + "/mariadb.sock" }

    static func tools() -> Result<(server: String, install: String, client: String), E2EError> {
        let server = ["/usr/sbin/mariadbd", "/usr/bin/mariadbd"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let install = ["/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let client = ["/usr/bin/mariadb", "/usr/bin/mysql"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let server, let install, let client else {
            return .failure(E2EError("no mariadbd, mariadb-install-db or mariadb client (Debian package mariadb-server)"))
        }
        guard account("mysql") != nil else { return .failure(E2EError("no mysql user")) }
        return .success((server, install, client))
    }

    static func installDB(_ install: String, dataDirectory: String) throws {
        try makeDirectory(dataDirectory, owner: "mysql", mode: 0o750)
        let r = try runTool([install, "--no-defaults", "--user=mysql", "--datadir=" + dataDirectory,
                             "--auth-root-authentication-method=socket", "--skip-test-db"])
        guard r.status == 0 else { throw E2EError("mariadb-install-db exited \(r.status): \(r.stdout)\(r.stderr)") }
    }

    let clientBinary: String

    init(tools: (server: String, install: String, client: String), dataDirectory: String, runDirectory: String,
         log: String, name: String) throws {
        self.dataDirectory = dataDirectory
        self.runDirectory = runDirectory
        clientBinary = tools.client
        port = try freePort()
        try makeDirectory(runDirectory, owner: "mysql", mode: 0o755)
        server = try ServerProcess(name: name, argv: [
            tools.server, "--no-defaults", "--user=mysql", "--datadir=" + dataDirectory, "--socket=" + runDirectory + "/mariadb.sock",
            "--port=\(port)", "--bind-address=127.0.0.1", "--pid-file=" + runDirectory + "/mariadb.pid",
            "--innodb-buffer-pool-size=64M", "--skip-name-resolve",
        ], log: log)
        do {
            try server.waitUntilReady { (try? self.query("SELECT 1", database: nil)) == "1" }
        } catch {
            stop()
            throw error
        }
    }

    /// The client as root over our socket (unix_socket authentication: we are root).
    var client: [String] {
        [clientBinary, "--no-defaults", "--socket=" + socket, "--user=root", "--batch", "--skip-column-names"]
    }

    @discardableResult
    func query(_ sql: String, database: String? = "appsnaptest") throws -> String {
        let r = try runTool(client + (database.map { [$0] } ?? []) + ["-e", sql])
        guard r.status == 0 else { throw E2EError("mariadb (\(server.name)) \(sql): \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// SIGTERM is mariadbd's normal shutdown.
    func stop() { server.stop(SIGTERM) }
}

// MARK: Writer under load

/// A background client loop: transaction `i` (SQL with `$i` in it) is committed by its
/// own client process, then `i` is appended to a file on another file system (/var/tmp),
/// so the file lists only committed ids, in order.
final class RowWriter {
    let ids: String
    let stopFile: String
    let errors: String
    private let process: Process

    /// `client` ends with the option that takes the SQL (`-c` for psql, `-e` for mariadb).
    init(directory: String, client: [String], transaction: String) throws {
        ids = directory + "/committed-ids"
        stopFile = directory + "/stop-writer"
        errors = directory + "/writer.err"
        guard FileManager.default.createFile(atPath: ids, contents: nil) else { throw E2EError("cannot create \(ids)") }
        let quoted = client.map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " ")
        let script = """
            i=0
            while [ ! -e '\(stopFile)' ]; do
              i=$((i + 1))
              \(quoted) "\(transaction)" >/dev/null || { echo "transaction $i failed" >&2; exit 1; }
              echo $i >> '\(ids)'
            done
            """
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        guard FileManager.default.createFile(atPath: errors, contents: nil), let err = FileHandle(forWritingAtPath: errors) else {
            throw E2EError("cannot create \(errors)")
        }
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// The highest id recorded as committed (only whole lines count).
    var lastCommitted: Int {
        guard let text = try? String(contentsOfFile: ids, encoding: .utf8), let end = text.lastIndex(of: "\n") else { return 0 }
        return text[..<end].split(separator: "\n").last.flatMap { Int($0) } ?? 0
    }

    var errorText: String { (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    /// Waits until at least `count` rows are committed; throws if the writer fails first.
    func waitFor(_ count: Int, within seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while lastCommitted < count {
            guard process.isRunning else { throw E2EError("the writer stopped: \(errorText)") }
            guard Date() < deadline else { throw E2EError("the writer committed only \(lastCommitted) rows in \(Int(seconds))s") }
            usleep(20_000)
        }
    }

    /// Asks the loop to end after its current transaction; returns its exit status
    /// (nil if it had to be killed, with the client it was running).
    @discardableResult
    func stop(within seconds: Double = 60) -> Int32? {
        _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        guard process.isRunning else { return process.terminationStatus }
        for child in descendants(of: process.processIdentifier) { kill(child, SIGKILL) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return nil
    }
}

// MARK: Config files the example scripts read

/// A file of /etc/appsnap made for one test (and /etc/appsnap itself if it was missing);
/// nil if the file already exists, since then it is someone else's.
final class OwnConfigFile {
    let path: String
    private var madeDirectory = false

    init?(_ path: String) {
        var st = stat()
        guard lstat(path, &st) != 0 else { return nil }
        self.path = path
    }

    func write(_ text: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
            madeDirectory = true
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw E2EError("cannot write \(path)")
        }
    }

    func remove() {
        unlink(path)
        if madeDirectory { rmdir((path as NSString).deletingLastPathComponent) }
    }
}
