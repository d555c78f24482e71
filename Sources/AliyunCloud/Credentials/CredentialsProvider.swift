import ECSWire
import Foundation

/// Where a call's access key comes from. Temporary keys (STS, the instance's role) are
/// fetched again before they expire; long-term keys are simply returned.
public protocol CredentialsProvider: Sendable {
    func credentials() async throws -> AccessKeyCredentials
    /// Where the key came from, for messages: never the key or its secret.
    var source: String { get }
}

/// A key given outright: the environment, an AK or StsToken profile, an INI access_key.
public struct StaticCredentials: CredentialsProvider {
    let keys: AccessKeyCredentials
    public let source: String
    public init(_ keys: AccessKeyCredentials, source: String) { self.keys = keys; self.source = source }
    public func credentials() async throws -> AccessKeyCredentials { keys }
}

/// Temporary credentials and when they stop working.
public struct ExpiringCredentials: Sendable {
    public var keys: AccessKeyCredentials
    public var expiration: Date
    public init(keys: AccessKeyCredentials, expiration: Date) { self.keys = keys; self.expiration = expiration }
}

/// Caches what `fetch` returns and fetches again when 180 s or less remain (SPEC §13),
/// so a long run never signs with a key about to lapse.
public actor RefreshingCredentials: CredentialsProvider {
    public nonisolated let source: String
    let fetch: @Sendable () async throws -> ExpiringCredentials
    let margin: TimeInterval
    let now: @Sendable () -> Date
    private var cached: ExpiringCredentials?

    public init(source: String, margin: TimeInterval = 180, now: @escaping @Sendable () -> Date = { Date() },
                fetch: @escaping @Sendable () async throws -> ExpiringCredentials) {
        self.source = source; self.margin = margin; self.now = now; self.fetch = fetch
    }

    public func credentials() async throws -> AccessKeyCredentials {
        if let cached, cached.expiration.timeIntervalSince(now()) > margin { return cached.keys }
        let fresh = try await fetch()
        cached = fresh
        return fresh.keys
    }
}

/// No source had a key: the message names every source tried, in the chain's order.
public struct NoCredentialsError: Error, CustomStringConvertible, Sendable {
    public var tried: [String]
    public var description: String {
        "no Alibaba Cloud credentials found; tried, in order: " + tried.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; ")
    }
}

/// ISO-8601 with or without fractional seconds, as STS and the metadata service write it.
enum ExpirationTime {
    static func parse(_ s: String) -> Date? { WireTime.parse(s) }
}
