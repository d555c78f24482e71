import AppSnapCore
import Foundation
import Glibc

/// How a copy of a disk image was made.
public enum CopyMethod: String, Sendable {
    /// FICLONE: the copy shares every block with the source until either is written.
    case reflink
    /// Byte copy of the data ranges only; holes stay holes.
    case sparseCopy
}

/// Point-in-time copies of disk images for the embedded cloud's storage pool: a reflink
/// where the file system offers one (XFS with reflink=1, btrfs), else a sparse copy.
public enum Reflink {
    /// True when files in `directory` can be cloned (tried on two scratch files).
    public static func isSupported(directory: String) -> Bool {
        let base = directory + "/.appsnap-reflink-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let source = open(base + ".a", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard source >= 0 else { return false }
        defer { close(source); unlink(base + ".a") }
        let block = [UInt8](repeating: 0x61, count: 4096)
        guard write(source, block, block.count) == block.count else { return false }
        let target = open(base + ".b", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard target >= 0 else { return false }
        defer { close(target); unlink(base + ".b") }
        return ioctl(target, GNU.FICLONE, source) == 0
    }

    /// Copies `source` to `destination` (created, or replaced), by reflink when possible.
    @discardableResult
    public static func clone(from source: String, to destination: String) throws -> CopyMethod {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw GuestError("cannot open \(source): \(errnoText(errno))") }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0 else { throw GuestError("cannot examine \(source): \(errnoText(errno))") }
        let output = open(destination, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0o777)
        guard output >= 0 else { throw GuestError("cannot create \(destination): \(errnoText(errno))") }
        defer { close(output) }

        if ioctl(output, GNU.FICLONE, input) == 0 { return .reflink }
        try sparseCopy(input, output, size: st.st_size, source: source, destination: destination)
        return .sparseCopy
    }

    /// Copies only the ranges SEEK_DATA finds; the rest of the file is left as a hole by
    /// sizing the destination first. The kernel copies each range (copy_file_range, as
    /// cp does); where it cannot, the bytes pass through a buffer here.
    private static func sparseCopy(_ input: Int32, _ output: Int32, size: off_t, source: String, destination: String) throws {
        guard ftruncate(output, size) == 0 else { throw GuestError("cannot size \(destination): \(errnoText(errno))") }
        var buffer: [UInt8] = []
        for extent in try dataExtents(of: input, size: size, path: source) {
            var position = Int64(extent.lowerBound)
            let end = Int64(extent.upperBound)
            while position < end {
                var inOffset = position, outOffset = position
                let n = GNU.copyFileRange(input, &inOffset, output, &outOffset, Int(min(end - position, 1 << 30)))
                if n > 0 { position += Int64(n); continue }
                if n == 0 { break }  // the source ended early
                if errno == EINTR { continue }
                guard [ENOSYS, EXDEV, EINVAL, EOPNOTSUPP].contains(errno) else {
                    throw GuestError("cannot copy \(source) to \(destination): \(errnoText(errno))")
                }
                if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: 1 << 20) }
                position = try copyThroughBuffer(input, output, from: position, to: end, &buffer, source, destination)
            }
        }
        guard fsync(output) == 0 else { throw GuestError("cannot sync \(destination): \(errnoText(errno))") }
    }

    /// The fallback: pread/pwrite of `start..<end`; returns where it stopped.
    private static func copyThroughBuffer(_ input: Int32, _ output: Int32, from start: Int64, to end: Int64,
                                          _ buffer: inout [UInt8], _ source: String, _ destination: String) throws -> Int64 {
        var position = start
        while position < end {
            let want = Int(min(Int64(buffer.count), end - position))
            let got = pread(input, &buffer, want, off_t(position))
            if got < 0 { if errno == EINTR { continue }; throw GuestError("cannot read \(source): \(errnoText(errno))") }
            if got == 0 { return end }
            var done = 0
            while done < got {
                let n = buffer[done..<got].withUnsafeBytes { pwrite(output, $0.baseAddress, $0.count, off_t(position) + off_t(done)) }
                if n < 0 { if errno == EINTR { continue }; throw GuestError("cannot write \(destination): \(errnoText(errno))") }
                done += n
            }
            position += Int64(got)
        }
        return position
    }

    /// The data (non-hole) ranges of an open file, from SEEK_DATA/SEEK_HOLE. A file system
    /// that does not know holes reports the whole file as data, which is still right.
    public static func dataExtents(of fd: Int32, size: off_t, path: String) throws -> [Range<off_t>] {
        var extents: [Range<off_t>] = []
        var offset: off_t = 0
        while offset < size {
            let dataStart = lseek(fd, offset, GNU.SEEK_DATA)
            if dataStart < 0 {
                if errno == ENXIO { break }  // only a hole remains
                throw GuestError("cannot read \(path): \(errnoText(errno))")
            }
            var dataEnd = lseek(fd, dataStart, GNU.SEEK_HOLE)
            if dataEnd < 0 { dataEnd = size }
            extents.append(dataStart..<min(dataEnd, size))
            offset = dataEnd
        }
        return extents
    }
}
