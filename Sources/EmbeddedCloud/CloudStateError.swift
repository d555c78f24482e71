import AppSnapCore
import Foundation
import GRDB

/// Why a state folder cannot be opened as it is. Each case says how to recover.
public enum CloudStateError: Error, CustomStringConvertible, Sendable, ECSErrorConvertible {
    /// No database (or a zero-length one) beside data that belongs to an earlier cloud.
    case databaseMissing(folder: String, state: String, holds: String)
    /// The database exists but SQLite cannot use it.
    case databaseUnusable(folder: String, cause: String)

    public var description: String {
        switch self {
        case .databaseMissing(let folder, let state, let holds):
            return """
                the embedded cloud's database \(folder)/appsnap.sqlite is \(state), but the folder still holds \
                \(holds); nothing was changed and no image was touched. Rebuild the database from the pool with \
                `appsnap cloud fsck --state \(folder)`, or remove everything with `appsnap cloud reset --state \(folder)`.
                """
        case .databaseUnusable(let folder, let cause):
            return """
                the embedded cloud's database \(folder)/appsnap.sqlite cannot be used (\(cause)); nothing was changed. \
                `appsnap cloud fsck --state \(folder)` sets it aside and rebuilds what it can from the pool.
                """
        }
    }
}

extension CloudStateError {
    public var ecsError: ECSError { .internalError(description) }
}

/// SQLite failing under a request (a database truncated or corrupted while in use):
/// SQLite's own words, without GRDB's dump of the statement.
extension DatabaseError: ECSErrorConvertible {
    public var ecsError: ECSError { .internalError("SQLite: \(EmbeddedCloud.sqliteCause(self))") }
}
