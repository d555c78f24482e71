import AppSnapCore
import Foundation
import Glibc

/// The per-instance run lock (SPEC §4 "Busy", exit 16): an flock on
/// `<runDirectory>/<instanceId>.lock`. The kernel drops it when the holder dies, so a
/// crashed run never leaves the instance busy.
final class FileRunLock: RunLock, @unchecked Sendable {
    private let lock = NSLock()
    private var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Nil when another run (in this process or another) holds the lock.
    static func acquire(runDirectory: String, instanceId: String) throws -> FileRunLock? {
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        let path = runDirectory + "/" + instanceId + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GuestError("cannot open the run lock \(path): \(errnoText(errno))") }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw GuestError("cannot lock \(path): \(errnoText(code))")
        }
        return FileRunLock(fd: fd)
    }

    func release() {
        lock.lock(); defer { lock.unlock() }
        guard fd >= 0 else { return }
        close(fd)  // closing the only descriptor drops the flock
        fd = -1
    }

    deinit { if fd >= 0 { close(fd) } }
}
