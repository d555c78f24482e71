import AppSnapCore
import Foundation
import Glibc
import Testing
@testable import LinuxHost

/// Emulated instances: a disk image nothing mounts is frozen by an exclusive flock, which
/// appsnap's writers (and here util-linux `flock`, the same lock) wait for.
@Suite struct ImageFreezeTests {
    private func imageGuest(_ label: String) throws -> (GuestRoot, String, LinuxGuest) {
        let root = try GuestRoot(label)
        let image = root.scratch.path + "/d-img.img"
        FileManager.default.createFile(atPath: image, contents: Data(count: 4096))
        return (root, image, root.guest { $0.DiskId == "d-img" ? .image(image) : nil })
    }

    /// `flock --shared --nonblock`: 0 when a writer could start now, 1 while frozen.
    private func writerCouldStart(_ image: String) throws -> ChildStatus? {
        try Writer("flock --shared --nonblock '\(image)' true").finished()
    }

    @Test func writersWaitUntilThaw() async throws {
        let (root, image, guest) = try imageGuest("image"); defer { root.remove() }
        let marker = root.scratch.path + "/written"
        let handle = try await guest.freeze(disks: [testDisk("d-img")], deadlineSeconds: 120)
        #expect(handle.frozen == [image])
        #expect(try writerCouldStart(image) == .exited(1))
        let waiting = try Writer("flock --shared '\(image)' touch '\(marker)'")
        defer { waiting.stop() }

        try await handle.thaw()
        #expect(waiting.finished() == .exited(0))
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(try writerCouldStart(image) == .exited(0))
        #expect(!handle.expired)
    }

    /// Work put off with the guest's ThawGate (the cloud's group worker) waits while the
    /// guest is frozen and runs once it is thawed; with nothing frozen it runs at once.
    @Test func workHeldByTheThawGateRunsAfterTheThaw() async throws {
        let (root, image, _) = try imageGuest("imggate"); defer { root.remove() }
        let gate = ThawGate()
        var config = root.guest { $0.DiskId == "d-img" ? .image(image) : nil }.config
        config.thawGate = gate
        let guest = LinuxGuest(config: config)
        let ran = Ran()

        gate.whenThawed { ran.add("before") }
        #expect(ran.names == ["before"])

        let handle = try await guest.freeze(disks: [testDisk("d-img")], deadlineSeconds: 120)
        gate.whenThawed { ran.add("while frozen") }
        #expect(ran.names == ["before"])
        #expect(try writerCouldStart(image) == .exited(1))

        try await handle.thaw()
        #expect(ran.names == ["before", "while frozen"])
        gate.whenThawed { ran.add("after") }
        #expect(ran.names == ["before", "while frozen", "after"])
    }

    /// A freeze that fails holds nothing back.
    @Test func aFailedFreezeLeavesTheThawGateOpen() async throws {
        let root = try GuestRoot("imggatefail"); defer { root.remove() }
        let gate = ThawGate()
        var config = root.guest { _ in .image(root.scratch.path + "/absent/d-img.img") }.config
        config.thawGate = gate
        await #expect(throws: (any Error).self) {
            _ = try await LinuxGuest(config: config).freeze(disks: [testDisk("d-img")], deadlineSeconds: 5)
        }
        let ran = Ran()
        gate.whenThawed { ran.add("now") }
        #expect(ran.names == ["now"])
    }

    @Test func theLocksAreReleasedWhenTheDeadlinePasses() async throws {
        let (root, image, guest) = try imageGuest("imgdeadline"); defer { root.remove() }
        let handle = try await guest.freeze(disks: [testDisk("d-img")], deadlineSeconds: 1)
        #expect(eventually { handle.expired })
        #expect(try writerCouldStart(image) == .exited(0))
        try await handle.thaw()
    }

    @Test func appsnapsOwnWritersTakeTheSharedLock() async throws {
        let (root, image, guest) = try imageGuest("imgshared"); defer { root.remove() }
        // While an appsnap writer holds the shared lock, a freeze cannot complete.
        let outcome: Result<FreezeHandle, Error> = await withCheckedContinuation { done in
            Thread {
                let r = try? DiskImageLock.withSharedLock(imagePath: image) {
                    let semaphore = DispatchSemaphore(value: 0)
                    var result: Result<FreezeHandle, Error>!
                    Task {
                        do { result = .success(try await guest.freeze(disks: [testDisk("d-img")], deadlineSeconds: 0.5)) }
                        catch { result = .failure(error) }
                        semaphore.signal()
                    }
                    semaphore.wait()
                    return result!
                }
                done.resume(returning: r!)
            }.start()
        }
        guard case .failure(let error) = outcome else { Issue.record("froze over a writer"); return }
        #expect("\(error)".contains("did not stop before the deadline"))
    }
}

