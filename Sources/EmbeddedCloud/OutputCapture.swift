import AppSnapCore
import Foundation
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

/// A command's output on its way to invocations/<InvokeId>/<InstanceId>.out, capped as
/// the API caps Output: the first `headBytes` go to the file as they come (so `logs
/// --follow` sees them live), the last `tailBytes` are kept in memory, and whatever falls
/// between is only counted. At the end the file gets a line saying how much was dropped
/// and the tail. A chatty command can fill neither the disk nor memory.
final class OutputCapture: @unchecked Sendable {
    static let headBytes = 16 * 1024
    static let tailBytes = invocationOutputLimit - headBytes

    /// The pipe's write end, for the command's stdout and stderr.
    let commandEnd: Int32
    private let readEnd: Int32
    private let file: Int32
    private let lock = NSLock()
    private var written = 0
    private var tail: [UInt8] = []
    private(set) var dropped = 0
    private var stopping = false
    private var commandEndOpen = true
    private let done = DispatchSemaphore(value: 0)

    init(file url: URL) throws {
        file = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw PoolError("cannot create the output file", path: url.path) }
        var fds: [Int32] = [-1, -1]
        guard GNU.pipe2(&fds, O_CLOEXEC) == 0 else { close(file); throw PoolError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        (readEnd, commandEnd) = (fds[0], fds[1])
        let thread = Thread { [self] in pump() }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Once the command holds its copies: the pipe ends when the command's side closes.
    func commandStarted() {
        lock.lock(); defer { lock.unlock() }
        if commandEndOpen { close(commandEnd); commandEndOpen = false }
    }

    /// appsnap's own lines about the run, in order with the command's.
    func note(_ text: String) { take(Array(text.utf8)) }

    private func take(_ bytes: [UInt8]) {
        lock.lock(); defer { lock.unlock() }
        var rest = bytes[...]
        if written < Self.headBytes {
            let now = rest.prefix(Self.headBytes - written)
            now.withUnsafeBytes { _ = write(file, $0.baseAddress, $0.count) }
            written += now.count
            rest = rest.dropFirst(now.count)
        }
        guard !rest.isEmpty else { return }
        tail += rest
        if tail.count > Self.tailBytes {
            dropped += tail.count - Self.tailBytes
            tail.removeFirst(tail.count - Self.tailBytes)
        }
    }

    private func pump() {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            var pfd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 50)
            if ready > 0 {
                let n = read(readEnd, &buffer, buffer.count)
                if n > 0 { take(Array(buffer[0..<n])); continue }
                if n < 0 && errno == EINTR { continue }
                break  // every writer is gone
            }
            // Something the command left running may hold the pipe open: once the command
            // itself has ended and nothing more is waiting, the capture ends.
            lock.lock(); let stop = stopping; lock.unlock()
            if stop { break }
        }
        close(readEnd)
        done.signal()
    }

    /// After the command ended: drains what is left, writes the dropped count and the tail,
    /// and returns how many bytes were dropped.
    func finish() -> Int {
        commandStarted()
        lock.lock(); stopping = true; lock.unlock()
        done.wait()
        lock.lock(); defer { lock.unlock() }
        if dropped > 0 {
            let line = Array("\n[appsnap: \(dropped) bytes of output dropped here]\n".utf8)
            line.withUnsafeBytes { _ = write(file, $0.baseAddress, $0.count) }
        }
        tail.withUnsafeBytes { _ = write(file, $0.baseAddress, $0.count) }
        tail = []
        close(file)
        return dropped
    }
}
