import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SendFileTests {
    func result(_ t: TestCloud, _ id: String) async throws -> InvocationResult {
        try #require(try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .plainText).first)
    }

    @Test func writesWithModeAndOwnerAndRefusesToOverwrite() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let root = t.cloud.layout.instanceRoot(app.InstanceId)
        var rootStat = stat(); stat(root.path, &rootStat)
        let script = "#!/bin/sh\necho pre\n"
        let id = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "prescript.sh", targetDir: "/tmp",
                                                  content: Data(script.utf8), fileMode: "0700"))
        #expect(try await result(t, id).InvocationStatus == "Success")
        let file = root.appendingPathComponent("tmp/prescript.sh")
        var st = stat(); stat(file.path, &st)
        #expect(st.st_mode & 0o7777 == 0o700)
        #expect(st.st_uid == rootStat.st_uid, "root on an emulated instance is the owner of its root directory")
        #expect(st.st_gid == rootStat.st_gid)
        #expect(try String(contentsOf: file, encoding: .utf8) == script)

        let again = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "prescript.sh", targetDir: "/tmp",
                                                     content: Data("changed".utf8), fileMode: "0700"))
        let refused = try await result(t, again)
        #expect(refused.InvocationStatus == "Failed")
        #expect(refused.ErrorCode == "FileAlreadyExists")
        #expect(try String(contentsOf: file, encoding: .utf8) == script)

        let forced = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "prescript.sh", targetDir: "/tmp",
                                                      content: Data("changed".utf8), fileMode: "0640", overwrite: true))
        #expect(try await result(t, forced).InvocationStatus == "Success")
        stat(file.path, &st)
        #expect(st.st_mode & 0o7777 == 0o640)
        #expect(try String(contentsOf: file, encoding: .utf8) == "changed")
        let inv = try await t.cloud.describeInvocations(regionId: hz, invokeId: forced, instanceId: nil)
        #expect(inv.first?.CommandType == "SendFile")
    }

    @Test func otherOwnersAndMissingUsers() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        if let nobody = getpwnam("nobody")?.pointee.pw_uid {
            let id = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "n.txt", targetDir: "/srv/data",
                                                      content: Data("x".utf8), fileOwner: "nobody"))
            #expect(try await result(t, id).InvocationStatus == "Success")
            var st = stat(); stat(t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("srv/data/n.txt").path, &st)
            #expect(st.st_uid == nobody)
        } else {
            print("no user nobody on this machine: skipping the other-owner case")
        }
        let id = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "m.txt", targetDir: "/tmp",
                                                  content: Data("x".utf8), fileOwner: "no-such-user-appsnap"))
        #expect(try await result(t, id).ErrorCode == "UserOrGroupNotExist")
    }

    @Test func neverWritesOutsideTheInstance() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let outside = t.state.url.appendingPathComponent("outside", isDirectory: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let link = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp/escape")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside)
        let id = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "x", targetDir: "/tmp/escape",
                                                  content: Data("x".utf8)))
        #expect(try await result(t, id).ErrorCode == "InvalidTargetDir")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        let dotdot = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "y", targetDir: "/../../..",
                                                      content: Data("y".utf8)))
        // `..` above the root stays at the root, as on a real machine.
        #expect(try await result(t, dotdot).InvocationStatus == "Success")
        #expect(FileManager.default.fileExists(atPath: t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("y").path))
    }

    @Test func errors() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1"), stopped = try await t.instance("linux-stopped-1")
        let c = t.cloud
        #expect(await ecsCode { _ = try await c.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "", targetDir: "/tmp", content: Data())) }
                == "MissingParameter")
        #expect(await ecsCode { _ = try await c.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "a", targetDir: "tmp", content: Data())) }
                == "InvalidParameter")
        #expect(await ecsCode { _ = try await c.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "a", targetDir: "/tmp", content: Data(), fileMode: "0999")) }
                == "InvalidParameter")
        #expect(await ecsCode { _ = try await c.sendFile(.init(regionId: hz, instanceIds: ["i-nope"], name: "a", targetDir: "/tmp", content: Data())) }
                == "InvalidInstanceId.NotFound")
        let id = try await c.sendFile(.init(regionId: hz, instanceIds: [stopped.InstanceId], name: "a", targetDir: "/tmp", content: Data()))
        #expect(try await result(t, id).ErrorCode == "InstanceNotRunning")
    }
}
