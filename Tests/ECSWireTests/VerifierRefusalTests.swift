import AppSnapCore
import Foundation
import Testing
@testable import ECSWire

/// What the server refuses, with the code and status of SPEC §13, and what it never says.
@Suite struct VerifierRefusalTests {
    static let key = AccessKeyCredentials(accessKeyId: "LTAIwiretest", accessKeySecret: "s3cr3t-wire-test-secret")
    static let now = WireTime.parse("2026-12-01T12:00:00Z")!
    static func lookup(_ id: String) -> String? { id == key.accessKeyId ? key.accessKeySecret : nil }

    func signed(_ style: RequestSigner.Style, date: Date = now, nonce: String = UUID().uuidString,
                credentials: AccessKeyCredentials = key) -> WireRequest {
        RequestSigner.sign(action: "DescribeDisks", parameters: [("RegionId", "cn-hangzhou"), ("DiskName", "a b+c*")],
                           host: "127.0.0.1:18080", credentials: credentials, style: style, date: date, nonce: nonce)
    }

    func refusal(_ r: WireRequest, verifier: RequestVerifier = RequestVerifier(clock: FixedClock(now))) async -> ECSError? {
        do { _ = try await verifier.verify(r) { Self.lookup($0) }; return nil } catch { return error as? ECSError }
    }

    @Test(arguments: [RequestSigner.Style.acs3, .rpcGET, .rpcPOST])
    func aSignedRequestIsAcceptedOnceAndItsReplayRefused(style: RequestSigner.Style) async throws {
        let verifier = RequestVerifier(clock: FixedClock(Self.now))
        let r = signed(style)
        let call = try await verifier.verify(r) { Self.lookup($0) }
        #expect(call.action == "DescribeDisks")
        #expect(call.parameters["DiskName"] == "a b+c*", "decoded exactly as sent")
        let replay = await refusal(r, verifier: verifier)
        #expect(replay?.Code == "SignatureNonceUsed")
        #expect(replay?.httpStatus == 400)
    }

    @Test(arguments: [RequestSigner.Style.acs3, .rpcGET, .rpcPOST])
    func aTwentyMinuteOldTimestampIsExpired(style: RequestSigner.Style) async {
        let e = await refusal(signed(style, date: Self.now.addingTimeInterval(-20 * 60)))
        #expect(e?.Code == "InvalidTimeStamp.Expired")
        #expect(e?.httpStatus == 400)
        // Within the window, either way, is fine.
        #expect(await refusal(signed(style, date: Self.now.addingTimeInterval(14 * 60))) == nil)
    }

    @Test(arguments: [RequestSigner.Style.acs3, .rpcGET, .rpcPOST])
    func aTamperedParameterDoesNotMatch(style: RequestSigner.Style) async {
        var r = signed(style)
        if style == .rpcPOST {
            r.body = Data(String(decoding: r.body, as: UTF8.self).replacingOccurrences(of: "cn-hangzhou", with: "cn-shanghai").utf8)
        } else {
            r.rawQuery = r.rawQuery.replacingOccurrences(of: "cn-hangzhou", with: "cn-shanghai")
        }
        let e = await refusal(r)
        #expect(e?.Code == "SignatureDoesNotMatch")
        #expect(e?.httpStatus == 400)
    }

    @Test(arguments: [RequestSigner.Style.acs3, .rpcGET, .rpcPOST])
    func aWrongSecretDoesNotMatchAndTheAnswerGivesNothingAway(style: RequestSigner.Style) async throws {
        let forged = AccessKeyCredentials(accessKeyId: Self.key.accessKeyId, accessKeySecret: "guess")
        let e = try #require(await refusal(signed(style, credentials: forged)))
        #expect(e.Code == "SignatureDoesNotMatch")
        let body = String(decoding: e.json(), as: UTF8.self)
        #expect(!body.contains(Self.key.accessKeySecret))
        // The signature the right secret gives appears nowhere in the answer.
        let right = signed(style, nonce: "n-1")
        let rightSignature = right.header("authorization").flatMap { ACS3Signature.Authorization(header: $0)?.signature }
            ?? (right.queryPairs + right.formPairs).first { $0.0 == "Signature" }!.1
        #expect(!body.contains(rightSignature))
        #expect(!body.contains(PercentEncoding.encode(rightSignature)))
    }

