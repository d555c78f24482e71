import AppSnapCore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Who is calling the cloud: the account owner (may do everything), or a process on an
/// instance acting with that instance's RAM role (may do what the role's policy allows).
public enum Caller: Sendable, Hashable {
    case account
    case instanceRole(String)
}

enum Authorization {
    /// Throws `Forbidden.RAM` unless `caller` may perform `ecs:<action>`. `aboutOnly` names
    /// the instances a read is limited to: an instance may always read what its metadata
    /// service would tell it about itself (its identity, its attached role), policy or not.
    static func check(_ db: Database, caller: Caller, action: String, aboutOnly: [String]? = nil) throws {
        guard case .instanceRole(let instanceId) = caller else { return }
        if let ids = aboutOnly, !ids.isEmpty, ids.allSatisfy({ $0 == instanceId }),
           try InstanceRecord.fetchOne(db, key: instanceId) != nil {
            return
        }
        guard let instance = try InstanceRecord.fetchOne(db, key: instanceId),
              let role = instance.ramRoleName else {
            throw ECSError.forbiddenRAM(action)
        }
        let patterns = try RamRoleActionRecord.filter(Column("roleName") == role).fetchAll(db).map(\.action)
        guard patterns.contains(where: { allows($0, "ecs:" + action) }) else {
            throw ECSError.forbiddenRAM(action)
        }
    }

    static func allows(_ pattern: String, _ action: String) -> Bool {
        RAMPolicy.allows(pattern, action)
    }
}
