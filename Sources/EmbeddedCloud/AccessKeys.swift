import AppSnapCore
import Crypto
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// An access key as `cloud keys list` shows it: never its secret.
public struct AccessKeyInfo: Sendable, Hashable, Codable {
    public var AccessKeyId: String
    public var Description: String
    public var CreationTime: String
    /// The RAM policy's action patterns (`ecs:Describe*`).
    public var Actions: [String]
}

/// What the ECS endpoint needs to check one request: the secret and the policy.
public struct AccessKeyGrant: Sendable {
    public var secret: String
    public var actions: [String]
}

struct AccessKeyRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "accessKey"
    var accessKeyId: String
    var sealedSecret: Data
    var description: String
    var creationTime: String
}

struct AccessKeyActionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "accessKeyAction"
    var accessKeyId: String
    var action: String
}

// Access keys for `appsnap serve` (`appsnap cloud keys create|list|delete`). HMAC needs
// the secret itself to verify, so it is stored sealed (ChaChaPoly) with a key in a 0600
// file of the state folder: a copy of the database alone gives no secret away.
extension EmbeddedCloud {
    /// Makes a key; the secret is returned this once and never shown again. `actions`
    /// default to the demo role's policy (the plugin's own actions).
    public func createAccessKey(actions: [String]?, description: String = "") throws -> (AccessKeyInfo, secret: String) {
        let patterns = try actions ?? store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM ramRoleAction WHERE roleName = ? ORDER BY action",
                                arguments: [DemoInventory.readyRole])
        }.nilIfEmpty ?? DemoInventory.readyPolicy
        if let bad = patterns.first(where: { !RAMPolicy.isValid($0) }) {
            throw ECSError.invalidParameter("Action", "\"\(bad)\" is not a RAM action pattern such as ecs:DescribeDisks, ecs:Describe* or ecs:*")
        }
        guard description.count <= 256 else { throw ECSError.invalidParameter("Description", "at most 256 characters") }
        let id = "LTAI" + Self.randomText(20)
        let secret = Self.randomText(30)
        let sealed = try ChaChaPoly.seal(Data(secret.utf8), using: try sealingKey(), authenticating: Data(id.utf8)).combined
        let now = timestamp()
        let unique = Array(NSOrderedSet(array: patterns)) as! [String]
        try store.writer.write { db in
            try AccessKeyRecord(accessKeyId: id, sealedSecret: sealed, description: description, creationTime: now).insert(db)
            for a in unique { try AccessKeyActionRecord(accessKeyId: id, action: a).insert(db) }
        }
        return (AccessKeyInfo(AccessKeyId: id, Description: description, CreationTime: now, Actions: unique), secret)
    }

    public func listAccessKeys() throws -> [AccessKeyInfo] {
        try store.writer.read { db in
            try AccessKeyRecord.order(Column("creationTime"), Column("accessKeyId")).fetchAll(db).map { r in
                AccessKeyInfo(AccessKeyId: r.accessKeyId, Description: r.description, CreationTime: r.creationTime,
                              Actions: try Self.actions(db, r.accessKeyId))
            }
        }
    }

    public func deleteAccessKey(_ id: String) throws {
        try store.writer.write { db in
            guard try AccessKeyRecord.deleteOne(db, key: id) else {
                throw ECSError.notFound("InvalidAccessKeyId.NotFound", "Specified access key is not found: \(id).")
            }
        }
    }

    /// The secret and policy of a key, for verifying a request; nil for an unknown key.
    /// Read on every request, so a deleted key or a changed policy counts at once: one
    /// cached statement, and the seal opened only the first time it is seen.
    public func accessKeyGrant(_ id: String) throws -> AccessKeyGrant? {
        let rows = try store.writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT k.sealedSecret, a.action FROM accessKey k
                LEFT JOIN accessKeyAction a ON a.accessKeyId = k.accessKeyId
                WHERE k.accessKeyId = ? ORDER BY a.action
                """), arguments: [id])
        }
        guard let first = rows.first else { return nil }
        let sealed: Data = first["sealedSecret"]
        let secret = try sealingKeyCache.opened(sealed) { sealed in
            let box = try ChaChaPoly.SealedBox(combined: sealed)
            return String(decoding: try ChaChaPoly.open(box, using: try sealingKey(), authenticating: Data(id.utf8)), as: UTF8.self)
        }
        return AccessKeyGrant(secret: secret, actions: rows.compactMap { $0["action"] as String? })
    }

    private static func actions(_ db: Database, _ id: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT action FROM accessKeyAction WHERE accessKeyId = ? ORDER BY action", arguments: [id])
    }

    /// The sealing key, made on first use, then kept in memory: `serve` opens a seal on
    /// every request. Created under O_EXCL so two processes making their first key at
    /// once agree on one; the loser reads the winner's.
    private func sealingKey() throws -> SymmetricKey {
        if let key = sealingKeyCache.key { return key }
        let key = try loadOrMakeSealingKey()
        sealingKeyCache.key = key
        return key
    }

    private func loadOrMakeSealingKey() throws -> SymmetricKey {
        let path = layout.accessKeySealingKey.path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            let key = SymmetricKey(size: .bits256)
            let bytes = key.withUnsafeBytes { Data($0) }
            let temp = path + ".\(getpid())"
            close(fd)
            // Written to a temporary name and renamed, so no reader ever sees a short key.
            try bytes.write(to: URL(fileURLWithPath: temp))
            chmod(temp, 0o600)
            guard rename(temp, path) == 0 else { throw PoolError("cannot install", path: path) }
            return key
        }
        guard errno == EEXIST else { throw PoolError("cannot create", path: path) }
        for _ in 0..<50 {
            if let data = FileManager.default.contents(atPath: path), data.count == 32 { return SymmetricKey(data: data) }
            usleep(10_000)  // another process is between its create and its rename
        }
        throw PoolError("\(path) is not a 32-byte key; if it was damaged, delete it and the access keys with it (appsnap cloud keys delete)")
    }

    private static func randomText(_ n: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }
}

/// The sealing key once read, and the secrets already opened (by their sealed bytes, so
/// a key deleted and made again is never answered from an old entry). A class, so the
/// `let` on a Sendable cloud can hold it.
final class SealingKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: SymmetricKey?
    private var openedSecrets: [Data: String] = [:]

    var key: SymmetricKey? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }

    func opened(_ sealed: Data, open: (Data) throws -> String) throws -> String {
        lock.lock()
        if let s = openedSecrets[sealed] { lock.unlock(); return s }
        lock.unlock()
        let secret = try open(sealed)
        lock.lock()
        // Bounded: a server sees few keys; should it see many, start over.
        if openedSecrets.count >= 1024 { openedSecrets.removeAll() }
        openedSecrets[sealed] = secret
        lock.unlock()
        return secret
    }
}

private extension Array {
    var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}

// RAM roles as STS and the metadata service hand them out (`appsnap serve`): a role's
// policy becomes the policy of the temporary key issued for it.
extension EmbeddedCloud {
    /// The role's action patterns; nil when no such role exists.
    public func ramRolePolicy(_ roleName: String) throws -> [String]? {
        try store.writer.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM ramRole WHERE roleName = ?", arguments: [roleName]) != nil else { return nil }
            return try String.fetchAll(db, sql: "SELECT action FROM ramRoleAction WHERE roleName = ? ORDER BY action", arguments: [roleName])
        }
    }

    /// An instance's region and attached role (nil role: none attached); nil when no such instance.
    public func instanceIdentity(_ instanceId: String) throws -> (regionId: String, roleName: String?)? {
        try store.writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT regionId, ramRoleName FROM instance WHERE instanceId = ?",
                                             arguments: [instanceId]) else { return nil }
            return (row["regionId"], row["ramRoleName"])
        }
    }
}
