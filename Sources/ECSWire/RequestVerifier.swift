import AppSnapCore
import Foundation

/// A request whose signature checked out (or was not asked for): who sent it, the
/// action, and its parameters as `ECSActions.call` takes them.
public struct VerifiedCall: Sendable, Hashable {
    /// nil only when signatures are not checked.
    public var accessKeyId: String?
    public var action: String
    public var version: String?
    public var parameters: [String: String]
}

/// The server side of the wire: checks either signature the way the real service does,
/// with the same canonicalization the client signs with (SPEC §13).
public struct RequestVerifier: Sendable {
    public let nonces: NonceCache
    public let clock: any AppSnapCore.Clock
    /// How far a request's time may be from ours, either way.
    public let allowedSkew: TimeInterval

    public init(clock: any AppSnapCore.Clock = SystemClock(), nonces: NonceCache = NonceCache(), allowedSkew: TimeInterval = 15 * 60) {
        self.clock = clock; self.nonces = nonces; self.allowedSkew = allowedSkew
    }

    /// Verifies `request`; `secret` gives an access key's secret, nil for an unknown key.
    public func verify(_ request: WireRequest, secret: (String) async throws -> String?) async throws -> VerifiedCall {
        if let header = request.header("authorization") {
            return try await verifyACS3(request, header: header, secret: secret)
        }
        return try await verifyRPC(request, secret: secret)
    }

    /// The call without any signature check (`serve --no-verify`, for measuring the cost of checking).
    public static func unverified(_ request: WireRequest) throws -> VerifiedCall {
        let params = try parameters(request)
        let action = request.header("x-acs-action") ?? params["Action"]
        guard let action, !action.isEmpty else { throw WireErrors.missing("Action") }
        return VerifiedCall(accessKeyId: nil, action: action, version: request.header("x-acs-version") ?? params["Version"],
                            parameters: params)
    }

    // MARK: - ACS3-HMAC-SHA256

    private func verifyACS3(_ r: WireRequest, header: String, secret: (String) async throws -> String?) async throws -> VerifiedCall {
        guard let auth = ACS3Signature.Authorization(header: header) else {
            throw WireErrors.signatureDoesNotMatch("the Authorization header is not of the form \"ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…\".")
        }
        guard let action = r.header("x-acs-action"), !action.isEmpty else { throw WireErrors.missing("Action") }
        guard let date = r.header("x-acs-date"), !date.isEmpty else { throw WireErrors.missing("Timestamp") }
        guard let nonce = r.header("x-acs-signature-nonce"), !nonce.isEmpty else { throw WireErrors.missing("SignatureNonce") }
        let signed = Set(auth.signedHeaders)
        if let unsigned = r.headers.keys.sorted().first(where: { ACS3Signature.mustSign($0) && !signed.contains($0) }) {
            throw WireErrors.signatureDoesNotMatch("the header \"\(unsigned)\" is not in SignedHeaders; host, content-type and every x-acs-* header sent must be signed.")
        }
        let params = try Self.parameters(r)
        guard let key = try await secret(auth.accessKeyId) else { throw WireErrors.accessKeyNotFound(auth.accessKeyId) }
        try checkTime(date, name: "x-acs-date")
        let hash = ACS3Signature.payloadHash(r.body)
        if let claimed = r.header("x-acs-content-sha256"), claimed.lowercased() != hash {
            throw WireErrors.signatureDoesNotMatch("x-acs-content-sha256 is not the SHA-256 of the body received.")
        }
        let canonical = ACS3Signature.canonicalRequest(method: r.method, path: r.path, queryPairs: r.queryPairs, headers: r.headers,
                                                       signedHeaders: auth.signedHeaders, payloadHash: hash)
        guard Digests.constantTimeEqual(ACS3Signature.signature(secret: key, canonicalRequest: canonical), auth.signature.lowercased()) else {
            throw WireErrors.signatureDoesNotMatch("the signature does not verify; server string to sign is: \(ACS3Signature.stringToSign(canonicalRequest: canonical).replacingOccurrences(of: "\n", with: "\\n"))")
        }
        try remember(nonce, auth.accessKeyId)
        return VerifiedCall(accessKeyId: auth.accessKeyId, action: action, version: r.header("x-acs-version"), parameters: params)
    }

    // MARK: - RPC v1

    private func verifyRPC(_ r: WireRequest, secret: (String) async throws -> String?) async throws -> VerifiedCall {
        let pairs = r.queryPairs + r.formPairs
        let params = try Self.parameters(r)
        func required(_ name: String) throws -> String {
            guard let v = params[name], !v.isEmpty else { throw WireErrors.missing(name) }
            return v
        }
        let accessKeyId = try required("AccessKeyId")
        let signature = try required("Signature")
        let method = try required("SignatureMethod")
        guard method == RPCSignature.method else { throw WireErrors.unsupported("SignatureMethod", method, RPCSignature.method) }
        if let v = params["SignatureVersion"], v != RPCSignature.version {
            throw WireErrors.unsupported("SignatureVersion", v, RPCSignature.version)
        }
        let nonce = try required("SignatureNonce")
        let timestamp = try required("Timestamp")
        let action = try required("Action")
        guard let key = try await secret(accessKeyId) else { throw WireErrors.accessKeyNotFound(accessKeyId) }
        try checkTime(timestamp, name: "Timestamp")
        let toSign = RPCSignature.stringToSign(method: r.method, parameters: pairs)
        guard Digests.constantTimeEqual(RPCSignature.signature(secret: key, stringToSign: toSign), signature) else {
            throw WireErrors.signatureDoesNotMatch("the signature does not verify; server string to sign is: \(toSign)")
        }
        try remember(nonce, accessKeyId)
        return VerifiedCall(accessKeyId: accessKeyId, action: action, version: params["Version"], parameters: params)
    }

    // MARK: - Shared

    private func checkTime(_ text: String, name: String) throws {
        guard let t = WireTime.parse(text) else { throw WireErrors.timestampMalformed(name, text) }
        guard abs(t.timeIntervalSince(clock.now())) <= allowedSkew else { throw WireErrors.timestampExpired(text) }
    }

    /// Only after the signature verified: a forged request must not use up a nonce.
    private func remember(_ nonce: String, _ accessKeyId: String) throws {
        switch nonces.remember(nonce, accessKeyId: accessKeyId, now: clock.now().timeIntervalSince1970) {
        case .fresh: return
        case .replayed: throw WireErrors.nonceUsed(nonce)
        case .full: throw WireErrors.throttled("too many distinct requests within 15 minutes; try again shortly.")
        }
    }

    /// The query's and the form body's parameters as one map; a name given twice is refused,
    /// since which of the two the action would see is not for the server to guess.
    static func parameters(_ r: WireRequest) throws -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in r.queryPairs + r.formPairs where !k.isEmpty {
            guard out[k] == nil else {
                throw ECSError.invalidParameter(k, "it is given twice (in the query and the body, or twice in one)")
            }
            out[k] = v
        }
        return out
    }
}
