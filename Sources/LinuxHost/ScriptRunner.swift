import AppSnapCore
import Foundation
import Glibc

/// Runs a checked script through its open descriptor (SPEC §6): the descriptor becomes
/// fd 3 of the child, which executes `/proc/self/fd/3`, so the file that was checked is
/// the file that runs even if the path now names another one.
struct ScriptRunner {
    var workingDirectory: String
    var clock: any AppSnapCore.Clock
    /// Started through this command line when not empty (see `LinuxGuestConfig.scriptLauncher`).
    var launcher: [String] = []

    /// Blocks until the script ends or `timeoutSeconds` pass; meant for its own thread.
    func run(descriptor: Int32, timeoutSeconds: Double, started: (pid_t) -> Void = { _ in },
             output: @escaping (String) -> Void) -> ScriptResult {
        // The child gets the file as fd 3; a source already at 3 would keep its
        // close-on-exec flag through dup2(3, 3), so move it out of the way first.
        var source = descriptor
        if source == 3 {
            source = fcntl(descriptor, F_DUPFD_CLOEXEC, 10)
            guard source >= 0 else { return .failedToStart("cannot duplicate the script descriptor: \(errnoText(errno))") }
        }
        defer { if source != descriptor { close(source) } }

        var head: [UInt8] = [0, 0]
        let headLength = pread(source, &head, 2, 0)
        let isShebang = headLength == 2 && head == [UInt8(ascii: "#"), UInt8(ascii: "!")]

        var fds: [Int32] = [-1, -1]
        guard GNU.pipe2(&fds, O_CLOEXEC) == 0 else { return .failedToStart("cannot create a pipe: \(errnoText(errno))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])

        let command = isShebang ? ["/proc/self/fd/3"] : ["/bin/sh", "/proc/self/fd/3"]
        let argv = launcher + command
        var request = SpawnRequest(argv[0], argv)
        request.fileActions = [.open(0, path: "/dev/null", flags: O_RDONLY),
                               .dup2(writeEnd, to: 1), .dup2(writeEnd, to: 2), .dup2(source, to: 3)]
        request.newProcessGroup = true
        request.workingDirectory = workingDirectory

        let pid: pid_t
        do {
            pid = try spawnRetryingBusyText(request)
        } catch {
            close(readEnd); close(writeEnd)
            return .failedToStart("\(error)")
        }
        close(writeEnd)
        started(pid)
        defer { close(readEnd) }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)

        var lines = LineSplitter(deliver: output)
        let deadline = clock.uptime() + timeoutSeconds
        var outputClosed = false
        while true {
            if !outputClosed {
                var pfd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                _ = poll(&pfd, 1, 20)
                outputClosed = drain(readEnd, into: &lines)
            } else {
                usleep(20_000)
            }
            if let status = pollChild(pid) {
                // What the script wrote before it ended is already in the pipe; a
                // background process it left behind may keep the pipe open, so do not
                // wait for end-of-file.
                _ = drain(readEnd, into: &lines)
                lines.finish()
                switch status {
                case .exited(let code): return .exited(code)
                case .signaled(let signal): return .signaled(signal)
                }
            }
            if clock.uptime() >= deadline {
                // The group includes everything the script started (unless it left the group).
                kill(-pid, SIGKILL)
                _ = waitForChild(pid)
                _ = drain(readEnd, into: &lines)
                lines.finish()
                return .timedOut
            }
        }
    }

    /// A script written moments ago can still be open for writing in a child another
    /// thread is forking (until that child execs): exec then fails with ETXTBSY. The
    /// window is short, so retry briefly rather than fail the script.
    private func spawnRetryingBusyText(_ request: SpawnRequest) throws -> pid_t {
        var attempt = 0
        while true {
            do {
                return try request.spawn()
            } catch let error as SpawnError where error.code == ETXTBSY && attempt < 40 {
                attempt += 1
                usleep(UInt32(min(attempt, 10)) * 5_000)
            }
        }
    }

    /// Reads what is available now. True at end-of-file.
    private func drain(_ fd: Int32, into lines: inout LineSplitter) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { lines.append(buffer[0..<n]); continue }
            if n == 0 { return true }
            if errno == EINTR { continue }
            return false
        }
    }
}

/// Cuts a byte stream into lines as they complete; a very long line is delivered in
/// pieces so one runaway script cannot grow memory without bound.
struct LineSplitter {
    static let longestLine = 64 * 1024
    var deliver: (String) -> Void
    private var pending: [UInt8] = []

    init(deliver: @escaping (String) -> Void) { self.deliver = deliver }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                emit()
            } else {
                pending.append(byte)
                if pending.count >= Self.longestLine { emit() }
            }
        }
    }

    mutating func finish() {
        if !pending.isEmpty { emit() }
    }

    private mutating func emit() {
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        deliver(String(decoding: pending, as: UTF8.self))
        pending.removeAll(keepingCapacity: true)
    }
}
