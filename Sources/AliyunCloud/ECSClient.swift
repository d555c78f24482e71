import AppSnapCore
import ECSWire
import Foundation

/// Signs, sends and decodes one RPC call (ECS or STS), retrying what may be retried.
/// Every failure leaves as an `ECSError` with Code, Message and RequestId, so every front
/// end shows the service's own words.
public final class ECSClient: Sendable {
    public enum Signature: String, Sendable, CaseIterable { case v3, v1 }

    public let endpoint: URL
    let credentials: any CredentialsProvider
    let signature: Signature
    let transport: HTTPTransport
    let retry: RetryPolicy
    let version: String
    /// Counted for the benchmark's requests-per-refresh figure.
    let counter = RequestCounter()

    public init(endpoint: URL, credentials: any CredentialsProvider, signature: Signature = .v3,
                version: String = "2014-05-26", retry: RetryPolicy = RetryPolicy(), timeout: TimeInterval = 30) {
        self.endpoint = endpoint; self.credentials = credentials; self.signature = signature
        self.version = version; self.retry = retry
        transport = HTTPTransport(timeout: timeout)
    }

    public var requestsSent: Int { counter.value }

    /// `idempotent` says a retry cannot do the work twice: reads, and creates carrying a
    /// ClientToken. Anything else is sent once.
    public func call(_ action: String, _ parameters: [(String, String)], idempotent: Bool) async throws -> [String: Any] {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await once(action, parameters)
            } catch let e as ECSError {
                guard idempotent, RetryPolicy.isRetryable(e), attempt < retry.attempts else { throw e }
            } catch let e as TransportError {
                guard idempotent, attempt < retry.attempts else {
                    throw ECSError("ServiceUnavailable", "\(action): \(e.description)" + (attempt > 1 ? " (after \(attempt) attempts)" : ""),
                                   httpStatus: 503, requestId: "", hostId: endpoint.host ?? "")
                }
            }
            try await Task.sleep(nanoseconds: UInt64(retry.delay(afterAttempt: attempt) * 1e9))
        }
    }

    private func once(_ action: String, _ parameters: [(String, String)]) async throws -> [String: Any] {
        let keys = try await credentials.credentials()
        let style: RequestSigner.Style = signature == .v3 ? .acs3 : .rpcPOST
        let wire = RequestSigner.sign(action: action, version: version, parameters: parameters,
                                      host: EndpointAddress.hostHeader(endpoint), credentials: keys, style: style)
        counter.add()
        let answer = try await transport.send(wire, to: endpoint)
        let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any]
        guard (200..<300).contains(answer.status) else {
            if let object, object["Code"] != nil, var e = try? JSONDecoder().decode(ECSError.self, from: answer.body) {
                e.httpStatus = answer.status
                throw e
            }
            let text = String(decoding: answer.body.prefix(200), as: UTF8.self)
            throw ECSError(answer.status >= 500 ? "InternalError" : "InvalidResponse",
                           "\(action): HTTP \(answer.status) without an ECS error body: \(text)",
                           httpStatus: answer.status, requestId: "", hostId: endpoint.host ?? "")
        }
        guard let object else {
            throw ECSError("InvalidResponse", "\(action): the answer is not a JSON object", httpStatus: 502,
                           requestId: "", hostId: endpoint.host ?? "")
        }
        return object
    }
}

final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
