import AppSnapCore
import Foundation
import Glibc
import Testing
@testable import LinuxHost

/// SPEC §7 on real file systems: ext4 on loop devices of this test's own images.
/// Writers that may block run in processes of their own; the test thaws.
@Suite(.serialized) struct FreezeTests {
    private func guest(_ root: GuestRoot, _ disks: [String: LoopFileSystem]) -> LinuxGuest {
        let devices = disks.mapValues(\.device)
        return root.guest { disk in devices[disk.DiskId].map { .blockDevice($0) } }
    }

    /// The freeze journals in the guest's run directory.
    private func journals(_ root: GuestRoot) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.run)) ?? [])
            .filter { $0.hasSuffix(FreezeJournal.suffix) }.map { root.run + "/" + $0 }
    }

    private func journal(_ root: GuestRoot) -> String { root.run + "/i-hosttest-orphan" + FreezeJournal.suffix }

    private func freezerIsAvailable() -> Bool {
        if FileManager.default.isExecutableFile(atPath: appsnapBinary()) { return true }
        Issue.record("the appsnap binary (for `appsnap _freezer`) was not found next to the tests; build it or set APPSNAP_BIN")
        return false
    }

    @Test func aWriterBlocksWhileFrozenAndFinishesAfterThaw() async throws {
        guard requireRoot("freezing a loop file system"), freezerIsAvailable() else { return }
        let root = try GuestRoot("freeze"); defer { root.remove() }
        let fs = try LoopFileSystem("a"); defer { fs.destroy() }

        let handle = try await guest(root, ["d-a": fs]).freeze(disks: [testDisk("d-a")], deadlineSeconds: 120)
        let h = handle as! LinuxFreezeHandle
        defer { if let pid = h.freezerPID { kill(pid, SIGKILL) } }
        #expect(handle.frozen == [fs.mountPoint])
        let recorded = journals(root)
        #expect(recorded.count == 1)
        #expect(FreezeJournal.mountPoints(in: (try? String(contentsOfFile: recorded.first ?? "", encoding: .utf8)) ?? "") == [fs.mountPoint])

        let writer = try fs.startWriter("echo written > '\(fs.mountPoint)/file'")
        #expect(writer.isBlockedInKernel())
        #expect(writer.finished(within: 0) == nil)

        try await handle.thaw()
        #expect(writer.finished() == .exited(0))
        #expect((try? String(contentsOfFile: fs.mountPoint + "/file", encoding: .utf8)) == "written\n")
        #expect(!handle.expired)
        #expect(journals(root).isEmpty)
    }

    @Test func aWriterToAnotherFileSystemNeverBlocks() async throws {
        guard requireRoot("freezing a loop file system"), freezerIsAvailable() else { return }
        let root = try GuestRoot("other"); defer { root.remove() }
        let frozen = try LoopFileSystem("frozen"); defer { frozen.destroy() }
        let other = try LoopFileSystem("other"); defer { other.destroy() }

        let handle = try await guest(root, ["d-a": frozen, "d-b": other]).freeze(disks: [testDisk("d-a")], deadlineSeconds: 120)
        defer { if let pid = (handle as! LinuxFreezeHandle).freezerPID { kill(pid, SIGKILL) } }
        #expect(handle.frozen == [frozen.mountPoint])
        let blocked = try frozen.startWriter("echo x > '\(frozen.mountPoint)/file'")
        #expect(blocked.isBlockedInKernel())

        let free = try other.startWriter("dd if=/dev/zero of='\(other.mountPoint)/file' bs=64k count=16 conv=fsync 2>/dev/null")
        #expect(free.finished() == .exited(0))
        #expect(blocked.finished(within: 0) == nil)  // the frozen one is still frozen meanwhile

        try await handle.thaw()
        #expect(blocked.finished() == .exited(0))
    }

    @Test func killingTheFreezerMakesTheParentThawAtOnceAndReportIt() async throws {
        guard requireRoot("freezing a loop file system"), freezerIsAvailable() else { return }
        let root = try GuestRoot("killed"); defer { root.remove() }
        let fs = try LoopFileSystem("killed"); defer { fs.destroy() }

        let handle = try await guest(root, ["d-a": fs]).freeze(disks: [testDisk("d-a")], deadlineSeconds: 120)
        let h = handle as! LinuxFreezeHandle
        let writer = try fs.startWriter("echo x > '\(fs.mountPoint)/file'")
        #expect(writer.isBlockedInKernel())

        guard let pid = h.freezerPID else { Issue.record("no freezer process"); return }
        #expect(kill(pid, SIGKILL) == 0)
        // Nobody called thaw(): the parent noticed the child's death and thawed.
        #expect(writer.finished() == .exited(0))
        #expect(eventually { handle.expired })
        #expect(h.endReason?.contains("killed by signal 9") == true)
        try await handle.thaw()  // everything was thawed by the parent: nothing left to fail
        #expect(handle.expired)
        #expect(journals(root).isEmpty)
    }

    @Test func theDeadlinePassingThawsOnItsOwn() async throws {
        guard requireRoot("freezing a loop file system"), freezerIsAvailable() else { return }
        let root = try GuestRoot("deadline"); defer { root.remove() }
        let fs = try LoopFileSystem("deadline"); defer { fs.destroy() }

        let handle = try await guest(root, ["d-a": fs]).freeze(disks: [testDisk("d-a")], deadlineSeconds: 2)
        defer { if let pid = (handle as! LinuxFreezeHandle).freezerPID { kill(pid, SIGKILL) } }
        let writer = try fs.startWriter("echo x > '\(fs.mountPoint)/file'")
        #expect(writer.finished() == .exited(0))
        #expect(eventually { handle.expired })
        #expect((handle as! LinuxFreezeHandle).endReason?.contains("deadline") == true)
        try await handle.thaw()
        #expect(journals(root).isEmpty)
    }

    @Test func bindMountsAreFrozenOnce() async throws {
        guard requireRoot("freezing a loop file system"), freezerIsAvailable() else { return }
        let root = try GuestRoot("bind"); defer { root.remove() }
        let fs = try LoopFileSystem("bind"); defer { fs.destroy() }
        let view = try fs.bind("data")

        let handle = try await guest(root, ["d-a": fs]).freeze(disks: [testDisk("d-a")], deadlineSeconds: 120)
        defer { if let pid = (handle as! LinuxFreezeHandle).freezerPID { kill(pid, SIGKILL) } }
        #expect(handle.frozen == [fs.mountPoint])
        let writer = try fs.startWriter("echo x > '\(view)/file'")
        #expect(writer.isBlockedInKernel())
        try await handle.thaw()
        #expect(writer.finished() == .exited(0))
    }

    @Test func thawAllUndoesAFreezeLeftByAKilledFreezer() throws {
        guard requireRoot("freezing a loop file system"), freezerIsAvailable() else { return }
        let root = try GuestRoot("journal"); defer { root.remove() }
        let fs = try LoopFileSystem("journal"); defer { fs.destroy() }

        // A freezer whose parent is this test, which never thaws: as after a crash.
        let child = try OrphanFreezer(journal: journal(root), mountPoint: fs.mountPoint)
        defer { child.stop() }
        #expect(child.firstLine() == "frozen")
        child.stop()  // SIGKILL: nothing thaws
        let writer = try fs.startWriter("echo x > '\(fs.mountPoint)/file'")
        #expect(writer.isBlockedInKernel())

        #expect(FreezeJournal.thawAll(runDirectory: root.run) == [fs.mountPoint])
        #expect(writer.finished() == .exited(0))
        #expect(journals(root).isEmpty)
        #expect(FreezeJournal.thawAll(runDirectory: root.run).isEmpty)
    }

    @Test func theFreezerThawsWhenItsParentGoesAway() throws {
        guard requireRoot("freezing a loop file system"), freezerIsAvailable() else { return }
        let root = try GuestRoot("orphan"); defer { root.remove() }
        let fs = try LoopFileSystem("orphan"); defer { fs.destroy() }

        let child = try OrphanFreezer(journal: journal(root), mountPoint: fs.mountPoint)
        defer { child.stop() }
        #expect(child.firstLine() == "frozen")
        let writer = try fs.startWriter("echo x > '\(fs.mountPoint)/file'")
        #expect(writer.isBlockedInKernel())
        child.closeInput()  // what the kernel does to its stdin when the parent dies
        #expect(child.firstLine() == "thawed parent-gone")
        #expect(writer.finished() == .exited(0))
        #expect(journals(root).isEmpty)
    }

    @Test func aFreezeThatCannotCompleteThrowsAndLeavesNothingFrozen() async throws {
        guard requireRoot("freezing a loop file system"), freezerIsAvailable() else { return }
        let root = try GuestRoot("partial"); defer { root.remove() }
        let first = try LoopFileSystem("partial1"); defer { first.destroy() }
        let second = try LoopFileSystem("partial2"); defer { second.destroy() }
        // Someone else already holds a freeze of the second file system.
        #expect(FileSystemFreeze.freeze(mountPoint: second.mountPoint) == nil)

        await #expect(throws: GuestError.self) {
            _ = try await guest(root, ["d-a": first, "d-b": second])
                .freeze(disks: [testDisk("d-a"), testDisk("d-b")], deadlineSeconds: 60)
        }
        // The first one, frozen before the failure, was thawed again.
        let writer = try first.startWriter("echo x > '\(first.mountPoint)/file'")
        #expect(writer.finished() == .exited(0))
        #expect(journals(root).isEmpty)
        #expect(FileSystemFreeze.thaw(mountPoint: second.mountPoint) == .thawed)  // still the other holder's
    }

    @Test func aDiskThatIsNotAttachedCannotBeFrozen() async throws {
        let root = try GuestRoot("absent"); defer { root.remove() }
        await #expect(throws: GuestError.self) {
            _ = try await root.guest().freeze(disks: [testDisk("d-absent")], deadlineSeconds: 5)
        }
    }
}

/// `appsnap _freezer` started directly, holding its stdin open so it never sees EOF.
final class OrphanFreezer {
    let pid: pid_t
    private var input: Int32
    private let output: Int32
    private var stopped = false

    init(journal: String, mountPoint: String) throws {
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1]
        _ = GNU.pipe2(&inPipe, O_CLOEXEC); _ = GNU.pipe2(&outPipe, O_CLOEXEC)
        let bin = appsnapBinary()
        var request = SpawnRequest(bin, [bin, "_freezer", "--deadline-ms", "120000", "--journal", journal, mountPoint])
        request.fileActions = [.dup2(inPipe[0], to: 0), .dup2(outPipe[1], to: 1)]
        pid = try request.spawn()
        close(inPipe[0]); close(outPipe[1])
        input = inPipe[1]; output = outPipe[0]
    }

    func firstLine(within seconds: Int32 = 30) -> String? {
        var pfd = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, seconds * 1000) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = read(output, &buffer, 256)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\n").first.map(String.init)
    }

    func closeInput() {
        close(input)
        input = -1
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGKILL)
        _ = waitForChild(pid)
        if input >= 0 { close(input) }
        close(output)
    }
}
