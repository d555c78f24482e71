import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud
#if canImport(Glibc)
import Glibc
#endif

@Suite struct HelperProcessTests {
    @Test func detachedHelpersGetTheirOwnSessionAndNoTerminal() async throws {
        let state = try TempState()
        let report = state.url.appendingPathComponent("report")
        let pid = try DetachedSpawner.posixSpawn.spawn(
            ["/bin/sh", "-c", "{ cut -d' ' -f6 /proc/self/stat; readlink /proc/self/fd/0; readlink /proc/self/fd/2; } > \(report.path).tmp; mv \(report.path).tmp \(report.path)"])
        var text: String?
        for _ in 0..<400 {
            if let t = try? String(contentsOf: report, encoding: .utf8) { text = t; break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let lines = try #require(text, "the helper should have written its report").split(separator: "\n").map(String.init)
        // `cut` runs in the helper's session, whose id is the helper's pid (setsid).
        #expect(lines.first == String(pid))
        #expect(lines.dropFirst().allSatisfy { $0 == "/dev/null" })
    }

    @Test func windowsFreezeHoldsTheImagesUntilThawOrDeadline() async throws {
        let t = try TestCloud()
        let win = try await t.instance("win-sql-1")
        let disks = try await t.disks(of: "win-sql-1")
        let guest = try t.cloud.guest(for: win.InstanceId)
        #expect(guest.isRoot)
        guard case .rejected = guest.openScript(path: "/tmp/prescript.sh") else { Issue.record("Windows takes no scripts"); return }

        func sharedLockFree(_ d: Disk) -> Bool {
            let fd = open(t.image(d.DiskId).path, O_RDONLY)
            defer { close(fd) }
            return flock(fd, LOCK_SH | LOCK_NB) == 0
        }
        let handle = try await guest.freeze(disks: disks, deadlineSeconds: 30)
        #expect(handle.frozen.count == disks.count)
        #expect(disks.allSatisfy { !sharedLockFree($0) }, "writers wait while frozen")
        try await handle.thaw()
        #expect(!handle.expired)
        #expect(disks.allSatisfy { sharedLockFree($0) })

        let short = try await guest.freeze(disks: disks, deadlineSeconds: 0.2)
        for _ in 0..<200 where !short.expired { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(short.expired)
        #expect(disks.allSatisfy { sharedLockFree($0) }, "the deadline thaws on its own")
        try await short.thaw()
    }

    @Test func oneRunAtATimeOnAnInstance() async throws {
        let t = try TestCloud()
        let win = try await t.instance("win-sql-1")
        let guest = try t.cloud.guest(for: win.InstanceId)
        let first = try #require(try guest.acquireRunLock())
        #expect(try guest.acquireRunLock() == nil)
        first.release()
        let again = try #require(try guest.acquireRunLock())
        again.release()
    }
}
