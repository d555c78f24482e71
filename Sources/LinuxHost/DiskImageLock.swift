import AppSnapCore
import Foundation
import Glibc

/// The emulated equivalent of FIFREEZE for a disk image nothing mounts: appsnap's own
/// writers to an emulated disk hold a shared flock on the image while they write, and
/// a freeze holds an exclusive one, so it waits for writes in flight and then blocks
/// new ones until thaw — exactly what a frozen file system does to its writers.
public enum DiskImageLock {
    /// Runs `body` while holding a shared lock on `imagePath`; waits while it is frozen.
    public static func withSharedLock<T>(imagePath: String, _ body: () throws -> T) throws -> T {
        let fd = open(imagePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GuestError("cannot open disk image \(imagePath): \(errnoText(errno))") }
        defer { close(fd) }
        while flock(fd, LOCK_SH) != 0 {
            if errno != EINTR { throw GuestError("cannot lock disk image \(imagePath): \(errnoText(errno))") }
        }
        return try body()
    }

    /// Runs `body` while holding the exclusive lock: no writer is in the image meanwhile
    /// (a rollback replaces the image under it). Waits for writes in flight and a freeze.
    public static func withExclusiveLock<T>(imagePath: String, _ body: () throws -> T) throws -> T {
        let fd = open(imagePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GuestError("cannot open disk image \(imagePath): \(errnoText(errno))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw GuestError("cannot lock disk image \(imagePath): \(errnoText(errno))") }
        }
        return try body()
    }
}

/// Exclusive locks on a set of images for one freeze window. Released on thaw, or by
/// its own watchdog when the deadline passes (then `expired`), or by the kernel if
/// this process dies.
final class ImageFreeze: @unchecked Sendable {
    let paths: [String]
    private var descriptors: [Int32]
    private let condition = NSCondition()
    private var released = false
    private(set) var expiredFlag = false

    private init(paths: [String], descriptors: [Int32]) {
        self.paths = paths; self.descriptors = descriptors
    }

    /// Blocks until every image is locked or `deadline` (clock uptime) passes.
    static func acquire(paths: [String], deadline: Double, clock: any AppSnapCore.Clock) throws -> ImageFreeze {
        var held: [Int32] = []
        func giveUp(_ message: String) -> GuestError {
            for fd in held.reversed() { close(fd) }
            return GuestError(message)
        }
        for path in paths {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw giveUp("cannot open disk image \(path): \(errnoText(errno))") }
            held.append(fd)
            // Polled, not blocking, so that the deadline bounds how long writers wait.
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                guard code == EWOULDBLOCK || code == EINTR else { throw giveUp("cannot lock disk image \(path): \(errnoText(code))") }
                if clock.uptime() >= deadline { throw giveUp("writes to \(path) did not stop before the deadline") }
                usleep(2_000)
            }
        }
        let freeze = ImageFreeze(paths: paths, descriptors: held)
        let remaining = max(0, deadline - clock.uptime())
        let watchdog = Thread { freeze.expire(after: remaining) }
        watchdog.stackSize = 256 * 1024
        watchdog.start()
        return freeze
    }

    var expired: Bool {
        condition.lock(); defer { condition.unlock() }
        return expiredFlag
    }

    /// Reverse order. False if it had already ended on its own.
    @discardableResult
    func release() -> Bool {
        condition.lock(); defer { condition.unlock() }
        guard !released else { return false }
        unlock()
        return true
    }

    private func expire(after seconds: Double) {
        condition.lock(); defer { condition.unlock() }
        let limit = Date(timeIntervalSinceNow: seconds)
        while !released {
            if !condition.wait(until: limit) {
                expiredFlag = true
                unlock()
                return
            }
        }
    }

    /// Called with the condition held.
    private func unlock() {
        for fd in descriptors.reversed() { close(fd) }  // closing drops the flock
        descriptors = []
        released = true
        condition.broadcast()
    }
}
