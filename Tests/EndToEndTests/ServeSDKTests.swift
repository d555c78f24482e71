import Foundation
import Glibc
import Testing

/// The vendor's own Python SDKs against `appsnap serve`: the seed's flow with both
/// signatures, a rollback, the error codes, and the older SDK's RPC form posts.
@Suite(.serialized) struct ServeSDKTests {
    static func skipReason(_ test: String, needsRoot: Bool = false) -> String? {
        if ServedCloud.sdkPython == nil { return "skipped \(test): no .venv-sdk with the vendor's SDKs (scripts/install-deps.sh test makes it)" }
        if needsRoot && getuid() != 0 { return "skipped \(test): the plugin runs on emulated instances as root" }
        return nil
    }

    @Test func theSeedFlowRunsThroughTheSDKWithEitherSignature() throws {
        if let why = Self.skipReason("theSeedFlowRunsThroughTheSDKWithEitherSignature", needsRoot: true) { print(why); return }
        let served = try ServedCloud()
        defer { served.stop() }
        for signing in ["default", "v2"] {
            let r = try served.sdk("seed", [signing, "#!/bin/sh\necho pre-from-\(signing)\n", "#!/bin/sh\necho post-from-\(signing)\n"])
            let output = r["output"] as? String ?? ""
            #expect(Set(r["regions"] as? [String] ?? []) == ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"])
            #expect((r["disks"] as? [String])?.count == 3, "linux-app-1 has three disks")
            #expect(r["exitCode"] as? Int == 0, "\(signing): \(output)")
            #expect(r["invocationStatus"] as? String == "Success")
            #expect(output.contains("pre-from-\(signing)") && output.contains("post-from-\(signing)"), "the scripts SendFile delivered ran")
            #expect(output.contains("Take AppConsistent snapshots successfully"))
            #expect(r["groupStatus"] as? String == "accomplished")
            let snapshots = r["snapshots"] as? [String: [String: Any]] ?? [:]
            #expect(snapshots.count == 3)
            for (sid, s) in snapshots {
                #expect((s["tags"] as? [String: String])?["APPConsistent"] == "True", "\(signing) \(sid): \(s)")
            }
        }
    }

    @Test func aRollbackThroughTheSDKBringsBackTheSnapshotsBytes() throws {
        if let why = Self.skipReason("aRollbackThroughTheSDKBringsBackTheSnapshotsBytes") { print(why); return }
        let served = try ServedCloud()
        defer { served.stop() }
        let app = served.app
        let id = try app.instanceId(named: "linux-app-1")
        let disks = try app.disks(of: id).compactMap { $0["DiskId"] as? String }
        let image = { (disk: String) in app.state.appendingPathComponent("pool/disks/\(disk).img").path }
        for d in disks { try write("data at the snapshot \(d)", to: image(d)) }
        // The group is made by the command line while serve runs: one cloud, two front ends.
        let made = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": id, "Name": "BeforeChange"])
        let group = try #require(made.json["SnapshotGroupId"] as? String, "\(made.stderr)")
        try waitAccomplished(app, group)
        for d in disks { try write("written after the snapshot", to: image(d)) }

        let r = try served.sdk("rollback", [id, group])
        let running = r["whileRunning"] as? [String: Any] ?? [:]
        #expect(running["Code"] as? String == "IncorrectInstanceStatus")
        #expect(running["Status"] as? Int == 403)
        #expect((r["dryRun"] as? [String: Any])?["Code"] as? String == "DryRunOperation")
        let progress = r["progress"] as? [[String: Any]] ?? []
        #expect(progress.count == disks.count)
        #expect(progress.allSatisfy { $0["status"] as? String == "Success" }, "\(progress)")
        #expect(r["statusAfter"] as? String == "Running")
        let snapshots = try app.group(group)["Snapshots"] as? [String: Any]
        for s in snapshots?["Snapshot"] as? [[String: Any]] ?? [] {
            let disk = s["SourceDiskId"] as! String, sid = s["SnapshotId"] as! String
            let restored = try read(image(disk)), captured = try read(app.state.appendingPathComponent("pool/snapshots/\(sid).img").path)
            #expect(restored == captured)
            #expect(String(decoding: restored.prefix(40), as: UTF8.self).hasPrefix("data at the snapshot \(disk)"))
        }
    }

    @Test func theSDKGetsTheVendorsErrorCodes() throws {
        if let why = Self.skipReason("theSDKGetsTheVendorsErrorCodes") { print(why); return }
        let served = try ServedCloud()
        defer { served.stop() }
        let r = try served.sdk("errors")
        for signing in ["default", "v2"] {
            let s = r[signing] as? [String: [String: Any]] ?? [:]
            #expect(s["wrongSecret"]?["Code"] as? String == "SignatureDoesNotMatch", "\(signing): \(s)")
            #expect(s["wrongSecret"]?["Status"] as? Int == 400)
            let message = s["wrongSecret"]?["Message"] as? String ?? ""
            let leaked = message.contains(served.key.accessKeySecret)
            #expect(!leaked, "the answer names no secret")
            #expect(s["unknownKey"]?["Code"] as? String == "InvalidAccessKeyId.NotFound")
            #expect(s["unknownKey"]?["Status"] as? Int == 404)
            #expect(s["missingParameter"]?["Code"] as? String == "MissingParameter")
        }
    }

    @Test func theOlderSDKListsTheDemoInstancesWithAFormPost() throws {
        if let why = Self.skipReason("theOlderSDKListsTheDemoInstancesWithAFormPost") { print(why); return }
        let served = try ServedCloud()
        defer { served.stop() }
        let names = try served.sdk("old-sdk")["instances"] as? [String] ?? []
        #expect(names.count == 10)
        #expect(names.contains("linux-app-1") && names.contains("win-sql-1"))
    }

    /// 4 KiB in, at 1 MiB: where a file system would keep data, away from any header.
    private func write(_ text: String, to path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seek(toOffset: 1 << 20)
        var block = Data(text.utf8)
        block.append(Data(count: 4096 - block.count))
        try h.write(contentsOf: block)
    }

    private func read(_ path: String) throws -> Data {
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seek(toOffset: 1 << 20)
        return try h.read(upToCount: 4096) ?? Data()
    }

    private func waitAccomplished(_ app: AppSnapBinary, _ group: String) throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if try app.group(group)["Status"] as? String == "accomplished" { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw E2EError("group \(group) did not become accomplished")
    }
}
