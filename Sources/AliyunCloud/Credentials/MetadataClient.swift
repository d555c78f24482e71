import ECSWire
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The instance metadata service (http://100.100.100.200, or APPSNAP_METADATA_ENDPOINT):
/// a session token first (PUT /latest/api/token), then every read carries it. Timeouts
/// are 1 s, as the vendor's SDKs use: off an instance nothing answers, and waiting longer
/// only delays the error.
public final class MetadataClient: Sendable {
    public static let defaultEndpoint = "http://100.100.100.200"
    public let base: URL
    let transport: HTTPTransport
    let token = TokenBox()

    public init(environment: [String: String]) throws {
        let text = environment["APPSNAP_METADATA_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultEndpoint
        guard let url = URL(string: text.contains("://") ? text : "http://" + text), url.host != nil else {
            throw AliyunConfigError("APPSNAP_METADATA_ENDPOINT \(text) is not a URL such as http://100.100.100.200")
        }
        base = url
        transport = HTTPTransport(timeout: 1)
    }

    public struct Unavailable: Error, CustomStringConvertible, Sendable {
        public var what: String
        public var reason: String
        public var description: String { "the instance metadata service cannot give \(what): \(reason)" }
    }

    public func instanceId() async throws -> String { try await text("/latest/meta-data/instance-id") }
    public func regionId() async throws -> String { try await text("/latest/meta-data/region-id") }

    /// The role attached to this instance (the first line of the listing).
    public func roleName() async throws -> String {
        let listing = try await text("/latest/meta-data/ram/security-credentials/")
        guard let first = listing.split(whereSeparator: \.isNewline).first.map(String.init), !first.isEmpty else {
            throw Unavailable(what: "a RAM role", reason: "no RAM role is attached to this instance")
        }
        return first
    }

    public func roleCredentials(_ role: String) async throws -> ExpiringCredentials {
        let body = try await text("/latest/meta-data/ram/security-credentials/" + role)
        guard let o = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else {
            throw Unavailable(what: "the credentials of role \(role)", reason: "the answer is not JSON")
        }
        guard (o["Code"] as? String) == "Success", let id = o["AccessKeyId"] as? String, let secret = o["AccessKeySecret"] as? String,
              let token = o["SecurityToken"] as? String, let exp = (o["Expiration"] as? String).flatMap(ExpirationTime.parse) else {
            throw Unavailable(what: "the credentials of role \(role)", reason: "the answer is not Code Success with AccessKeyId, AccessKeySecret, SecurityToken and Expiration")
        }
        return ExpiringCredentials(keys: AccessKeyCredentials(accessKeyId: id, accessKeySecret: secret, securityToken: token), expiration: exp)
    }

    private func text(_ path: String) async throws -> String {
        let token = try await sessionToken()
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.setValue(token, forHTTPHeaderField: "X-aliyun-ecs-metadata-token")
        let answer = try await exchange(request, what: path)
        return String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func sessionToken() async throws -> String {
        if let t = token.value { return t }
        var request = URLRequest(url: base.appendingPathComponent("/latest/api/token"))
        request.httpMethod = "PUT"
        request.setValue("21600", forHTTPHeaderField: "X-aliyun-ecs-metadata-token-ttl-seconds")
        let answer = try await exchange(request, what: "a session token")
        let t = String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        token.value = t
        return t
    }

    private func exchange(_ request: URLRequest, what: String) async throws -> HTTPAnswer {
        let answer: HTTPAnswer
        do {
            answer = try await transport.exchange(request)
        } catch let e as TransportError {
            throw Unavailable(what: what, reason: "\(e.description) (is this an ECS instance? APPSNAP_METADATA_ENDPOINT overrides \(Self.defaultEndpoint))")
        }
        guard answer.status == 200 else {
            throw Unavailable(what: what, reason: "HTTP \(answer.status) from \(base.absoluteString)")
        }
        return answer
    }
}

final class TokenBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var value: String? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