@Suite struct FreezeTargetTests {
    @Test func mountinfoLinesAreParsedWithEscapes() {
        let text = """
        36 35 7:3 / /mnt/with\\040space rw,relatime shared:1 - ext4 /dev/loop3 rw
        37 36 7:3 /sub /srv/view rw,relatime - ext4 /dev/loop3 rw
        40 1 0:22 / /proc rw - proc proc rw
        """
        let mounts = MountInfo.parse(text)
        #expect(mounts.map(\.mountPoint) == ["/mnt/with space", "/srv/view", "/proc"])
        #expect(mounts[1].root == "/sub")
        #expect(MountInfo.unescape(MountInfo.escape("/a b\\c\nd")) == "/a b\\c\nd")
    }

    private func mount(_ id: Int, _ majmin: (UInt32, UInt32), _ root: String, _ point: String) -> MountEntry {
        MountEntry(mountId: id, major: majmin.0, minor: majmin.1, root: root, mountPoint: point,
                   fileSystemType: "ext4", source: "none")
    }

    /// /dev/loop7 exists as a node (7:7) whether or not anything is attached to it.
    @Test func eachSuperblockOnTheDeviceOnceAndNothingElse() throws {
        let mounts = [mount(1, (7, 7), "/sub", "/srv/view"), mount(2, (7, 7), "/", "/mnt/data"),
                      mount(3, (8, 1), "/", "/mnt/other")]
        let targets = try FreezeTargets.resolve(devices: ["/dev/loop7"], mounts: mounts,
                                                deviceAt: { $0 == "/mnt/other" ? DeviceNumber(major: 8, minor: 1) : DeviceNumber(major: 7, minor: 7) })
        #expect(targets.map(\.mountPoint) == ["/mnt/data"])
    }

    /// Every path of the chosen file system is covered by another mount: freezing by path
    /// would freeze that other one, so nothing is frozen and the run is told why.
    @Test func aFileSystemHiddenUnderAnotherMountIsRefused() {
        let mounts = [mount(1, (7, 7), "/", "/mnt/data"), mount(2, (8, 1), "/", "/mnt/data")]
        #expect(throws: GuestError.self) {
            try FreezeTargets.resolve(devices: ["/dev/loop7"], mounts: mounts, deviceAt: { _ in DeviceNumber(major: 8, minor: 1) })
        }
    }

    @Test func theRootFileSystemIsRefused() {
        let mounts = [mount(1, (7, 7), "/", "/"), mount(2, (7, 7), "/", "/mnt/data")]
        #expect(throws: GuestError.self) { try FreezeTargets.resolve(devices: ["/dev/loop7"], mounts: mounts) }
    }

    @Test func aPathThatIsNotABlockDeviceIsRefused() {
        #expect(throws: GuestError.self) { try FreezeTargets.resolve(devices: ["/dev/null"], mounts: []) }
    }
}

/// What ran, in order, from whichever thread ran it.
private final class Ran: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ name: String) { lock.lock(); list.append(name); lock.unlock() }
    var names: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
