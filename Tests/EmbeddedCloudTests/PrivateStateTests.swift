import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud
#if canImport(Glibc)
import Glibc
#endif

/// What appsnap creates holds command contents and outputs: it is the operator's alone.
@Suite struct PrivateStateTests {
    func mode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
    }

    @Test func aStateFolderAppsnapMakesIs0700AndItsDatabase0600() throws {
        let parent = try TempState()
        let fresh = parent.url.appendingPathComponent("made-by-appsnap", isDirectory: true)
        let spawns = RecordingSpawner()
        let cloud = try EmbeddedCloud(stateDirectory: fresh, executablePath: "/usr/bin/false", spawner: spawns.spawner)
        #expect(mode(fresh.path) == 0o700)
        for suffix in ["", "-wal", "-shm"] {
            let path = cloud.layout.database.path + suffix
            #expect(mode(path) == 0o600, "\(path) is \(String(mode(path) ?? 0, radix: 8))")
        }
    }

    @Test func aFolderTheOperatorMadeKeepsItsMode() throws {
        let parent = try TempState()
        let own = parent.url.appendingPathComponent("mine", isDirectory: true)
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: false)
        #expect(chmod(own.path, 0o750) == 0)
        _ = try EmbeddedCloud(stateDirectory: own, executablePath: "/usr/bin/false", spawner: RecordingSpawner().spawner)
        #expect(mode(own.path) == 0o750)
    }

    @Test func aCommandsOutputFileIs0600() async throws {
        let t = try TestCloud(realBinary: true)
        let app = try await t.instance("linux-app-1")
        let id = try await t.cloud.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "echo secret",
                                                    instanceIds: [app.InstanceId]))
        try await t.cloud.runInvocation(id)
        let out = t.cloud.layout.outputFile(invokeId: id, instanceId: app.InstanceId).path
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("secret"))
        #expect(mode(out) == 0o600)
    }
}
