import AppSnapCore
import Foundation
import Glibc
import Testing
@testable import LinuxHost

@Suite struct ScriptRunnerTests {
    private func checked(_ guest: LinuxGuest, _ path: String = "/tmp/prescript.sh") throws -> CheckedScript {
        let check = guest.openScript(path: path)
        guard case .ok(let script) = check else { throw GuestError("script rejected: \(check)") }
        return script
    }

    @Test func outputLinesArriveInOrderAndTheExitCodeIsReported() async throws {
        let r = try GuestRoot("run"); defer { r.remove() }
        try r.writeScript("#!/bin/sh\necho first\necho second >&2\nprintf 'no newline'\nexit 3\n")
        let guest = r.guest()
        let lines = Lines()
        let result = await guest.runScript(try checked(guest), timeoutSeconds: 30, output: lines.add)
        #expect(result == .exited(3))
        #expect(lines.all == ["first", "second", "no newline"])
    }

    @Test func aScriptWithoutShebangRunsUnderShInTheInstanceRoot() async throws {
        let r = try GuestRoot("nosheb"); defer { r.remove() }
        try r.writeScript("pwd\necho \"$0\"\n", name: "postscript.sh")
        let guest = r.guest()
        let lines = Lines()
        let result = await guest.runScript(try checked(guest, "/tmp/postscript.sh"), timeoutSeconds: 30, output: lines.add)
        #expect(result == .exited(0))
        #expect(lines.all.first == FreezeTargets.realPath(r.root))
        #expect(lines.all.last == "/proc/self/fd/3")
    }

    @Test func theCheckedFileRunsEvenAfterAnotherIsRenamedOverItsPath() async throws {
        let r = try GuestRoot("swap"); defer { r.remove() }
        let swappedMarker = r.scratch.path + "/swapped-in-ran"
        try r.writeScript("#!/bin/sh\necho checked content\n")
        let guest = r.guest()
        let script = try checked(guest)
        // Replace the file at the path after the check: a new inode, still 0700 and ours.
        let intruder = try r.writeScript("#!/bin/sh\necho swapped content\ntouch \(swappedMarker)\n", name: "intruder.sh")
        #expect(rename(intruder, r.root + "/tmp/prescript.sh") == 0)

        let lines = Lines()
        let result = await guest.runScript(script, timeoutSeconds: 30, output: lines.add)
        #expect(result == .exited(0))
        #expect(lines.all == ["checked content"])
        #expect(!FileManager.default.fileExists(atPath: swappedMarker))
    }

    @Test func aScriptReplacedOrEditedAfterItsCheckIsReported() throws {
        let r = try GuestRoot("changed"); defer { r.remove() }
        try r.writeScript("#!/bin/sh\necho checked\n")
        try r.writeScript("#!/bin/sh\necho checked\n", name: "postscript.sh")
        let guest = r.guest()
        let pre = try checked(guest)
        let post = try checked(guest, "/tmp/postscript.sh")
        #expect(guest.scriptChanged(pre) == nil, "nothing changed yet")
        #expect(guest.scriptChanged(post) == nil)

        let intruder = try r.writeScript("#!/bin/sh\necho intruder\n", name: "intruder.sh")
        #expect(rename(intruder, r.root + "/tmp/prescript.sh") == 0)
        let replaced = try #require(guest.scriptChanged(pre))
        #expect(replaced.contains("/tmp/prescript.sh"))

        // An edit in place keeps the inode but not the content.
        let fd = open(r.root + "/tmp/postscript.sh", O_WRONLY | O_APPEND)
        #expect(fd >= 0)
        _ = "echo appended\n".withCString { write(fd, $0, 14) }
        close(fd)
        let edited = try #require(guest.scriptChanged(post))
        #expect(edited.contains("modified"))
    }

    @Test func onlyADescriptorThisGuestCheckedCanRun() async throws {
        let r = try GuestRoot("forged"); defer { r.remove() }
        let marker = r.scratch.path + "/forged-ran"
        let path = try r.writeScript("#!/bin/sh\ntouch \(marker)\n", name: "prescript.sh", mode: 0o755)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        let forged = CheckedScript(path: "/tmp/prescript.sh", descriptor: fd)
        let result = await r.guest().runScript(forged, timeoutSeconds: 30, output: { _ in })
        guard case .failedToStart = result else { Issue.record("a forged script ran: \(result)"); return }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func aTimeoutKillsTheWholeProcessGroup() async throws {
        let r = try GuestRoot("timeout"); defer { r.remove() }
        try r.writeScript("#!/bin/sh\nsleep 300 &\necho grandchild $!\nsleep 300\necho never\n")
        let guest = r.guest()
        let lines = Lines()
        let result = await guest.runScript(try checked(guest), timeoutSeconds: 1, output: lines.add)
        #expect(result == .timedOut)
        #expect(!lines.all.contains("never"))
        let grandchild = lines.all.first { $0.hasPrefix("grandchild ") }.flatMap { pid_t($0.dropFirst(11)) }
        guard let grandchild else { Issue.record("no grandchild pid in \(lines.all)"); return }
        // Gone, or a zombie waiting for a reaper: either way it no longer runs.
        #expect(eventually { let s = processState(grandchild); return s == nil || s == "Z" })
    }

    @Test func theRunLockIsExclusiveUntilReleased() throws {
        let r = try GuestRoot("lock"); defer { r.remove() }
        let guest = r.guest()
        let first = try guest.acquireRunLock()
        #expect(first != nil)
        #expect(try guest.acquireRunLock() == nil)
        first?.release()
        let again = try guest.acquireRunLock()
        #expect(again != nil)
        again?.release()
    }
}
