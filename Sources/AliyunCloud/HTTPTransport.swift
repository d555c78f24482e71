import ECSWire
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange, as the client sees it: the status, the body, nothing else.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var body: Data
}

/// A transport failure before an answer arrived (refused, reset, cut off mid-body, timed out).
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var url: String
    public var reason: String
    public var description: String { "cannot reach \(url): \(reason)" }
}

/// HTTP over Foundation's URLSession, which ships with the toolchain: HTTPS certificates
/// are verified by libcurl, and no extra package is built in CI.
public final class HTTPTransport: Sendable {
    let session: URLSession

    /// `timeout` bounds both connecting and waiting for data (the metadata service asks 1 s).
    public init(timeout: TimeInterval) {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = max(timeout, 30)
        config.httpCookieStorage = nil
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: config)
    }

    /// Sends `wire` to `base` (scheme, host and port); the signed headers go as they are.
    public func send(_ wire: WireRequest, to base: URL) async throws -> HTTPAnswer {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        components.path = wire.path
        // Already percent-encoded by the signer: set as it is, so what was signed is sent.
        components.percentEncodedQuery = wire.rawQuery.isEmpty ? nil : wire.rawQuery
        var request = URLRequest(url: components.url!)
        request.httpMethod = wire.method
        for (name, value) in wire.headers where name != "host" { request.setValue(value, forHTTPHeaderField: name) }
        if !wire.body.isEmpty { request.httpBody = wire.body }
        return try await exchange(request)
    }

    public func exchange(_ request: URLRequest) async throws -> HTTPAnswer {
        let where_ = (request.url?.host ?? "?") + (request.url?.port.map { ":\($0)" } ?? "")
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                throw TransportError(url: where_, reason: "the answer is not HTTP")
            }
            return HTTPAnswer(status: http.statusCode, body: data)
        } catch let e as TransportError {
            throw e
        } catch let e as URLError {
            throw TransportError(url: where_, reason: Self.words(e))
        } catch {
            throw TransportError(url: where_, reason: "\(error)")
        }
    }

    static func words(_ e: URLError) -> String {
        switch e.code {
        case .timedOut: return "timed out"
        case .cannotConnectToHost: return "connection refused"
        case .networkConnectionLost: return "the connection was closed before the answer was complete"
        case .cannotFindHost, .dnsLookupFailed: return "the host name does not resolve"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "the TLS certificate does not verify (\(e.localizedDescription))"
        default: return e.localizedDescription
        }
    }
}
