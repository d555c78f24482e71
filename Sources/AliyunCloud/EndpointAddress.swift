import Foundation

/// Where the ECS API is: `https://ecs.REGION.aliyuncs.com`, or an override (`--endpoint`,
/// APPSNAP_ECS_ENDPOINT). Plain HTTP only to this machine: credentials and the signed
/// requests would otherwise cross a network unencrypted.
public enum EndpointAddress {
    public static func ecs(region: String, override: String?) throws -> URL {
        if let override, !override.isEmpty { return try parse(override, what: "--endpoint") }
        return URL(string: "https://ecs.\(region).aliyuncs.com")!
    }

    /// `http://127.0.0.1:18080`, `https://host`, or a bare `host[:port]` (taken as HTTPS).
    public static func parse(_ text: String, what: String) throws -> URL {
        let withScheme = text.contains("://") ? text : "https://" + text
        guard let url = URL(string: withScheme), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
              ["http", "https"].contains(scheme), url.path.isEmpty || url.path == "/", url.query == nil else {
            throw AliyunConfigError("\(what) \(text) is not an endpoint such as https://ecs.cn-hangzhou.aliyuncs.com or http://127.0.0.1:18080")
        }
        if scheme == "http" && !isLoopback(host) {
            throw AliyunConfigError("\(what) \(text): plain http is allowed only to this machine (127.0.0.1, ::1, localhost); use https")
        }
        return url
    }

    public static func isLoopback(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h == "::1" { return true }
        let parts = h.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// `host` or `host:port`, as the Host header carries it (and the signature covers).
    static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return url.port.map { "\(shown):\($0)" } ?? shown
    }
}

/// A configuration mistake the user can fix: the words say how.
public struct AliyunConfigError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
