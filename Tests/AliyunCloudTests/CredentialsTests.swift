import AliyunCloud
import ECSWire
import Foundation
import Testing

/// The parts of `--cloud aliyun` that need no server: when temporary keys are fetched
/// again, what the chain says when it finds nothing, and which endpoints are refused.
struct CredentialsTests {
    final class Fetches: @unchecked Sendable {
        let lock = NSLock()
        var count = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
    }

    final class Now: @unchecked Sendable {
        var date = Date(timeIntervalSince1970: 1_000_000)
    }

    @Test func temporaryKeysAreFetchedAgainWhen180SecondsOrLessRemain() async throws {
        let fetches = Fetches(), now = Now()
        let provider = RefreshingCredentials(source: "test", now: { now.date }) {
            let n = fetches.next()
            return ExpiringCredentials(keys: AccessKeyCredentials(accessKeyId: "STS.\(n)", accessKeySecret: "s\(n)", securityToken: "t\(n)"),
                                       expiration: now.date.addingTimeInterval(3600))
        }
        #expect(try await provider.credentials().accessKeyId == "STS.1")
        now.date.addTimeInterval(3600 - 181)
        #expect(try await provider.credentials().accessKeyId == "STS.1", "181 s left: still good")
        now.date.addTimeInterval(1)
        #expect(try await provider.credentials().accessKeyId == "STS.2", "180 s left: fetched again")
    }

    @Test func nothingFoundNamesEverySourceInOrder() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("aliyun-\(UUID().uuidString)")
        let chain = try CredentialChain(environment: ["HOME": home.path, "APPSNAP_METADATA_ENDPOINT": "http://127.0.0.1:9"],
                                        profile: nil, signature: .v3, ecsOverride: nil)
        let provider = try chain.resolve().provider
        do {
            _ = try await provider.credentials()
            Issue.record("credentials were found in an empty HOME")
        } catch {
            let text = "\(error)"
            let positions = ["1. environment", "2. \(home.path)/.aliyun/config.json", "3. \(home.path)/.alibabacloud/credentials",
                             "4. the instance RAM role from metadata at http://127.0.0.1:9"].map { text.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "\(text)")
        }
    }

    @Test func halfAKeyInTheEnvironmentIsAMistakeNotASkip() throws {
        #expect(throws: AliyunConfigError.self) {
            try CredentialChain(environment: ["HOME": "/nonexistent", "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx"],
                                profile: nil, signature: .v3, ecsOverride: nil).resolve()
        }
    }

    @Test(arguments: ["http://10.1.2.3:8080", "http://ecs.example.com", "ftp://127.0.0.1", "https://host/path?x=1"])
    func endpointsThatWouldLeakOrCannotBeUsedAreRefused(_ endpoint: String) {
        #expect(throws: AliyunConfigError.self) { try EndpointAddress.parse(endpoint, what: "--endpoint") }
    }

    @Test(arguments: ["http://127.0.0.1:18080", "http://localhost:1", "http://[::1]:9", "https://ecs.cn-hangzhou.aliyuncs.com", "ecs.cn-beijing.aliyuncs.com"])
    func loopbackHTTPAndAnyHTTPSAreAccepted(_ endpoint: String) throws {
        _ = try EndpointAddress.parse(endpoint, what: "--endpoint")
    }

    @Test func theDefaultEndpointIsTheRegionsHTTPSOne() throws {
        #expect(try EndpointAddress.ecs(region: "ap-southeast-1", override: nil).absoluteString == "https://ecs.ap-southeast-1.aliyuncs.com")
    }

    @Test func retriesAreForTheServicesStateNotTheRequestsFault() {
        #expect(RetryPolicy.isRetryable(.init("Throttling.User", "")))
        #expect(RetryPolicy.isRetryable(.init("ServiceUnavailable", "", httpStatus: 503)))
        #expect(RetryPolicy.isRetryable(.init("Whatever", "", httpStatus: 502)))
        #expect(!RetryPolicy.isRetryable(.init("SignatureDoesNotMatch", "")))
        #expect(!RetryPolicy.isRetryable(.init("Forbidden.RAM", "", httpStatus: 403)))
        let policy = RetryPolicy()
        for n in 1...10 { #expect(policy.delay(afterAttempt: n) <= policy.cap) }
    }
}
