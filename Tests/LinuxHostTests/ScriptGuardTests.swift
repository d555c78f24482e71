import AppSnapCore
import Foundation
import Glibc
import Testing
@testable import LinuxHost

/// SPEC §6: every rule, with the reason token a user finds in `appsnap:consistency-reason`.
@Suite struct ScriptGuardTests {
    private func reason(_ check: ScriptCheck) -> String? {
        if case .rejected(let reason, _) = check { return reason }
        return nil
    }

    private let marker = "echo ran > /tmp/appsnap-hosttest-should-not-exist-$$\n"

    @Test func validScriptIsAcceptedAndHeldOpen() throws {
        let r = try GuestRoot("valid"); defer { r.remove() }
        try r.writeScript("#!/bin/sh\necho hi\n")
        var st = stat()
        stat(r.root + "/tmp/prescript.sh", &st)
        let guest = r.guest()
        let check = guest.openScript(path: "/tmp/prescript.sh")
        guard case .ok(let script) = check else { Issue.record("rejected: \(check)"); return }
        #expect(script.path == "/tmp/prescript.sh")
        // The descriptor is the checked file itself, open as long as the guest lives.
        var held = stat()
        #expect(fstat(script.descriptor, &held) == 0)
        #expect(held.st_ino == st.st_ino && held.st_dev == st.st_dev)
    }

    @Test(arguments: ["/tmp/other.sh", "/tmp/../tmp/prescript.sh", "tmp/prescript.sh", "/var/tmp/prescript.sh", "/tmp/prescript.sh/"])
    func onlyTheTwoPathsAreAllowed(path: String) throws {
        let r = try GuestRoot("path"); defer { r.remove() }
        try r.writeScript(marker)
        #expect(reason(r.guest().openScript(path: path)) == "script-path-not-allowed")
    }

    @Test func missingScript() throws {
        let r = try GuestRoot("missing"); defer { r.remove() }
        #expect(reason(r.guest().openScript(path: "/tmp/postscript.sh")) == "script-missing")
    }

    @Test(arguments: [(mode_t(0o755), "script-mode-0755"), (0o750, "script-mode-0750"), (0o600, "script-mode-0600"),
                      (0o4700, "script-mode-4700")])
    func modeMustBeExactly0700(mode: mode_t, expected: String) throws {
        let r = try GuestRoot("mode"); defer { r.remove() }
        try r.writeScript(marker, mode: mode)
        let check = r.guest().openScript(path: "/tmp/prescript.sh")
        #expect(reason(check) == expected)
        if case .rejected(_, let detail) = check { #expect(detail.contains("must be exactly 0700")) }
    }

    @Test func symlinkToAValidRootOwnedScriptIsRejected() throws {
        let r = try GuestRoot("symlink"); defer { r.remove() }
        let real = try r.writeScript(marker, name: "real.sh")
        try FileManager.default.createSymbolicLink(atPath: r.root + "/tmp/prescript.sh", withDestinationPath: real)
        #expect(reason(r.guest().openScript(path: "/tmp/prescript.sh")) == "script-symlink")
    }

    @Test func symlinkedTmpDirectoryInsideTheRootCannotEscape() throws {
        let r = try GuestRoot("tmplink"); defer { r.remove() }
        // A valid-looking script outside the instance root, reached through root/tmp → elsewhere.
        let elsewhere = try r.scratch.sub("elsewhere")
        try marker.write(toFile: elsewhere + "/prescript.sh", atomically: false, encoding: .utf8)
        chmod(elsewhere + "/prescript.sh", 0o700)
        try FileManager.default.removeItem(atPath: r.root + "/tmp")
        try FileManager.default.createSymbolicLink(atPath: r.root + "/tmp", withDestinationPath: elsewhere)
        #expect(reason(r.guest().openScript(path: "/tmp/prescript.sh")) == "script-symlink")
    }

    @Test func directoryIsNotARegularFile() throws {
        let r = try GuestRoot("dir"); defer { r.remove() }
        try FileManager.default.createDirectory(atPath: r.root + "/tmp/prescript.sh", withIntermediateDirectories: false)
        chmod(r.root + "/tmp/prescript.sh", 0o700)
        #expect(reason(r.guest().openScript(path: "/tmp/prescript.sh")) == "script-not-regular-file")
    }

    @Test func fifoIsRejectedWithoutBlocking() throws {
        let r = try GuestRoot("fifo"); defer { r.remove() }
        #expect(mkfifo(r.root + "/tmp/prescript.sh", 0o700) == 0)
        // No writer ever opens this FIFO: a blocking open would hang here.
        let check = r.guest().openScript(path: "/tmp/prescript.sh")
        #expect(reason(check) == "script-not-regular-file")
        if case .rejected(_, let detail) = check { #expect(detail.contains("FIFO")) }
    }

    @Test func scriptOwnedBySomeoneElseIsRejected() throws {
        guard requireRoot("chown to uid 1000") else { return }
        let r = try GuestRoot("owner"); defer { r.remove() }
        let path = try r.writeScript(marker)
        #expect(chown(path, 1000, 1000) == 0)
        #expect(reason(r.guest(ownerUid: 0).openScript(path: "/tmp/prescript.sh")) == "script-owner-uid-1000")
    }

    @Test func emulatedInstanceScriptsBelongToTheRootDirectoryOwner() throws {
        guard requireRoot("chown of an emulated instance root") else { return }
        let r = try GuestRoot("emulated"); defer { r.remove() }
        #expect(chown(r.root, 4242, 4242) == 0)
        let config = try LinuxGuestConfig.emulated(instanceId: "i-hosttest", regionId: "cn-hangzhou", rootPath: r.root,
                                                   runDirectory: r.run, diskLocator: { _ in nil })
        #expect(config.scriptOwnerUid == 4242)
        let guest = LinuxGuest(config: config)
        let pre = try r.writeScript("#!/bin/sh\n", name: "prescript.sh")
        #expect(chown(pre, 4242, 4242) == 0)
        try r.writeScript(marker, name: "postscript.sh")  // owned by root, not by the instance owner
        guard case .ok = guest.openScript(path: "/tmp/prescript.sh") else { Issue.record("owner's script rejected"); return }
        #expect(reason(guest.openScript(path: "/tmp/postscript.sh")) == "script-owner-uid-0")
    }
}
