import Foundation
import Testing

/// `cloud reset` on a cloud with mounted host disks takes them down first: no mount and
/// no loop device of ours is left behind.
@Suite(.serialized) struct HostResetTests {
    @Test func resetUnmountsAndDetachesHostDisks() throws {
        guard let host = try HostFixture.make("resetUnmountsAndDetachesHostDisks") else { return }
        defer { host.destroy() }
        let disk = try host.addDisk()
        let image = host.app.state.appendingPathComponent("pool/disks/\(disk.id).img").path
        #expect(try loops(backing: image).count == 1)

        try host.app.check(["cloud", "reset", "--yes"])
        #expect(try loops(backing: image).isEmpty, "the loop device went with the cloud")
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(disk.mountPoint), "\(disk.mountPoint) is unmounted")
        #expect(!FileManager.default.fileExists(atPath: host.app.state.appendingPathComponent("appsnap.sqlite").path))
    }

    /// Loop devices on `image`, also once the file is deleted (`losetup -j` misses those).
    private func loops(backing image: String) throws -> [String] {
        let (_, out) = try shell("losetup -a")
        return out.split(separator: "\n").filter { $0.contains(image) }.map { String($0.prefix { $0 != ":" }) }
    }
}
