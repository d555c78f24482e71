import Foundation
import Glibc

/// A system tool (losetup, mkfs, mount…) that failed, with its own words.
public struct HostCommandError: Error, Sendable, CustomStringConvertible {
    public var command: [String]
    public var status: String
    public var output: String
    public var description: String {
        let said = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(command.joined(separator: " ")) \(status)" + (said.isEmpty ? "" : ": \(said)")
    }
}

/// Runs a system tool to completion and returns what it printed (stdout and stderr
/// together). For short administrative commands only: output is read in full.
enum HostCommand {
    /// Where the tools live; posix_spawn does not search PATH.
    static let searchDirectories = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    @discardableResult
    static func run(_ argv: [String], searching directories: [String] = searchDirectories) throws -> String {
        // A tool that is not there is named with its package, not tried and failed.
        guard let executable = locate(argv[0], in: directories) else { throw SpawnError(executable: argv[0], code: ENOENT) }
        var fds: [Int32] = [-1, -1]
        guard GNU.pipe2(&fds, O_CLOEXEC) == 0 else { throw SpawnError(executable: argv[0], code: errno) }
        var request = SpawnRequest(executable, argv)
        request.fileActions = [.open(0, path: "/dev/null", flags: O_RDONLY), .dup2(fds[1], to: 1), .dup2(fds[1], to: 2)]
        let pid: pid_t
        do { pid = try request.spawn() } catch { close(fds[0]); close(fds[1]); throw error }
        close(fds[1])
        let output = readAll(fds[0])
        close(fds[0])
        let status = waitForChild(pid)
        switch status {
        case .exited(0)?: return output
        case .exited(let c)?: throw HostCommandError(command: argv, status: "exited with status \(c)", output: output)
        case .signaled(let s)?: throw HostCommandError(command: argv, status: "killed by signal \(s)", output: output)
        case nil: throw HostCommandError(command: argv, status: "vanished", output: output)
        }
    }

    /// The tool's path in the usual sbin/bin places; nil when it is not installed.
    static func locate(_ name: String, in directories: [String] = searchDirectories) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        return directories.map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }

    static func readAll(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { bytes.append(contentsOf: buffer[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
