import Foundation
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
}
