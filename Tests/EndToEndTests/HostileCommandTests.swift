import Foundation
import Glibc
import Testing

/// The command line under hostile or mistaken use: the exit code and the words a user
/// sees, and that nothing was created on the way.
@Suite struct HostileCommandTests {
    static let goodParams = #"-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-ExcludeDiskId=\"\",-Name=\"ByHand\",-Description=\"ByHand\""#

    func database(_ app: AppSnapBinary) -> String { app.state.appendingPathComponent("appsnap.sqlite").path }

    @Test func emptyParamsExitTwoNotUsage() throws {
        let app = try AppSnapBinary()
        let r = try app.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin", "--params="])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("Exit code 2") && r.stdout.contains("RamRoleName is required"))
        #expect(!FileManager.default.fileExists(atPath: database(app)), "no cloud was opened")
    }

    @Test func paramsTwiceIsRefused() throws {
        let app = try AppSnapBinary()
        let r = try app.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin",
                             "--params=" + Self.goodParams, "--params=-RamRoleName=\\\"Other\\\",-Name=\\\"Other\\\""])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("--params is given 2 times"))
        #expect(!FileManager.default.fileExists(atPath: database(app)))
    }

    @Test func byHandWithoutAnEnrolledHostExitsThreeAndSaysHowToEnroll() throws {
        let app = try AppSnapBinary()
        let r = try app.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin", "--params=" + Self.goodParams])
        #expect(r.status == 3, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("no host is enrolled") && r.stdout.contains("appsnap cloud host enroll"))
        #expect(!FileManager.default.fileExists(atPath: database(app)), "no cloud was made just to look for a host")

        try app.check(["cloud", "init"])
        let initialized = try app.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin", "--params=" + Self.goodParams])
        #expect(initialized.status == 3)
        #expect(initialized.stdout.contains("no host is enrolled"))
    }

    @Test func byHandOnTheEnrolledHostIsTheHostInstance() throws {
        guard getuid() == 0 else { print("skipped byHandOnTheEnrolledHostIsTheHostInstance: enrolling the host needs root"); return }
        let app = try AppSnapBinary()
        try app.check(["cloud", "init"])
        let out = try app.check(["cloud", "host", "enroll", "--os-name", "Ubuntu 22.04 64 bit"]).stdout
        let hostId = try #require(out.range(of: #"i-[0-9a-z]+"#, options: .regularExpression).map { String(out[$0]) })
        // The host has no data disk yet, so the run stops at the condition check (exit 1)
        // having freezed nothing: what matters is that it ran as the host instance.
        let r = try app.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin", "--params=" + Self.goodParams])
        #expect(r.status != 3, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("on instance \(hostId)"), "\(r.stdout)")
    }

    @Test func logsStripsTerminalControlsAndRawKeepsThem() throws {
        let app = try AppSnapBinary()
        try app.check(["cloud", "init", "--demo"])
        let app1 = try app.instanceId(named: "linux-app-1")
        let script = #"printf '\033[31mred\033[0m\n\033]0;owned\007title\n\033[2Jcleared\rX\n'"#
        let result = try app.runAndWait(app1, script)
        let invokeId = try #require(result["InvokeId"] as? String)
        for follow in [[], ["--follow"]] {
            let shown = try app.check(["logs", "--invoke-id", invokeId] + follow).stdout
            let lines = shown.split(separator: "\n").filter { !$0.hasPrefix("appsnap: warning:") }
            #expect(lines == ["red", "title", "clearedX"], "\(follow): \(shown.debugDescription)")
            #expect(!shown.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x0D })
        }
        let raw = try app.check(["logs", "--invoke-id", invokeId, "--raw"]).stdout
        #expect(raw.contains("\u{1B}[31mred\u{1B}[0m\n\u{1B}]0;owned\u{07}title\n\u{1B}[2Jcleared\rX\n"), "\(raw.debugDescription)")
    }

    @Test func ambiguousFlatListsAndSignedNumbersAreRefusedByTheCommandLine() throws {
        let app = try AppSnapBinary()
        try app.check(["cloud", "init", "--demo"])
        let app1 = try app.instanceId(named: "linux-app-1"), db1 = try app.instanceId(named: "linux-db-1")
        let run = try app.ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunShellScript", "CommandContent": "touch /tmp/ran",
                                             "InstanceId.1": app1, "InstanceId.01": db1])
        #expect(run.status == 1)
        #expect(run.errorJSON["Code"] as? String == "InvalidParameter")
        #expect((run.errorJSON["Message"] as? String ?? "").contains("InstanceId.01"))
        let invocations = try app.ecs("DescribeInvocations", ["RegionId": "cn-hangzhou"])
        #expect(invocations.json["TotalCount"] as? Int == 0, "no invocation was made: \(invocations.stdout)")

        let disksBefore = try app.ecs("DescribeDisks", ["RegionId": "cn-hangzhou"]).json["TotalCount"] as? Int
        let size = try app.ecs("CreateDisk", ["RegionId": "cn-hangzhou", "Size": "+5"])
        #expect(size.status == 1)
        #expect(size.errorJSON["Code"] as? String == "InvalidParameter")
        #expect(!size.stderr.contains(app.state.path))
        let zone = try app.ecs("CreateDisk", ["RegionId": "cn-hangzhou", "Size": "5", "ZoneId": "cn-hangzhou-zz"])
        #expect(zone.errorJSON["Code"] as? String == "InvalidZoneId.NotFound")
        #expect(try app.ecs("DescribeDisks", ["RegionId": "cn-hangzhou"]).json["TotalCount"] as? Int == disksBefore)
    }

    @Test func aMissingMkfsXfsIsNamedWithItsPackageAndChangesNothing() throws {
        guard getuid() == 0 else { print("skipped aMissingMkfsXfsIsNamedWithItsPackageAndChangesNothing: --pool-image needs root"); return }
        let installed = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]
            .contains { access($0 + "/mkfs.xfs", X_OK) == 0 }
        guard !installed else { print("skipped aMissingMkfsXfsIsNamedWithItsPackageAndChangesNothing: mkfs.xfs is installed here"); return }
        let app = try AppSnapBinary()
        let r = try app.run(["cloud", "init", "--pool-image", "300M"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("mkfs.xfs is not installed: install xfsprogs"), "\(r.stderr)")
        #expect(!r.stderr.contains("cannot start"))
        #expect(!FileManager.default.fileExists(atPath: database(app)), "nothing was created")
        #expect(!FileManager.default.fileExists(atPath: app.state.appendingPathComponent("pool.img").path))
    }
}
