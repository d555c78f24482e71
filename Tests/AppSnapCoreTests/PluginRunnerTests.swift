import Foundation
import Testing
@testable import AppSnapCore

@Suite struct PluginRunnerTests {
    static let seedLinux = #"-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-TimeoutInSeconds=30,-PreScriptPath=\"/tmp/prescript.sh\",-PostScriptPath=\"/tmp/postscript.sh\",-ExcludeDiskId=\"\",-Name=\"LinuxApp1\",-Description=\"LinuxApp\""#
    static let seedWindows = #"-RamRoleName=\"AppSnapshotRoleName\",-EnableWriters=true,-ExcludeDiskId=\"\",-Name=\"APPSnapshot-1\",-Description=\"AppSnapshot\""#

    @Test func theSeedLinuxLineMakesAnAppConsistentGroup() async throws {
        let env = TestEnv()
        let out = await env.exec(plugin: "app-snapshot-plugin", params: Self.seedLinux)
        #expect(out.exitCode == .success && out.consistency == .application)
        let g = try #require(env.cloud.groups.first)
        #expect(g.SnapshotGroupId == out.groupId && g.Name == "LinuxApp1")
    }

    @Test func theSeedWindowsLineMakesAnAppConsistentGroup() async throws {
        let env = TestEnv(windows: true)
        let out = await env.exec(plugin: "app-snapshot-plugin-win", params: Self.seedWindows)
        #expect(out.exitCode == .success && out.consistency == .application)
        #expect(env.cloud.groups.first?.Name == "APPSnapshot-1")
    }

    @Test(arguments: [
        ("app-snapshot-plugin", #"-RamRoleName=\"R\",-TimeoutInSeconds=abc,-Name=\"LinuxApp1\""#, "TimeoutInSeconds"),
        ("app-snapshot-plugin", #"-RamRoleName=\"R\",-EnableWriters=true,-Name=\"LinuxApp1\""#, "EnableWriters"),
        ("app-snapshot-plugin-win", #"-RamRoleName=\"R\",-Name=\"APPSnapshot-1"#, "Name"),
        ("app-snapshot-plugin", #"-Name=\"LinuxApp1\""#, "RamRoleName"),
    ])
    func badParamsTouchNothing(plugin: String, params: String, key: String) async throws {
        let env = TestEnv(windows: plugin.hasSuffix("-win"))
        let out = await env.exec(plugin: plugin, params: params)
        #expect(out.exitCode == .badParams)
        #expect(out.groupId == nil)
        #expect(env.events.all.isEmpty, "touched: \(env.events.all)")
        #expect(env.guest.locksTaken == 0)
        let line = try #require(env.errorLines.last)
        #expect(line.hasPrefix("Exit code 2, ") && line.contains("invalid --params: ") && line.contains(key))
        #expect(env.errorLines.count == 1)
    }

    @Test func anUnknownPluginIsRefusedWithExit2() async throws {
        let env = TestEnv()
        let out = await env.exec(plugin: "snapshot-plugin", params: Self.seedLinux)
        #expect(out.exitCode == .badParams)
        #expect(env.events.all.isEmpty)
        #expect(env.logged("unknown plugin \"snapshot-plugin\""))
    }
}
