import Foundation
import Glibc
import Testing

/// Detaching a host disk whose loop device the kernel already freed on unmount (autoclear)
/// succeeds from the command line: whatever is already gone counts as done.
@Suite(.serialized) struct TeardownCommandTests {
    @Test func detachAfterAutoclearSucceeds() throws {
        guard let host = try HostFixture.make("detachAfterAutoclearSucceeds") else { return }
        defer { host.destroy() }
        let disk = try host.addDisk()
        let image = host.app.state.appendingPathComponent("pool/disks/\(disk.id).img").path
        let (_, listed) = try shell("losetup -j '\(image)' | cut -d: -f1")
        let device = listed.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(device.hasPrefix("/dev/loop"), "the disk is on a loop device: \(listed)")
        // Detaching it while mounted only marks it autoclear: the unmount then frees it.
        let (status, said) = try shell("losetup -d '\(device)'")
        #expect(status == 0, "\(said)")

        let r = try host.app.run(["cloud", "host", "detach", disk.id])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(!r.stderr.contains("No such device or address"))
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(" \(disk.mountPoint) "), "\(disk.mountPoint) is unmounted")
        let (_, left) = try shell("losetup -j '\(image)'")
        #expect(left.isEmpty, "no loop device is left on the image: \(left)")
        try host.app.check(["cloud", "reset", "--yes"])
    }

    /// The case the issue saw: `cloud reset --yes` with the pool image mounted, its loop
    /// device already marked to go on unmount.
    @Test func resetWithAMountedPoolImageAfterAutoclearSucceeds() throws {
        guard getuid() == 0 else { print("skipped resetWithAMountedPoolImageAfterAutoclearSucceeds: --pool-image needs root"); return }
        guard FileManager.default.fileExists(atPath: "/dev/loop-control") else { print("skipped resetWithAMountedPoolImageAfterAutoclearSucceeds: no /dev/loop-control"); return }
        guard ["/usr/sbin", "/sbin"].contains(where: { access($0 + "/mkfs.xfs", X_OK) == 0 }) else {
            print("skipped resetWithAMountedPoolImageAfterAutoclearSucceeds: mkfs.xfs is not installed (xfsprogs)"); return
        }
        let app = try AppSnapBinary()
        let pool = app.state.appendingPathComponent("pool").path
        let image = app.state.appendingPathComponent("pool.img").path
        defer { _ = try? shell("umount '\(pool)' 2>/dev/null; for l in $(losetup -j '\(image)' | cut -d: -f1); do losetup -d $l; done") }
        try app.check(["cloud", "init", "--pool-image", "300M"])
        let (_, listed) = try shell("losetup -j '\(image)' | cut -d: -f1")
        let device = listed.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(device.hasPrefix("/dev/loop"), "the pool is on a loop device: \(listed)")
        #expect(try shell("losetup -d '\(device)'").0 == 0)

        let r = try app.run(["cloud", "reset", "--yes"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(!r.stderr.contains("No such device or address"))
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(" \(pool) "), "the pool is unmounted")
        #expect(try shell("losetup -j '\(image)'").1.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: image))
    }
}
