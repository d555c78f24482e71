import ECSWire
import Foundation

/// The instance metadata service of one instance of the served cloud (`appsnap serve
/// --metadata-for ID`), so the plugin can be tested as it runs on a real instance: a
/// session token first, then the instance's ID, region and its role's temporary keys.
public final class MetadataService: Sendable {
    public let instanceId: String
    public let regionId: String
    /// nil: no role attached (the credentials listing is then 404, as on ECS).
    public let roleName: String?
    let rolePolicy: [String]
    let temporary: TemporaryKeys
    /// How long the role's keys last; the client refreshes them 180 s before the end.
    let keyLifetime: TimeInterval
    private let tokens = TokenSet()

    public init(instanceId: String, regionId: String, roleName: String?, rolePolicy: [String], temporary: TemporaryKeys,
                keyLifetime: TimeInterval = 3600) {
        self.instanceId = instanceId; self.regionId = regionId; self.roleName = roleName
        self.rolePolicy = rolePolicy; self.temporary = temporary; self.keyLifetime = keyLifetime
    }

    public func respond(method: String, path: String, header: (String) -> String?) -> (status: Int, body: String) {
        if path == "/latest/api/token" {
            guard method == "PUT" else { return (405, "the token is asked for with PUT") }
            let ttl = Int(header("x-aliyun-ecs-metadata-token-ttl-seconds") ?? "") ?? 0
            guard (1...21600).contains(ttl) else { return (400, "X-aliyun-ecs-metadata-token-ttl-seconds must be 1 to 21600") }
            let token = TemporaryKeys.random(48)
            tokens.add(token, until: Date().addingTimeInterval(TimeInterval(ttl)))
            return (200, token)
        }
        guard method == "GET" else { return (405, "metadata is read with GET") }
        // Hardened mode, as the vendor recommends: no read without a session token.
        guard let token = header("x-aliyun-ecs-metadata-token"), tokens.valid(token) else {
            return (401, "a session token is required: PUT /latest/api/token first")
        }
        let credentials = "/latest/meta-data/ram/security-credentials"
        switch path {
        case "/latest/meta-data/instance-id": return (200, instanceId)
        case "/latest/meta-data/region-id": return (200, regionId)
        case credentials, credentials + "/":
            return roleName.map { (200, $0) } ?? (404, "no RAM role is attached to \(instanceId)")
        default:
            guard path.hasPrefix(credentials + "/"), let roleName, path.dropFirst(credentials.count + 1) == roleName else {
                return (404, "not found")
            }
            let key = temporary.issue(roleName: roleName, actions: rolePolicy, duration: keyLifetime, instanceId: instanceId)
            let body: [String: String] = [
                "Code": "Success", "AccessKeyId": key.accessKeyId, "AccessKeySecret": key.secret,
                "SecurityToken": key.securityToken, "Expiration": WireTime.format(key.expiration),
                "LastUpdated": WireTime.format(Date()),
            ]
            let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
            return (200, String(decoding: data, as: UTF8.self))
        }
    }
}

final class TokenSet: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: [String: Date] = [:]
    func add(_ t: String, until: Date) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        tokens = tokens.filter { $0.value > now }
        tokens[t] = until
    }
    func valid(_ t: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return (tokens[t] ?? .distantPast) > Date()
    }
}
