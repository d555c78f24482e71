import Foundation
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
/// (FICLONE) where the file system shares extents, else by copying only the data extents.
/// Written here because LinuxHost's `Reflink` had not landed when this module needed it.
enum PoolImages {
    /// _IOW(0x94, 9, int)
    private static let FICLONE: UInt = 0x4004_9409
    static let gibibyte = 1 << 30
    // Linux's SEEK_DATA / SEEK_HOLE, which Swift's Glibc module does not export.
    private static let seekData: Int32 = 3
    private static let seekHole: Int32 = 4

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

    enum CopyMethod: String { case reflink, sparseCopy = "sparse copy" }

    /// Copies `source` to a new file `target` (which must not exist). The target is the
    /// source's content at the moment of the call; on failure nothing is left behind.
    @discardableResult
    static func copy(from source: URL, to target: URL) throws -> CopyMethod {
        let src = open(source.path, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { throw PoolError("cannot open image", path: source.path) }
        defer { close(src) }
        let dst = open(target.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard dst >= 0 else { throw PoolError("cannot create image", path: target.path) }
        var ok = false
        defer { close(dst); if !ok { unlink(target.path) } }
        if ioctl(dst, FICLONE, src) == 0 { ok = true; return .reflink }
        try sparseCopy(src: src, dst: dst, sourcePath: source.path, targetPath: target.path)
        ok = true
        return .sparseCopy
    }

    private static func sparseCopy(src: Int32, dst: Int32, sourcePath: String, targetPath: String) throws {
        var st = stat()
        guard fstat(src, &st) == 0 else { throw PoolError("cannot stat image", path: sourcePath) }
        let size = st.st_size
        guard ftruncate(dst, size) == 0 else { throw PoolError("cannot size image", path: targetPath) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        for extent in try dataExtents(fd: src, size: size, path: sourcePath) {
            var offset = extent.lowerBound
            while offset < extent.upperBound {
                let want = min(buffer.count, Int(extent.upperBound - offset))
                let n = buffer.withUnsafeMutableBytes { pread(src, $0.baseAddress, want, offset) }
                guard n > 0 else { throw PoolError("cannot read image", path: sourcePath) }
                var written = 0
                while written < n {
                    let w = buffer.withUnsafeBytes { pwrite(dst, $0.baseAddress! + written, n - written, offset + off_t(written)) }
                    guard w > 0 else { throw PoolError("cannot write image", path: targetPath) }
                    written += w
                }
                offset += off_t(n)
            }
        }
        guard fsync(dst) == 0 else { throw PoolError("cannot sync image", path: targetPath) }
    }

    /// The data (non-hole) ranges of a file, from SEEK_DATA/SEEK_HOLE. File systems that
    /// do not know holes report the whole file as data, which is still right.
    static func dataExtents(fd: Int32, size: off_t, path: String) throws -> [Range<off_t>] {
        var extents: [Range<off_t>] = []
        var offset: off_t = 0
        while offset < size {
            let data = lseek(fd, offset, seekData)
            if data < 0 {
                if errno == ENXIO { break }
                throw PoolError("cannot find data in image", path: path)
            }
            var hole = lseek(fd, data, seekHole)
            if hole < 0 { hole = size }
            extents.append(data..<min(hole, size))
            offset = hole
        }
        return extents
    }

    /// Whether the file system holding `directory` clones files by reflink.
    static func reflinkSupported(directory: URL) -> Bool {
        let base = directory.appendingPathComponent(".reflink-probe-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        let a = base.path + ".a", b = base.path + ".b"
        let fa = open(a, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fa >= 0 else { return false }
        defer { close(fa); unlink(a) }
        _ = "probe".withCString { write(fa, $0, 5) }
        let fb = open(b, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fb >= 0 else { return false }
        defer { close(fb); unlink(b) }
        return ioctl(fb, FICLONE, fa) == 0
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