    @Test func aFormBodyWithPlusForSpaceVerifiesOverTheDecodedValue() async throws {
        // As `urlencode` writes a form: a space is `+`; the signature covers "a b".
        var params: [(String, String)] = [("Action", "DescribeDisks"), ("RegionId", "cn-hangzhou"), ("DiskName", "a b"),
                                          ("AccessKeyId", Self.key.accessKeyId), ("SignatureMethod", "HMAC-SHA1"),
                                          ("SignatureVersion", "1.0"), ("SignatureNonce", "plus-1"),
                                          ("Timestamp", WireTime.format(Self.now)), ("Version", "2014-05-26")]
        params.append(("Signature", RPCSignature.signature(secret: Self.key.accessKeySecret, method: "POST", parameters: params)))
        let body = params.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1).replacingOccurrences(of: "%20", with: "+"))" }
            .joined(separator: "&")
        #expect(body.contains("DiskName=a+b"))
        let r = WireRequest(method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"], body: Data(body.utf8))
        let call = try await RequestVerifier(clock: FixedClock(Self.now)).verify(r) { Self.lookup($0) }
        #expect(call.parameters["DiskName"] == "a b")
    }

    @Test func aHeaderLeftOutOfSignedHeadersIsRefused() async throws {
        var r = signed(.acs3)
        var auth = try #require(ACS3Signature.Authorization(header: r.header("authorization")!))
        auth.signedHeaders.removeAll { $0 == "x-acs-action" }
        // Re-signed without the header, so only the rule can catch it: the action could then be changed in transit.
        let canonical = ACS3Signature.canonicalRequest(method: r.method, path: "/", queryPairs: r.queryPairs, headers: r.headers,
                                                       signedHeaders: auth.signedHeaders, payloadHash: ACS3Signature.payloadHash(r.body))
        auth.signature = ACS3Signature.signature(secret: Self.key.accessKeySecret, canonicalRequest: canonical)
        r.headers["authorization"] = auth.rendered
        r.headers["x-acs-action"] = "DeleteSnapshotGroup"
        let e = await refusal(r)
        #expect(e?.Code == "SignatureDoesNotMatch")
        #expect(e?.Message.contains("x-acs-action") == true)
    }

    @Test func aBodyOtherThanItsHashIsRefused() async {
        var r = signed(.acs3)
        r.body = Data("RegionId=cn-shanghai".utf8)
        r.headers["content-type"] = "application/x-www-form-urlencoded"
        #expect(await refusal(r)?.Code == "SignatureDoesNotMatch")
    }

    @Test(arguments: [RequestSigner.Style.acs3, .rpcGET])
    func anUnknownKeyIsNotFound(style: RequestSigner.Style) async {
        let e = await refusal(signed(style, credentials: AccessKeyCredentials(accessKeyId: "LTAInobody", accessKeySecret: "x")))
        #expect(e?.Code == "InvalidAccessKeyId.NotFound")
        #expect(e?.httpStatus == 404)
    }

    @Test func anRPCRequestWithoutItsSignatureFieldsSaysWhichIsMissing() async {
        let r = WireRequest(method: "GET", rawQuery: "Action=DescribeRegions&AccessKeyId=LTAIwiretest")
        #expect(await refusal(r)?.Code == "MissingSignature")
    }

    @Test func nonceMemoryIsBoundedAndForgetsAfterFifteenMinutes() {
        let cache = NonceCache(capacity: 2)
        #expect(cache.remember("a", accessKeyId: "k", now: 0) == .fresh)
        #expect(cache.remember("a", accessKeyId: "k", now: 10) == .replayed)
        #expect(cache.remember("a", accessKeyId: "other", now: 10) == .fresh, "per access key")
        #expect(cache.remember("b", accessKeyId: "k", now: 20) == .full, "full: refused, nothing forgotten early")
        #expect(cache.remember("b", accessKeyId: "k", now: 15 * 60 + 1) == .fresh, "the first entry expired")
        #expect(cache.remember("a", accessKeyId: "k", now: 15 * 60 + 11) == .fresh, "remembered again once it was forgotten")
    }
}
