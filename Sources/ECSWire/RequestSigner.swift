import Foundation

/// An access key as a client signs with it. The secret is never printed: `description`
/// names the key ID only.
public struct AccessKeyCredentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyId: String
    public var accessKeySecret: String
    public var securityToken: String?
    public init(accessKeyId: String, accessKeySecret: String, securityToken: String? = nil) {
        self.accessKeyId = accessKeyId; self.accessKeySecret = accessKeySecret; self.securityToken = securityToken
    }
    public var description: String { "access key \(accessKeyId)" }
}

/// The client side of the wire: one ECS call made into a signed `WireRequest`, with the
/// same canonicalization the server verifies with.
public enum RequestSigner {
    public enum Style: Sendable { case acs3, rpcGET, rpcPOST }

    public static func sign(action: String, version: String = "2014-05-26", parameters: [(String, String)], host: String,
                            credentials: AccessKeyCredentials, style: Style = .acs3, date: Date = Date(),
                            nonce: String = UUID().uuidString) -> WireRequest {
        switch style {
        case .acs3: return acs3(action: action, version: version, parameters: parameters, host: host,
                                credentials: credentials, date: date, nonce: nonce)
        case .rpcGET, .rpcPOST: return rpc(action: action, version: version, parameters: parameters, host: host,
                                           credentials: credentials, post: style == .rpcPOST, date: date, nonce: nonce)
        }
    }

    /// ACS3-HMAC-SHA256: the action's parameters in the query, an empty body, and the
    /// headers the vendor's SDK signs.
    public static func acs3(action: String, version: String, parameters: [(String, String)], host: String,
                            credentials: AccessKeyCredentials, method: String = "POST", date: Date, nonce: String) -> WireRequest {
        let body = Data()
        let hash = ACS3Signature.payloadHash(body)
        var headers = ["host": host, "x-acs-action": action, "x-acs-version": version,
                       "x-acs-date": WireTime.format(date), "x-acs-signature-nonce": nonce,
                       "x-acs-content-sha256": hash]
        if let token = credentials.securityToken { headers["x-acs-security-token"] = token }
        let signed = headers.keys.sorted()
        let canonical = ACS3Signature.canonicalRequest(method: method, path: "/", queryPairs: parameters, headers: headers,
                                                       signedHeaders: signed, payloadHash: hash)
        let auth = ACS3Signature.Authorization(accessKeyId: credentials.accessKeyId, signedHeaders: signed,
                                               signature: ACS3Signature.signature(secret: credentials.accessKeySecret,
                                                                                  canonicalRequest: canonical))
        headers["authorization"] = auth.rendered
        return WireRequest(method: method, path: "/", rawQuery: PercentEncoding.form(parameters), headers: headers, body: body)
    }

    /// RPC v1: every parameter, the common ones included, in the query (GET) or in a form
    /// body (POST); Signature last.
    public static func rpc(action: String, version: String, parameters: [(String, String)], host: String,
                           credentials: AccessKeyCredentials, post: Bool, date: Date, nonce: String) -> WireRequest {
        var all = parameters + [("Action", action), ("Version", version), ("Format", "JSON"),
                                ("AccessKeyId", credentials.accessKeyId), ("SignatureMethod", RPCSignature.method),
                                ("SignatureVersion", RPCSignature.version), ("SignatureNonce", nonce),
                                ("Timestamp", WireTime.format(date))]
        if let token = credentials.securityToken { all.append(("SecurityToken", token)) }
        let method = post ? "POST" : "GET"
        all.append(("Signature", RPCSignature.signature(secret: credentials.accessKeySecret, method: method, parameters: all)))
        let encoded = PercentEncoding.form(all)
        if post {
            return WireRequest(method: method, path: "/", headers: ["host": host,
                                                                    "content-type": "application/x-www-form-urlencoded"],
                               body: Data(encoded.utf8))
        }
        return WireRequest(method: method, path: "/", rawQuery: encoded, headers: ["host": host])
    }
}
