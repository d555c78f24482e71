import ECSWire
import Foundation
import Testing

/// `appsnap serve` answering hand-made requests: signed ones as a wire client signs them,
/// and the forged, stale and replayed ones the real service refuses.
@Suite(.serialized) struct ServeWireTests {
    @Test func signedCallsAnswerWithTheSameJSONAsTheCommandLine() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        #expect(served.startLine.contains("(loopback only)"))
        let cli = try served.app.ecs("DescribeDisks", ["RegionId": "cn-hangzhou", "PageSize": "100"]).json
        for style in [RequestSigner.Style.acs3, .rpcGET, .rpcPOST] {
            let a = try served.send(served.call("DescribeDisks", [("RegionId", "cn-hangzhou"), ("PageSize", "100")], style: style))
            #expect(a.status == 200, "\(style): \(a.text)")
            #expect(Set(a.json.keys) == Set(cli.keys))
            #expect(NSDictionary(dictionary: a.json["Disks"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: cli["Disks"] as? [String: Any] ?? [:]))
        }
    }

    @Test func replayedStaleTamperedAndHalfSignedRequestsAreRefused() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let params = [("RegionId", "cn-hangzhou")]

        let once = served.call("DescribeInstances", params)
        #expect(try served.send(once).status == 200)
        let replay = try served.send(once)
        #expect(replay.status == 400)
        #expect(replay.json["Code"] as? String == "SignatureNonceUsed")

        let stale = try served.send(served.call("DescribeInstances", params, style: .rpcGET, date: Date().addingTimeInterval(-20 * 60)))
        #expect(stale.status == 400)
        #expect(stale.json["Code"] as? String == "InvalidTimeStamp.Expired")

        var tampered = served.call("DescribeInstances", params, style: .rpcPOST)
        tampered.body = Data(String(decoding: tampered.body, as: UTF8.self).replacingOccurrences(of: "cn-hangzhou", with: "cn-shanghai").utf8)
        let t = try served.send(tampered)
        #expect(t.status == 400)
        #expect(t.json["Code"] as? String == "SignatureDoesNotMatch")
        #expect(!t.text.contains(served.key.accessKeySecret))

        // Signed without x-acs-action, then the action swapped in transit.
        var half = served.call("DescribeInstances", params)
        var auth = try #require(ACS3Signature.Authorization(header: half.header("authorization")!))
        auth.signedHeaders.removeAll { $0 == "x-acs-action" }
        let canonical = ACS3Signature.canonicalRequest(method: "POST", path: "/", queryPairs: half.queryPairs, headers: half.headers,
                                                       signedHeaders: auth.signedHeaders, payloadHash: ACS3Signature.payloadHash(Data()))
        auth.signature = ACS3Signature.signature(secret: served.key.accessKeySecret, canonicalRequest: canonical)
        half.headers["authorization"] = auth.rendered
        half.headers["x-acs-action"] = "DescribeDisks"
        let h = try served.send(half)
        #expect(h.status == 400)
        #expect(h.json["Code"] as? String == "SignatureDoesNotMatch")
        #expect((h.json["Message"] as? String ?? "").contains("x-acs-action"))
    }

    @Test func aKeyMayCallOnlyWhatItsPolicyAllowsAndADeletedKeyNothing() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let plugin = try ServedCloud.createKey(served.app, actions: [])  // the demo role's actions
        let list = try served.app.run(["cloud", "keys", "list"]).stdout
        #expect(list.contains(plugin.accessKeyId))
        #expect(!list.contains(plugin.accessKeySecret), "list never shows a secret")
        let db = try String(contentsOf: served.app.state.appendingPathComponent("appsnap.sqlite"), encoding: .isoLatin1)
        #expect(!db.contains(plugin.accessKeySecret), "the database holds no secret in the clear")

        #expect(try served.send(served.call("DescribeDisks", [("RegionId", "cn-hangzhou")], key: plugin)).status == 200)
        let run = try served.send(served.call("RunCommand", [("RegionId", "cn-hangzhou"), ("Type", "RunShellScript"),
                                                              ("CommandContent", "true"), ("InstanceId.1", "i-x")], key: plugin))
        #expect(run.status == 403)
        #expect(run.json["Code"] as? String == "Forbidden.RAM")

        try served.app.run(["cloud", "keys", "delete", plugin.accessKeyId])
        let gone = try served.send(served.call("DescribeDisks", [("RegionId", "cn-hangzhou")], key: plugin))
        #expect(gone.status == 404)
        #expect(gone.json["Code"] as? String == "InvalidAccessKeyId.NotFound")
    }

    @Test func theCommandLineAndTheWireSeeEachOthersChanges() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let id = try served.app.instanceId(named: "linux-db-1")
        let stop = try served.send(served.call("StopInstance", [("InstanceId", id)]))
        #expect(stop.status == 200, "\(stop.text)")
        let seen = try served.app.ecs("DescribeInstances", ["RegionId": "cn-hangzhou", "InstanceIds": "[\"\(id)\"]"]).json
        #expect((((seen["Instances"] as? [String: Any])?["Instance"] as? [[String: Any]])?.first?["Status"] as? String) == "Stopped")
        #expect(try served.app.ecs("StartInstance", ["InstanceId": id]).status == 0)
        let back = try served.send(served.call("DescribeInstances", [("RegionId", "cn-hangzhou"), ("InstanceIds", "[\"\(id)\"]")], style: .rpcGET))
        #expect((((back.json["Instances"] as? [String: Any])?["Instance"] as? [[String: Any]])?.first?["Status"] as? String) == "Running")
    }

    @Test func serveStaysOnLoopbackUnlessToldAndStopsCleanlyOnSIGTERM() throws {
        let app = try AppSnapBinary()
        let r = try app.run(["serve", "--listen", "0.0.0.0:0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--allow-remote"))
        let served = try ServedCloud(app: app)
        #expect(served.stop() == 0)
    }
}
