import Foundation
import Glibc
import Testing
@testable import LinuxHost

/// Taking a host disk down twice, or after the kernel freed its loop device on unmount
/// (autoclear), succeeds: whatever is already gone counts as done.
@Suite(.serialized) struct TeardownTests {
    @Test func takeDownAfterAutoclearSucceeds() throws {
        guard requireRoot("tearing down a loop device") else { return }
        guard FileManager.default.fileExists(atPath: "/dev/loop-control") else { print("skipped: no /dev/loop-control"); return }
        let scratch = try Scratch("teardown")
        defer { scratch.remove() }
        let image = scratch.path + "/appsnap-hosttest-teardown.img"
        let mountPoint = scratch.path + "/mnt"
        #expect(FileManager.default.createFile(atPath: image, contents: nil) && truncate(image, 64 << 20) == 0)
        let device = try HostDisk.bringUp(image: image, kind: .ext4, mountPoint: mountPoint)
        var cleaned = false
        defer {
            if !cleaned {
                try? FileSystemTools.unmount(mountPoint)
                try? LoopDevice.detach(device: device)
            }
        }
        // Detaching a mounted loop device only marks it autoclear: the kernel frees it on
        // the last unmount, as `cloud reset` found with a mounted pool image.
        _ = try HostCommand.run(["losetup", "--detach", device])
        #expect(LoopDevice.device(backing: image) == device, "still bound while mounted")

        try HostDisk.takeDown(image: image)
        cleaned = true
        #expect(LoopDevice.device(backing: image) == nil)
        #expect(HostDisk.mounts(of: device).isEmpty)
        try HostDisk.takeDown(image: image)
        try LoopDevice.detach(device: device)
    }
}

/// A tool that is not installed is named with the Debian package that provides it.
@Suite struct MissingToolTests {
    @Test(arguments: [("mkfs.xfs", "xfsprogs"), ("mkfs.ext4", "e2fsprogs"), ("losetup", "mount"), ("blkid", "util-linux")])
    func aMissingToolNamesItsPackage(_ tool: String, _ package: String) throws {
        let empty = try Scratch("no-tools")
        defer { empty.remove() }
        do {
            _ = try HostCommand.run([tool, "--version"], searching: [empty.path])
            Issue.record("\(tool) ran from an empty directory")
        } catch {
            #expect("\(error)" == "\(tool) is not installed: install \(package) (apt-get install \(package))")
        }
    }

    @Test func aMissingExecutableByPathNamesItsPackageToo() {
        let e = SpawnError(executable: "/usr/sbin/mkfs.xfs", code: ENOENT)
        #expect(e.description == "mkfs.xfs is not installed: install xfsprogs (apt-get install xfsprogs)")
        #expect(SpawnError(executable: "/opt/unknown-tool", code: ENOENT).description == "cannot start /opt/unknown-tool: No such file or directory")
    }

    @Test func requireRefusesBeforeAnythingRuns() {
        #expect(throws: Never.self) { try ToolPackages.require(["sh"]) }
        do {
            try ToolPackages.require(["sh", "appsnap-no-such-tool"])
            Issue.record("a missing tool was accepted")
        } catch {
            #expect("\(error)".contains("appsnap-no-such-tool"))
        }
    }
}
