import ECSWire
import Foundation

/// Temporary credentials the endpoint issued (STS AssumeRole, the metadata service's role
/// credentials): `STS.…` key, secret and security token, bound to a role's policy, valid
/// until their expiration. Kept in this process's memory only: they die with it, as a
/// temporary key should, and no secret reaches the disk.
public final class TemporaryKeys: @unchecked Sendable {
    public struct Issued: Sendable {
        public var accessKeyId: String
        public var secret: String
        public var securityToken: String
        public var expiration: Date
        public var actions: [String]
        public var roleName: String
        /// Set for the keys the metadata service hands an instance: their calls are that
        /// instance's, as the embedded cloud treats its own instances' calls.
        public var instanceId: String?
    }

    private let lock = NSLock()
    private var keys: [String: Issued] = [:]

    public init() {}

    public func issue(roleName: String, actions: [String], duration: TimeInterval, instanceId: String? = nil,
                      now: Date = Date()) -> Issued {
        let key = Issued(accessKeyId: "STS." + Self.random(24), secret: Self.random(40), securityToken: "CAIS" + Self.random(120),
                         expiration: now.addingTimeInterval(duration), actions: actions, roleName: roleName, instanceId: instanceId)
        lock.lock(); defer { lock.unlock() }
        // Expired ones go as new ones come, so the map stays the size of what is in use.
        keys = keys.filter { $0.value.expiration > now }
        keys[key.accessKeyId] = key
        return key
    }

    public func lookup(_ accessKeyId: String) -> Issued? {
        lock.lock(); defer { lock.unlock() }
        return keys[accessKeyId]
    }

    static func random(_ n: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }
}
