import Foundation
import Testing

/// What the network and a busy service do to `--cloud aliyun`, each bounded: throttling
/// is waited out, a create retried with its ClientToken makes one group, a cut connection
/// ends in a clear error, and a missing metadata service stops the plugin with exit 3.
@Suite(.serialized) struct AliyunFaultTests {
    @Test func throttlingTwiceIsWaitedOutForAReadAndACreateMakesOneGroup() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let client = try AliyunClient(served)
        let app1 = try served.app.instanceId(named: "linux-app-1")

        let readProxy = try FaultProxy(upstream: served.port, mode: "throttle-after:2")
        let read = try client.run(["ecs", "DescribeRegions"], env: client.keyEnvironment, endpoint: "http://127.0.0.1:\(readProxy.port)")
        let readLog = readProxy.stop()
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.contains("cn-hangzhou"))
        #expect(readLog == ["DescribeRegions fault", "DescribeRegions fault", "DescribeRegions pass"])

        // The first two creates reach the server but their answers are lost: the client
        // retries with the same ClientToken, and the server answers the first group.
        let createProxy = try FaultProxy(upstream: served.port, mode: "throttle-after:2")
        let create = try client.run(["ecs", "CreateSnapshotGroup", "--RegionId", "cn-hangzhou", "--InstanceId", app1,
                                     "--Name", "RetriedGroup", "--ClientToken", "retry-token-1"],
                                    env: client.keyEnvironment, endpoint: "http://127.0.0.1:\(createProxy.port)")
        let createLog = createProxy.stop()
        #expect(create.status == 0, "\(create.stderr)")
        #expect(createLog == ["CreateSnapshotGroup fault", "CreateSnapshotGroup fault", "CreateSnapshotGroup pass"])
        let groups = try served.app.ecs("DescribeSnapshotGroups", ["RegionId": "cn-hangzhou", "Name": "RetriedGroup"])
        let made = ((groups.json["SnapshotGroups"] as? [String: Any])?["SnapshotGroup"] as? [[String: Any]]) ?? []
        #expect(made.count == 1, "one group for three deliveries: \(groups.stdout)")
        #expect(made.first?["SnapshotGroupId"] as? String == create.json["SnapshotGroupId"] as? String)

        // The same token again (from the command line, as a script would retry) is still one group.
        let again = try served.app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": app1,
                                                               "Name": "RetriedGroup", "ClientToken": "retry-token-1"])
        #expect(again.json["SnapshotGroupId"] as? String == create.json["SnapshotGroupId"] as? String, "\(again.stdout) \(again.stderr)")
    }

    @Test func aConnectionCutMidAnswerEndsInAClearErrorAndAWriteIsSentOnce() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let client = try AliyunClient(served)
        let app1 = try served.app.instanceId(named: "linux-app-1")
        let proxy = try FaultProxy(upstream: served.port, mode: "cut")
        let endpoint = "http://127.0.0.1:\(proxy.port)"
        let read = try client.run(["ecs", "DescribeRegions"], env: client.keyEnvironment, endpoint: endpoint)
        let write = try client.run(["ecs", "RunCommand", "--RegionId", "cn-hangzhou", "--Type", "RunShellScript",
                                    "--CommandContent", "echo once", "--InstanceId.1", app1],
                                   env: client.keyEnvironment, endpoint: endpoint)
        let log = proxy.stop()
        #expect(read.status == 1)
        #expect(read.errorJSON["Code"] as? String == "ServiceUnavailable", "\(read.stderr)")
        #expect((read.errorJSON["Message"] as? String ?? "").contains("127.0.0.1:\(proxy.port)"), "\(read.stderr)")
        #expect(log.filter { $0.hasPrefix("DescribeRegions") }.count > 1, "a read is retried: \(log)")
        #expect(write.status == 1, "\(write.stdout)")
        #expect(log.filter { $0.hasPrefix("RunCommand") }.count == 1, "a command without a ClientToken is never sent twice: \(log)")
    }

    @Test func thePluginWithoutMetadataExitsThreeWithAClearLine() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let client = try AliyunClient(served)
        let r = try client.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin",
                                "--params=-RamRoleName=\"AppSnapshotRoleName\",-Name=\"NoMetadata\""],
                               env: [:], endpoint: nil)
        #expect(r.status == 3, "\(r.stdout) \(r.stderr)")
        let line = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("Exit code 3") && line.contains("metadata service") && line.contains("127.0.0.1:9"), "\(r.stdout)")
    }
}
