import AppSnapCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An emulated Windows instance of the embedded cloud, as the -win plugin sees it: its VSS
/// writers come from the cloud's database, and "freezing" (the VSS freeze window) holds
/// an exclusive flock on each disk image — appsnap's writers to an image take a shared
/// one, so they wait exactly as writers wait on a frozen volume. It runs no scripts.
public struct EmulatedWindowsGuest: GuestHost {
    public let instanceId: String
    public let regionId: String
    let writers: [String]
    let runDirectory: String
    let imagePath: @Sendable (Disk) -> String
    let clock: any AppSnapCore.Clock

    init(instanceId: String, regionId: String, writers: [String], runDirectory: String,
         clock: any AppSnapCore.Clock, imagePath: @escaping @Sendable (Disk) -> String) {
        self.instanceId = instanceId; self.regionId = regionId; self.writers = writers
        self.runDirectory = runDirectory; self.clock = clock; self.imagePath = imagePath
    }

    /// The plugin runs as SYSTEM on Windows.
    public var isRoot: Bool { true }

    public func acquireRunLock() throws -> RunLock? {
        let path = runDirectory + "/\(instanceId).lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GuestError("cannot open run lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno; close(fd)
            if e == EWOULDBLOCK { return nil }
            throw GuestError("cannot take run lock \(path): \(String(cString: strerror(e)))")
        }
        return DescriptorRunLock(fd: fd)
    }

    public func openScript(path: String) -> ScriptCheck {
        .rejected(reason: "script-not-used", detail: "Windows instances take no prescript or postscript; \(path) is not used")
    }

    public func runScript(_ script: CheckedScript, timeoutSeconds: Double,
                          output: @escaping @Sendable (String) -> Void) async -> ScriptResult {
        .failedToStart("Windows instances run no scripts")
    }

    public func freeze(disks: [Disk], deadlineSeconds: Double) async throws -> FreezeHandle {
        let deadline = clock.uptime() + deadlineSeconds
        let paths = disks.map(imagePath)
        let clock = self.clock
        return try await withCheckedThrowingContinuation { continuation in
            // Polling a lock blocks: keep it off the cooperative pool.
            let thread = Thread {
                continuation.resume(with: Result { try ImageFreezeWindow.acquire(paths: paths, deadline: deadline, clock: clock) })
            }
            thread.start()
        }
    }

    public func vssWriters() async throws -> [String] { writers }
}

final class DescriptorRunLock: RunLock, @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var released = false
    init(fd: Int32) { self.fd = fd }
    func release() {
        lock.lock(); defer { lock.unlock() }
        if !released { released = true; close(fd) }
    }
    deinit { release() }
}

/// Exclusive flocks on disk images for one freeze window; released on thaw or when the
/// deadline passes (then `expired`), or by the kernel if the process dies.
final class ImageFreezeWindow: FreezeHandle, @unchecked Sendable {
    let frozen: [String]
    private var descriptors: [Int32]
    private let condition = NSCondition()
    private var released = false
    private var expiredFlag = false

    private init(paths: [String], descriptors: [Int32]) {
        frozen = paths; self.descriptors = descriptors
    }

    static func acquire(paths: [String], deadline: Double, clock: any AppSnapCore.Clock) throws -> ImageFreezeWindow {
        var held: [Int32] = []
        func fail(_ message: String) -> GuestError {
            held.reversed().forEach { close($0) }
            return GuestError(message)
        }
        for path in paths {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw fail("cannot open disk image \(path): \(String(cString: strerror(errno)))") }
            held.append(fd)
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    throw fail("cannot lock disk image \(path): \(String(cString: strerror(errno)))")
                }
                if clock.uptime() >= deadline { throw fail("writes to \(path) did not stop before the deadline") }
                usleep(2_000)
            }
        }
        let window = ImageFreezeWindow(paths: paths, descriptors: held)
        let remaining = max(0, deadline - clock.uptime())
        let watchdog = Thread { window.expire(after: remaining) }
        watchdog.start()
        return window
    }

    var expired: Bool {
        condition.lock(); defer { condition.unlock() }
        return expiredFlag
    }

    func thaw() async throws { release() }

    /// Already ended at its deadline: nothing left to thaw (`expired` tells the caller).
    func release() {
        condition.lock(); defer { condition.unlock() }
        if !released { unlockAll() }
    }

    private func expire(after seconds: Double) {
        condition.lock(); defer { condition.unlock() }
        let limit = Date(timeIntervalSinceNow: seconds)
        while !released {
            if !condition.wait(until: limit) {
                if !released { expiredFlag = true; unlockAll() }
                return
            }
        }
    }

    /// Caller holds `condition`.
    private func unlockAll() {
        for fd in descriptors.reversed() { close(fd) }
        descriptors = []
        released = true
        condition.broadcast()
    }
}
