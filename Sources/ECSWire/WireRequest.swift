import Foundation

/// One HTTP request as the wire carries it, independent of any HTTP library: the server
/// builds one from what it received and verifies it; the client builds, signs and sends
/// one. Header names are compared without case.
public struct WireRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    /// The query as received (still percent-encoded), without the `?`.
    public var rawQuery: String
    public var headers: [String: String]
    public var body: Data

    public init(method: String, path: String = "/", rawQuery: String = "", headers: [String: String] = [:], body: Data = Data()) {
        self.method = method.uppercased()
        self.path = path.isEmpty ? "/" : path
        self.rawQuery = rawQuery
        self.headers = [:]
        for (k, v) in headers { self.headers[k.lowercased()] = v }
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    public var queryPairs: [(String, String)] { PercentEncoding.pairs(rawQuery[...]) }

    /// Whether the body is an `application/x-www-form-urlencoded` form.
    public var hasFormBody: Bool {
        guard !body.isEmpty else { return false }
        return (header("content-type") ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded")
    }

    /// The form body's decoded pairs (`+` read as a space); none when the body is no form.
    public var formPairs: [(String, String)] {
        hasFormBody ? PercentEncoding.pairs(Substring(String(decoding: body, as: UTF8.self))) : []
    }
}
