import Foundation
import Testing

/// The credential chain of SPEC §13, each source on its own, against `appsnap serve`
/// (which also answers STS AssumeRole): the call succeeds with the key the source holds,
/// and no secret is ever printed or stored.
@Suite(.serialized) struct AliyunCredentialsTests {
    static let regions = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]

    func regionIds(_ r: AppSnapBinary.Result) -> Set<String> {
        Set((((r.json["Regions"] as? [String: Any])?["Region"] as? [[String: Any]]) ?? []).compactMap { $0["RegionId"] as? String })
    }

    @Test func eachSourceOfTheChainSignsACall() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let client = try AliyunClient(served)
        let key = served.key
        var secrets = [key.accessKeySecret]

        // 1. The environment.
        let env = try client.ecs("DescribeRegions", [:])
        #expect(env.status == 0, "\(env.stderr)")
        #expect(regionIds(env) == Set(Self.regions))

        // 2. config.json, an AK profile chosen by `current`; its region_id is the default region.
        try client.write(".aliyun/config.json", """
            {"current":"work","profiles":[
              {"name":"other","mode":"AK","access_key_id":"LTAIwrong","access_key_secret":"wrong","region_id":"cn-hangzhou"},
              {"name":"work","mode":"AK","access_key_id":"\(key.accessKeyId)","access_key_secret":"\(key.accessKeySecret)","region_id":"cn-shanghai"}]}
            """)
        let ak = try client.ecs("DescribeInstances", [:], env: [:])
        #expect(ak.status == 0, "\(ak.stderr)")
        let shanghai = (((ak.json["Instances"] as? [String: Any])?["Instance"] as? [[String: Any]]) ?? []).compactMap { $0["RegionId"] as? String }
        #expect(!shanghai.isEmpty && shanghai.allSatisfy { $0 == "cn-shanghai" }, "the profile's region_id was used: \(ak.stdout)")
        // --profile picks another profile, whose key is refused by the service.
        let other = try client.run(["ecs", "DescribeRegions", "--profile", "other"], env: [:])
        #expect(other.errorJSON["Code"] as? String == "InvalidAccessKeyId.NotFound", "\(other.stderr)")
        let missing = try client.run(["ecs", "DescribeRegions", "--profile", "nosuch"], env: [:])
        #expect(missing.status != 0 && missing.stderr.contains("--profile nosuch: no such profile"), "\(missing.stderr)")

        // A StsToken profile, with a temporary key STS issued; a wrong token is refused.
        let sts = try client.assumeRole()
        secrets += [sts.accessKeySecret, sts.securityToken ?? ""]
        try client.write(".aliyun/config.json", """
            {"current":"sts","profiles":[{"name":"sts","mode":"StsToken","access_key_id":"\(sts.accessKeyId)",
             "access_key_secret":"\(sts.accessKeySecret)","sts_token":"\(sts.securityToken ?? "")","region_id":"cn-hangzhou"}]}
            """)
        // (The role's policy is the plugin's: it may describe disks, not regions.)
        let withToken = try client.ecs("DescribeDisks", [:], env: [:])
        #expect(withToken.status == 0, "\(withToken.stderr)")
        #expect(withToken.stdout.contains("\"DiskId\""))
        try client.write(".aliyun/config.json", """
            {"current":"sts","profiles":[{"name":"sts","mode":"StsToken","access_key_id":"\(sts.accessKeyId)",
             "access_key_secret":"\(sts.accessKeySecret)","sts_token":"forged","region_id":"cn-hangzhou"}]}
            """)
        let forged = try client.ecs("DescribeDisks", [:], env: [:])
        #expect(forged.errorJSON["Code"] as? String == "InvalidSecurityToken.Mismatch", "\(forged.stderr)")

        // A RamRoleArn profile: AssumeRole first, then the call with the role's temporary key,
        // bound to the role's policy.
        try client.write(".aliyun/config.json", """
            {"current":"role","profiles":[{"name":"role","mode":"RamRoleArn","access_key_id":"\(key.accessKeyId)",
             "access_key_secret":"\(key.accessKeySecret)","ram_role_arn":"acs:ram::1234567890123456:role/AppSnapshotRoleName",
             "ram_session_name":"appsnap-test","region_id":"cn-hangzhou"}]}
            """)
        let role = try client.ecs("DescribeDisks", [:], env: [:])
        #expect(role.status == 0, "\(role.stderr)")
        #expect(role.stdout.contains("\"DiskId\""))
        let log = try String(contentsOf: served.app.state.appendingPathComponent("serve.log"), encoding: .utf8)
        #expect(log.contains("AssumeRole AppSnapshotRoleName"), "the call went through STS: \(log)")
        let outside = try client.ecs("DeleteSnapshot", ["SnapshotId": "s-none"], env: [:])
        #expect(outside.errorJSON["Code"] as? String == "Forbidden.RAM", "the role's policy binds its key: \(outside.stderr)")
        client.remove(".aliyun/config.json")

        // 3. The credentials INI file.
        try client.write(".alibabacloud/credentials", """
            [default]
            type = access_key
            access_key_id = \(key.accessKeyId)
            access_key_secret = \(key.accessKeySecret)
            """)
        let ini = try client.ecs("DescribeRegions", [:], env: [:])
        #expect(ini.status == 0, "\(ini.stderr)")
        client.remove(".alibabacloud/credentials")

        // Nothing anywhere: the error names every source, in order, and exits without a call.
        let none = try client.ecs("DescribeRegions", [:], env: [:])
        #expect(none.status != 0)
        let text = none.stderr
        let order = ["environment", ".aliyun/config.json", ".alibabacloud/credentials", "metadata"].map { text.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil }, "every source is named: \(text)")
        if order.allSatisfy({ $0 != nil }) { #expect(order.map { $0! } == order.map { $0! }.sorted(), "in the chain's order: \(text)") }

        #expect(try secretLeaks(secrets, outputs: client.outputs, state: served.app.state).isEmpty)
    }
}
