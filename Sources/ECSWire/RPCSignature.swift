import Foundation

/// RPC signature v1 (HMAC-SHA1), as the older SDKs and `signature_algorithm='v2'` sign:
/// `METHOD&%2F&encode(canonical query of every parameter but Signature)`, keyed with
/// `secret&`, Base64. The parameters are the query's and the form body's together.
public enum RPCSignature {
    public static let method = "HMAC-SHA1"
    public static let version = "1.0"

    public static func stringToSign(method: String, parameters: [(String, String)]) -> String {
        let signed = parameters.filter { $0.0 != "Signature" }
        return method.uppercased() + "&" + PercentEncoding.encode("/") + "&"
            + PercentEncoding.encode(PercentEncoding.canonicalQuery(signed))
    }

    public static func signature(secret: String, stringToSign: String) -> String {
        Digests.hmacSHA1Base64(key: secret + "&", stringToSign)
    }

    public static func signature(secret: String, method: String, parameters: [(String, String)]) -> String {
        signature(secret: secret, stringToSign: stringToSign(method: method, parameters: parameters))
    }
}

/// ACS3-HMAC-SHA256 (signature V3), the current SDKs' default: a canonical request of
/// method, path, canonical query, the signed headers and the body's SHA-256, hashed into
/// `ACS3-HMAC-SHA256\n<hex>` and keyed with the secret.
public enum ACS3Signature {
    public static let algorithm = "ACS3-HMAC-SHA256"

    /// `headers` are lower-case names; only those in `signedHeaders` take part, in that
    /// sorted order, each value trimmed.
    public static func canonicalRequest(method: String, path: String, queryPairs: [(String, String)],
                                        headers: [String: String], signedHeaders: [String], payloadHash: String) -> String {
        let names = signedHeaders.map { $0.lowercased() }.sorted()
        let canonicalHeaders = names.map { "\($0):\((headers[$0] ?? "").trimmingCharacters(in: .whitespaces))\n" }.joined()
        return [method.uppercased(), path.isEmpty ? "/" : path, PercentEncoding.canonicalQuery(queryPairs),
                canonicalHeaders, names.joined(separator: ";"), payloadHash].joined(separator: "\n")
    }

    public static func stringToSign(canonicalRequest: String) -> String {
        algorithm + "\n" + Digests.sha256Hex(canonicalRequest)
    }

    public static func signature(secret: String, canonicalRequest: String) -> String {
        Digests.hmacSHA256Hex(key: secret, stringToSign(canonicalRequest: canonicalRequest))
    }

    public static func payloadHash(_ body: Data) -> String { Digests.sha256Hex(body) }

    /// The `Authorization` header's three parts.
    public struct Authorization: Sendable, Hashable {
        public var accessKeyId: String
        public var signedHeaders: [String]
        public var signature: String

        public init(accessKeyId: String, signedHeaders: [String], signature: String) {
            self.accessKeyId = accessKeyId; self.signedHeaders = signedHeaders; self.signature = signature
        }

        public var rendered: String {
            "\(ACS3Signature.algorithm) Credential=\(accessKeyId),SignedHeaders=\(signedHeaders.joined(separator: ";")),Signature=\(signature)"
        }

        /// nil when the header is not an ACS3 one or lacks a part.
        public init?(header: String) {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(ACS3Signature.algorithm + " ") else { return nil }
            var fields: [String: String] = [:]
            for part in trimmed.dropFirst(ACS3Signature.algorithm.count + 1).split(separator: ",") {
                guard let eq = part.firstIndex(of: "=") else { return nil }
                fields[part[..<eq].trimmingCharacters(in: .whitespaces)] = String(part[part.index(after: eq)...])
                    .trimmingCharacters(in: .whitespaces)
            }
            guard let id = fields["Credential"], !id.isEmpty, let names = fields["SignedHeaders"], !names.isEmpty,
                  let sig = fields["Signature"], !sig.isEmpty else { return nil }
            self.init(accessKeyId: id, signedHeaders: names.split(separator: ";").map { $0.lowercased() }, signature: sig)
        }
    }

    /// Headers that must be signed whenever present: `host`, `content-type` and every
    /// `x-acs-*` one (the vendor's rule), so none of them can be changed in transit.
    public static func mustSign(_ name: String) -> Bool {
        name == "host" || name == "content-type" || name.hasPrefix("x-acs-")
    }
}
