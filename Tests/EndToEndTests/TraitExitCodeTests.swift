import Foundation
import Testing

/// Every trait of the demo inventory (SPEC §12) gives its exit code through RunCommand.
@Suite(.serialized) struct TraitExitCodeTests {
    func exitCode(_ app: AppSnapBinary, _ name: String, _ command: String = linuxCommand(scripts: false),
                  type: String = "RunShellScript") throws -> (Int?, String) {
        let r = try app.runAndWait(try app.instanceId(named: name), command, type: type)
        return (r["ExitCode"] as? Int, r["Output"] as? String ?? "")
    }

    @Test func roleTraitsGive13() throws {
        let app = try AppSnapBinary()
        for name in ["linux-norole-1", "linux-weakrole-1"] {
            let (code, out) = try exitCode(app, name)
            #expect(code == 13, "\(name): \(out)")
        }
        // With the role that is attached, the policy itself is what falls short.
        let id = try app.instanceId(named: "linux-weakrole-1")
        let roles = try app.ecs("DescribeInstanceRamRole", ["RegionId": "cn-hangzhou", "InstanceIds": "[\"\(id)\"]"])
        let role = try #require(((roles.json["InstanceRamRoleSets"] as? [String: Any])?["InstanceRamRoleSet"] as? [[String: Any]])?
            .first?["RamRoleName"] as? String)
        let command = linuxCommand(scripts: false).replacingOccurrences(of: "AppSnapshotRoleName", with: role)
        let (code, weak) = try exitCode(app, "linux-weakrole-1", command)
        #expect(code == 13)
        #expect(weak.contains("TagResources"), "the log names the missing permission: \(weak)")
    }

    @Test func conditionTraitsGive1() throws {
        let app = try AppSnapBinary()
        for name in ["linux-old-1", "linux-shared-1"] {
            let (code, out) = try exitCode(app, name)
            #expect(code == 1, "\(name): \(out)")
        }
        let (code, out) = try exitCode(app, "win-old-1", windowsCommand(writers: true), type: "RunPowerShellScript")
        #expect(code == 1, "win-old-1: \(out)")
    }

    @Test func dbGives1UntilItsCloudSSDIsExcluded() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-db-1")
        let (code, out) = try exitCode(app, "linux-db-1")
        #expect(code == 1)
        let ssd = try #require(try app.disks(of: id).first { $0["Category"] as? String == "cloud_ssd" }?["DiskId"] as? String)
        #expect(out.contains(ssd), "the log names the offending disk: \(out)")
        let (code2, out2) = try exitCode(app, "linux-db-1", linuxCommand(scripts: false, exclude: [ssd]))
        #expect(code2 == 0, "\(out2)")
    }

    @Test func stoppedAndNoAssistantFailBeforeThePluginRuns() throws {
        let app = try AppSnapBinary()
        let stopped = try app.runAndWait(try app.instanceId(named: "linux-stopped-1"), linuxCommand())
        #expect(stopped["ErrorCode"] as? String == "InstanceNotRunning")
        #expect(stopped["InvocationStatus"] as? String == "Failed")
        let noassist = try app.runAndWait(try app.instanceId(named: "linux-noassist-1"), linuxCommand())
        #expect(noassist["ErrorCode"] as? String == "ClientNotRunning")
    }

    @Test func badParamsGive2AndCreateNothing() throws {
        let app = try AppSnapBinary()
        let id = try app.instanceId(named: "linux-app-1")
        let bad = linuxCommand().replacingOccurrences(of: "-TimeoutInSeconds=30", with: "-TimeoutInSeconds=soon")
        let r = try app.runAndWait(id, bad)
        #expect(r["ExitCode"] as? Int == 2)
        #expect((r["Output"] as? String ?? "").contains("TimeoutInSeconds"))
        let groups = try app.ecs("DescribeSnapshotGroups", ["RegionId": "cn-hangzhou", "InstanceId": id])
        #expect(((groups.json["SnapshotGroups"] as? [String: Any])?["SnapshotGroup"] as? [Any])?.isEmpty == true)
    }
}
