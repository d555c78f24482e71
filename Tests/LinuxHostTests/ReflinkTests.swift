import Foundation
import Glibc
import Testing
@testable import LinuxHost

@Suite(.serialized) struct ReflinkTests {
    /// 8 MiB, data only in the first and the seventh MiB: the rest is holes.
    private func makeSparse(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let a = [UInt8](repeating: 0x41, count: 4096), b = [UInt8](repeating: 0x42, count: 4096)
        #expect(pwrite(fd, a, a.count, 0) == a.count)
        #expect(pwrite(fd, b, b.count, 6 << 20) == b.count)
        #expect(ftruncate(fd, 8 << 20) == 0)
    }

    private func allocatedBytes(_ path: String) -> Int {
        var st = stat()
        stat(path, &st)
        return Int(st.st_blocks) * 512
    }

    @Test func onXfsWithReflinkTheCopyIsAClone() throws {
        guard requireRoot("an XFS loop file system") else { return }
        let fs = try LoopFileSystem("xfs", kind: .xfs, sizeMiB: 320, mkfsOptions: ["-m", "reflink=1"])
        defer { fs.destroy() }
        #expect(Reflink.isSupported(directory: fs.mountPoint))
        try makeSparse(fs.mountPoint + "/source.img")
        let method = try Reflink.clone(from: fs.mountPoint + "/source.img", to: fs.mountPoint + "/copy.img")
        #expect(method == .reflink)
        #expect(FileManager.default.contentsEqual(atPath: fs.mountPoint + "/source.img", andPath: fs.mountPoint + "/copy.img"))
    }

    @Test func onExt4TheFallbackCopyKeepsContentAndHoles() throws {
        guard requireRoot("an ext4 loop file system") else { return }
        let fs = try LoopFileSystem("ext4copy")
        defer { fs.destroy() }
        #expect(!Reflink.isSupported(directory: fs.mountPoint))
        let source = fs.mountPoint + "/source.img", copy = fs.mountPoint + "/copy.img"
        try makeSparse(source)
        #expect(try Reflink.clone(from: source, to: copy) == .sparseCopy)
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: copy))
        var st = stat(); stat(copy, &st)
        #expect(st.st_size == 8 << 20)
        #expect(allocatedBytes(copy) < 1 << 20)  // two 4 KiB extents, not 8 MiB
        let fd = open(copy, O_RDONLY); defer { close(fd) }
        #expect(lseek(fd, 0, GNU.SEEK_HOLE) < 6 << 20)  // a hole before the second extent
        #expect(lseek(fd, 4096 * 2, GNU.SEEK_DATA) >= 6 << 20)
    }

    @Test func aCopyAlwaysKeepsTheContent() throws {
        let dir = try Scratch("copy"); defer { dir.remove() }
        try makeSparse(dir.path + "/a.img")
        let method = try Reflink.clone(from: dir.path + "/a.img", to: dir.path + "/b.img")
        #expect(method == (Reflink.isSupported(directory: dir.path) ? .reflink : .sparseCopy))
        #expect(FileManager.default.contentsEqual(atPath: dir.path + "/a.img", andPath: dir.path + "/b.img"))
    }

    @Test func theLoopDeviceBackingAnImageIsFound() throws {
        guard requireRoot("a loop device") else { return }
        let fs = try LoopFileSystem("backing")
        defer { fs.destroy() }
        #expect(LoopDevice.device(backing: fs.image) == fs.device)
        #expect(LoopDevice.device(backing: fs.scratch.path + "/not-attached.img") == nil)
    }
}
