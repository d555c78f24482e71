import AppSnapCore
import Foundation
import Testing

/// `appsnap ecs … --cloud aliyun` against `appsnap serve`: the real client (signing,
/// HTTP, decoding into the models) must print what the embedded path prints, for every
/// action, and never let a secret out.
@Suite(.serialized) struct AliyunCLITests {
    /// One call both ways; reads must match exactly (RequestId aside), writes in shape.
    struct Parity {
        let served: ServedCloud
        let client: AliyunClient
        var exercised: Set<String> = []

        mutating func same(_ action: String, _ params: [String: String], sourceLine: Int = #line) throws {
            exercised.insert(action)
            let local = try served.app.ecs(action, params)
            let remote = try client.ecs(action, params)
            #expect(remote.status == local.status, "\(action): exit \(remote.status) vs \(local.status): \(remote.stderr)")
            #expect(withoutRequestIds(remote.stdout) == withoutRequestIds(local.stdout),
                    "\(action) (line \(sourceLine)):\naliyun: \(remote.stdout)\nlocal:  \(local.stdout)")
            #expect(withoutRequestIds(remote.stderr) == withoutRequestIds(local.stderr), "\(action): \(remote.stderr) vs \(local.stderr)")
        }

        /// A write made once each way on equivalent targets: same exit, same fields.
        mutating func sameShape(_ action: String, local lp: [String: String], remote rp: [String: String]) throws
            -> (local: [String: Any], remote: [String: Any]) {
            exercised.insert(action)
            let local = try served.app.ecs(action, lp)
            let remote = try client.ecs(action, rp)
            #expect(remote.status == local.status, "\(action): exit \(remote.status) vs \(local.status): \(remote.stderr) / \(local.stderr)")
            #expect(Set(remote.json.keys) == Set(local.json.keys), "\(action): \(remote.stdout) vs \(local.stdout)")
            let re = remote.errorJSON, le = local.errorJSON
            #expect(re["Code"] as? String == le["Code"] as? String, "\(action): \(remote.stderr) vs \(local.stderr)")
            return (local.json, remote.json)
        }
    }

    @Test func everyActionPrintsTheSameJSONAsTheEmbeddedPath() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let app = served.app
        let client = try AliyunClient(served)
        var p = Parity(served: served, client: client)
        let region = ["RegionId": "cn-hangzhou"]
        let app1 = try app.instanceId(named: "linux-app-1")
        let db1 = try app.instanceId(named: "linux-db-1")
        let noassist = try app.instanceId(named: "linux-noassist-1")

        try p.same("DescribeRegions", [:])
        try p.same("DescribeInstances", region)
        try p.same("DescribeInstances", region.merging(["PageSize": "3", "PageNumber": "2"]) { a, _ in a })
        try p.same("DescribeInstances", region.merging(["InstanceIds": "[\"\(app1)\"]"]) { a, _ in a })
        try p.same("DescribeDisks", region.merging(["InstanceId": app1]) { a, _ in a })
        try p.same("DescribeDisks", region.merging(["InstanceId": "i-doesnotexist"]) { a, _ in a })
        try p.same("DescribeCloudAssistantStatus", region.merging(["InstanceId.1": app1, "InstanceId.2": noassist]) { a, _ in a })
        try p.same("DescribeInstanceRamRole", region.merging(["InstanceIds": "[\"\(app1)\",\"\(db1)\"]"]) { a, _ in a })

        // Commands: one each way, then both paths read the same invocations.
        let (lr, rr) = try p.sameShape("RunCommand", local: region.merging(["Type": "RunShellScript", "CommandContent": "echo local 'quoted' ü",
                                                                              "InstanceId.1": app1]) { a, _ in a },
                                       remote: region.merging(["Type": "RunShellScript", "CommandContent": "echo remote 'quoted' ü",
                                                               "InstanceId.1": app1]) { a, _ in a })
        let localInvoke = try #require(lr["InvokeId"] as? String), remoteInvoke = try #require(rr["InvokeId"] as? String)
        _ = try app.waitFor(localInvoke)
        let finished = try app.waitFor(remoteInvoke)
        #expect((finished["Output"] as? String)?.contains("remote quoted ü") == true, "the script arrived intact: \(finished)")
        // `logs` over the wire: the output arrives Base64 and is printed decoded.
        let logs = try client.run(["logs", "--invoke-id", remoteInvoke], env: client.keyEnvironment)
        #expect(logs.status == 0 && logs.stdout == "remote quoted ü\n", "\(logs.stdout) \(logs.stderr)")
        let followed = try client.run(["logs", "--invoke-id", remoteInvoke, "--follow"], env: client.keyEnvironment)
        #expect(followed.stdout == "remote quoted ü\n", "\(followed.stdout) \(followed.stderr)")
        try p.same("DescribeInvocations", region)
        try p.same("DescribeInvocations", region.merging(["InvokeId": remoteInvoke]) { a, _ in a })
        try p.same("DescribeInvocationResults", region.merging(["InvokeId": remoteInvoke]) { a, _ in a })
        try p.same("DescribeInvocationResults", region.merging(["InvokeId": remoteInvoke, "ContentEncoding": "PlainText"]) { a, _ in a })
        _ = try p.sameShape("SendFile", local: region.merging(["InstanceId.1": app1, "Name": "l.txt", "TargetDir": "/tmp", "Content": "a b+c"]) { a, _ in a },
                            remote: region.merging(["InstanceId.1": app1, "Name": "r.txt", "TargetDir": "/tmp", "Content": "a b+c"]) { a, _ in a })
        _ = try p.sameShape("InstallCloudAssistant", local: region.merging(["InstanceId.1": noassist]) { a, _ in a },
                            remote: region.merging(["InstanceId.1": noassist]) { a, _ in a })

        // Groups, snapshots, disks made from them, tags, and their removal.
        let dry = region.merging(["InstanceId": app1, "Name": "DryRunGroup", "DryRun": "true"]) { a, _ in a }
        try p.same("CreateSnapshotGroup", dry)
        let (lg, rg) = try p.sameShape("CreateSnapshotGroup", local: region.merging(["InstanceId": app1, "Name": "LocalGroup"]) { a, _ in a },
                                       remote: region.merging(["InstanceId": app1, "Name": "RemoteGroup", "Tag.1.Key": "k", "Tag.1.Value": "v w"]) { a, _ in a })
        let localGroup = try #require(lg["SnapshotGroupId"] as? String), remoteGroup = try #require(rg["SnapshotGroupId"] as? String)
        try p.same("DescribeSnapshotGroups", region)
        try p.same("DescribeSnapshotGroups", region.merging(["SnapshotGroupId.1": remoteGroup, "SnapshotGroupId.2": localGroup]) { a, _ in a })
        try p.same("DescribeSnapshotGroups", region.merging(["MaxResults": "1"]) { a, _ in a })
        try p.same("ModifySnapshotGroup", region.merging(["SnapshotGroupId": remoteGroup, "Name": "RenamedGroup"]) { a, _ in a })
        #expect(try app.group(remoteGroup)["Name"] as? String == "RenamedGroup")
        try p.same("DescribeSnapshots", region)
        try p.same("DescribeSnapshots", region.merging(["PageSize": "2", "PageNumber": "2"]) { a, _ in a })
        let snapshots = ((try app.group(remoteGroup)["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]]) ?? []
        let snapshot = try #require(snapshots.first?["SnapshotId"] as? String)
        let localSnapshot = try #require((((try app.group(localGroup)["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]]) ?? []).first?["SnapshotId"] as? String)
        try p.same("TagResources", region.merging(["ResourceType": "snapshot", "ResourceId.1": snapshot, "Tag.1.Key": "team", "Tag.1.Value": "db"]) { a, _ in a })
        try p.same("DescribeSnapshots", region.merging(["SnapshotIds": "[\"\(snapshot)\"]"]) { a, _ in a })
        let (ld, rd) = try p.sameShape("CreateDisk", local: region.merging(["SnapshotId": localSnapshot, "DiskName": "fromLocal"]) { a, _ in a },
                                       remote: region.merging(["SnapshotId": snapshot, "DiskName": "fromRemote"]) { a, _ in a })
        let localDisk = try #require(ld["DiskId"] as? String), remoteDisk = try #require(rd["DiskId"] as? String)
        try p.same("DescribeDisks", region.merging(["DiskIds": "[\"\(remoteDisk)\",\"\(localDisk)\"]"]) { a, _ in a })
        _ = try p.sameShape("AttachDisk", local: ["InstanceId": db1, "DiskId": localDisk], remote: ["InstanceId": db1, "DiskId": remoteDisk])
        _ = try p.sameShape("DetachDisk", local: ["InstanceId": db1, "DiskId": localDisk], remote: ["InstanceId": db1, "DiskId": remoteDisk])
        let disk = try #require(snapshots.first?["SourceDiskId"] as? String)
        try p.same("ResetDisks", region.merging(["Disk.1.DiskId": disk, "Disk.1.SnapshotId": snapshot, "DryRun": "true"]) { a, _ in a })
        try p.same("ResetDisk", ["DiskId": disk, "SnapshotId": snapshot, "DryRun": "true"])
        try p.same("StopInstance", ["InstanceId": app1, "DryRun": "true"])
        try p.same("StartInstance", ["InstanceId": app1, "DryRun": "true"])
        _ = try p.sameShape("DeleteSnapshot", local: region.merging(["SnapshotId": localSnapshot]) { a, _ in a },
                            remote: region.merging(["SnapshotId": snapshot]) { a, _ in a })
        _ = try p.sameShape("DeleteSnapshotGroup", local: region.merging(["SnapshotGroupId": localGroup]) { a, _ in a },
                            remote: region.merging(["SnapshotGroupId": remoteGroup]) { a, _ in a })
        try p.same("DescribeSnapshotGroups", region)

        #expect(Set(ECSActions.names).subtracting(p.exercised).isEmpty,
                "actions not compared: \(Set(ECSActions.names).subtracting(p.exercised).sorted())")
        #expect(try secretLeaks([served.key.accessKeySecret], outputs: client.outputs, state: app.state).isEmpty)
    }

    @Test func theV1SignatureWorksToo() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let client = try AliyunClient(served)
        let r = try client.run(["ecs", "DescribeRegions", "--signature", "v1"], env: client.keyEnvironment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("cn-shanghai"))
    }

    @Test func aWrongSecretIsRefusedWithTheServicesWords() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let client = try AliyunClient(served)
        let r = try client.ecs("DescribeRegions", [:], env: ["ALIBABA_CLOUD_ACCESS_KEY_ID": served.key.accessKeyId,
                                                             "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "not-the-secret"])
        #expect(r.status == 1)
        #expect(r.errorJSON["Code"] as? String == "SignatureDoesNotMatch", "\(r.stderr)")
        #expect(!(r.errorJSON["RequestId"] as? String ?? "").isEmpty, "the RequestId reaches the user")
    }

    @Test func plainHTTPIsRefusedBeyondLoopbackAndNothingIsSent() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let client = try AliyunClient(served)
        let r = try client.run(["ecs", "DescribeRegions"], env: client.keyEnvironment, endpoint: "http://10.0.0.1:80")
        #expect(r.status != 0)
        #expect(r.stderr.contains("plain http is allowed only to this machine"), "\(r.stderr)")
    }
}

/// Where a secret shows up: in an output, or in any file of the state folder (the server's
/// log, the database and its WAL, the run folder, invocation outputs). Left out: the test's
/// own HOME (where it wrote the profiles a user would have) and the pool's disk and
/// snapshot images (the emulated disks' contents, sparse files of many GiB).
func secretLeaks(_ secrets: [String], outputs: [String], state: URL) throws -> [String] {
    var found: [String] = []
    for secret in secrets where !secret.isEmpty {
        for (i, o) in outputs.enumerated() where o.contains(secret) { found.append("output #\(i)") }
        let files = FileManager.default.enumerator(at: state, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            if url.path.hasPrefix(state.appendingPathComponent("home").path) || url.path.hasSuffix(".img") { continue }
            guard let size = (try? url.resourceValues(forKeys: [.fileSizeKey]))?.fileSize, size < 256 << 20,
                  let data = try? Data(contentsOf: url), data.range(of: Data(secret.utf8)) != nil else { continue }
            found.append(url.path)
        }
    }
    return found
}
