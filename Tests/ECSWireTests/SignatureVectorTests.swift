import AppSnapCore
import Foundation
import Testing
@testable import ECSWire

/// The vendor's published examples, in both directions: what a client signs, and what
/// the server accepts.
@Suite struct SignatureVectorTests {
    static let rpcParameters: [(String, String)] = [
        ("AccessKeyId", "testid"), ("Action", "DescribeRegions"), ("Format", "XML"),
        ("SignatureMethod", "HMAC-SHA1"), ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("SignatureVersion", "1.0"), ("Timestamp", "2016-02-23T12:46:24Z"), ("Version", "2014-05-26"),
    ]

    @Test func rpcV1GetAndPostGiveTheDocumentedSignatures() {
        #expect(RPCSignature.signature(secret: "testsecret", method: "GET", parameters: Self.rpcParameters) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
        #expect(RPCSignature.signature(secret: "testsecret", method: "POST", parameters: Self.rpcParameters) == "MxbnVAM4w6sft9xjVpe/GCKueuk=")
    }

    static let v3Headers = [
        "host": "ecs.cn-shanghai.aliyuncs.com", "x-acs-action": "RunInstances", "x-acs-version": "2014-05-26",
        "x-acs-date": "2023-10-26T10:22:32Z", "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]
    static let v3Query = "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
    static let v3Signature = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"

    @Test func acs3CanonicalRequestAndSignatureAreTheDocumentedOnes() {
        let canonical = ACS3Signature.canonicalRequest(
            method: "POST", path: "/", queryPairs: PercentEncoding.pairs(Self.v3Query[...]), headers: Self.v3Headers,
            signedHeaders: Self.v3Headers.keys.sorted(), payloadHash: ACS3Signature.payloadHash(Data()))
        #expect(Digests.sha256Hex(canonical) == "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259")
        #expect(ACS3Signature.signature(secret: "YourAccessKeySecret", canonicalRequest: canonical) == Self.v3Signature)
    }

    @Test func theClientSignsTheVectorAsTheVendorDoes() {
        let request = RequestSigner.acs3(
            action: "RunInstances", version: "2014-05-26",
            parameters: [("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"), ("RegionId", "cn-shanghai")],
            host: "ecs.cn-shanghai.aliyuncs.com",
            credentials: AccessKeyCredentials(accessKeyId: "YourAccessKeyId", accessKeySecret: "YourAccessKeySecret"),
            date: WireTime.parse("2023-10-26T10:22:32Z")!, nonce: "3156853299f313e23d1673dc12e1703d")
        #expect(request.header("authorization") == "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=\(Self.v3Signature)")
        #expect(request.rawQuery == Self.v3Query)
    }

    @Test func theServerAcceptsTheVectorsAtTheirTime() async throws {
        let v3 = WireRequest(method: "POST", rawQuery: Self.v3Query, headers: Self.v3Headers.merging(
            ["Authorization": "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=\(Self.v3Signature)"]) { a, _ in a })
        let at2023 = RequestVerifier(clock: FixedClock("2023-10-26T10:25:00Z"))
        let call = try await at2023.verify(v3) { $0 == "YourAccessKeyId" ? "YourAccessKeySecret" : nil }
        #expect(call.action == "RunInstances")
        #expect(call.parameters == ["ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"])

        let rpc = Self.rpcParameters + [("Signature", "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")]
        let get = WireRequest(method: "GET", rawQuery: PercentEncoding.form(rpc))
        let at2016 = RequestVerifier(clock: FixedClock("2016-02-23T12:50:00Z"))
        let rpcCall = try await at2016.verify(get) { $0 == "testid" ? "testsecret" : nil }
        #expect(rpcCall.action == "DescribeRegions")
        #expect(rpcCall.accessKeyId == "testid")
    }

    @Test func percentEncodingIsTheVendors() {
        #expect(PercentEncoding.encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9")
        #expect(PercentEncoding.decode("a+b%2Bc%7E") == "a b+c~")
        #expect(PercentEncoding.decode("100%") == "100%", "a stray % is kept")
    }

    @Test func timestampsParseAndFormat() {
        #expect(WireTime.parse("2016-02-23T12:46:24Z").map(WireTime.format) == "2016-02-23T12:46:24Z")
        #expect(WireTime.parse("2016-02-23 12:46:24") == nil)
        #expect(WireTime.parse("2016-13-23T12:46:24Z") == nil)
    }
}

/// A clock stopped at one instant.
struct FixedClock: AppSnapCore.Clock {
    var date: Date
    init(_ text: String) { date = WireTime.parse(text)! }
    init(_ date: Date) { self.date = date }
    func now() -> Date { date }
    func uptime() -> Double { date.timeIntervalSince1970 }
    func sleep(seconds: Double) async {}
}
