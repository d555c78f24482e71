/// Where the endpoint finds an access key's secret and RAM policy. The embedded cloud
/// keeps them; the endpoint needs nothing else from it but `CloudAPI`.
public protocol AccessKeyStore: Sendable {
    /// nil for a key that does not exist.
    func key(_ accessKeyId: String) async throws -> ServedKey?
}

public struct ServedKey: Sendable {
    public var secret: String
    /// RAM action patterns (`ecs:Describe*`) this key may call.
    public var actions: [String]
    public init(secret: String, actions: [String]) { self.secret = secret; self.actions = actions }
}

/// The RAM roles STS may hand out (AssumeRole): a role's policy by its name.
public protocol RoleDirectory: Sendable {
    /// nil for a role that does not exist.
    func rolePolicy(_ roleName: String) async throws -> [String]?
}
