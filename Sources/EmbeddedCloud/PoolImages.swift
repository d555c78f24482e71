import Foundation
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

struct PoolError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    init(_ what: String, path: String, errno e: Int32 = errno) {
        message = "\(what) \(path): \(String(cString: strerror(e)))"
    }
    var description: String { message }
}

/// The disk and snapshot images of the storage pool: sparse files, copied by reflink
/// (FICLONE) where the file system shares extents, else by copying only the data extents
/// (LinuxHost's `Reflink` does both).
enum PoolImages {
    static let gibibyte = 1 << 30

    /// A new image of `sizeGiB` apparent size, holes only.
    static func create(at url: URL, sizeGiB: Int) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PoolError("cannot create disk image", path: url.path) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(sizeGiB) * off_t(gibibyte)) == 0 else {
            let e = errno; unlink(url.path)
            throw PoolError("cannot size disk image", path: url.path, errno: e)
        }
    }

    /// Copies `source` to a new file `target` (which must not exist). The target is the
    /// source's content at the moment of the call; on failure nothing is left behind.
    @discardableResult
    static func copy(from source: URL, to target: URL) throws -> CopyMethod {
        // Claim the name first, so an existing image is never overwritten.
        let claim = open(target.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard claim >= 0 else { throw PoolError("cannot create image", path: target.path) }
        close(claim)
        do {
            return try Reflink.clone(from: source.path, to: target.path)
        } catch {
            unlink(target.path)
            throw PoolError("\(error)")
        }
    }

    /// Copies each pair's source to its new target, all at once (a thread a pair): the
    /// copies of a group share one freeze window, so it lasts as long as the slowest copy,
    /// not as long as all of them. Each copy is synced in its own thread, so the syncs
    /// overlap too. On any failure every target is removed.
    static func copyAll(_ pairs: [(from: URL, to: URL)]) throws {
        var claimed: [URL] = []
        for pair in pairs {
            // Claim every name first, so an existing image is never overwritten.
            let fd = open(pair.to.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                let e = errno
                claimed.forEach { unlink($0.path) }
                throw PoolError("cannot create image", path: pair.to.path, errno: e)
            }
            close(fd)
            claimed.append(pair.to)
        }
        let failures = Failures()
        let done = DispatchGroup()
        for pair in pairs {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                do { try Reflink.clone(from: pair.from.path, to: pair.to.path) } catch { failures.add("\(error)") }
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        done.wait()
        if let first = failures.first {
            claimed.forEach { unlink($0.path) }
            throw PoolError(first)
        }
    }

    static func dataExtents(fd: Int32, size: off_t, path: String) throws -> [Range<off_t>] {
        try Reflink.dataExtents(of: fd, size: size, path: path)
    }

    /// Whether the file system holding `directory` clones files by reflink.
    static func reflinkSupported(directory: URL) -> Bool {
        Reflink.isSupported(directory: directory.path)
    }
}

/// A 64-bit checksum of the snapshot's data that needs nothing beyond Foundation: FNV-1a's
/// constants applied a word at a time (eight bytes per step keeps a debug build fast).
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        let words = bytes.count / 8
        for i in 0..<words {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* Self.prime
            h ^= h >> 29
        }
        for i in (words * 8)..<bytes.count { h = (h ^ UInt64(bytes[i])) &* Self.prime }
        value = h
    }

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
    var hex: String { String(format: "%016llx", value) }
}

/// What the copy threads report back.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return messages.first }
}
