import Foundation
import Glibc

/// FIFREEZE and FITHAW on one mounted file system. The kernel flushes and then blocks
/// every writer of the superblock until FITHAW; the descriptor only names the file system.
enum FileSystemFreeze {
    enum ThawOutcome: Equatable {
        case thawed
        /// EINVAL: nothing had it frozen (already thawed by someone else).
        case wasNotFrozen
        case failed(String)
    }

    /// Writes back what is dirty on the file system while writers may still run, so the
    /// FIFREEZE that follows has little left to flush with every writer blocked. Best
    /// effort: a failure here only means the freeze does the flushing itself.
    static func flush(mountPoint: String) {
        let fd = open(mountPoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = GNU.syncfs(fd)
        close(fd)
    }

    static func freeze(mountPoint: String) -> String? {
        let fd = open(mountPoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return "cannot open \(mountPoint): \(errnoText(errno))" }
        defer { close(fd) }
        guard ioctl(fd, GNU.FIFREEZE, CInt(0)) == 0 else {
            let code = errno
            if code == EBUSY { return "cannot freeze \(mountPoint): it is already frozen by someone else" }
            if code == EOPNOTSUPP || code == ENOTTY { return "cannot freeze \(mountPoint): its file system does not support freezing" }
            return "cannot freeze \(mountPoint): \(errnoText(code))"
        }
        return nil
    }

    static func thaw(mountPoint: String) -> ThawOutcome {
        let fd = open(mountPoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return .failed("cannot open \(mountPoint): \(errnoText(errno))") }
        defer { close(fd) }
        if ioctl(fd, GNU.FITHAW, CInt(0)) == 0 { return .thawed }
        let code = errno
        return code == EINVAL ? .wasNotFrozen : .failed("cannot thaw \(mountPoint): \(errnoText(code))")
    }
}

/// dev_t as the kernel packs it (the `major`/`minor` macros are not visible to Swift).
struct DeviceNumber: Hashable, CustomStringConvertible {
    var major: UInt32
    var minor: UInt32

    init(major: UInt32, minor: UInt32) { self.major = major; self.minor = minor }

    init(_ dev: UInt) {
        let d = UInt64(dev)
        major = UInt32(truncatingIfNeeded: ((d >> 8) & 0xfff) | ((d >> 32) & ~UInt64(0xfff)))
        minor = UInt32(truncatingIfNeeded: (d & 0xff) | ((d >> 12) & ~UInt64(0xff)))
    }

    /// "7:0", as /sys and mountinfo write it.
    init?(text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":")
        guard parts.count == 2, let a = UInt32(parts[0]), let b = UInt32(parts[1]) else { return nil }
        major = a; minor = b
    }

    var description: String { "\(major):\(minor)" }
}
