/// The plugin's exit codes (SPEC §8), with the meaning an operator reads.
public enum ExitCode: Int32, CaseIterable, Sendable {
    case success = 0
    case conditionCheckFailed = 1
    case badParams = 2
    case cloudAccessFailed = 3
    case createGroupFailed = 4
    case groupInvalidState = 5
    case groupTimedOut = 6
    case snapshotUnexpectedState = 7
    case taggingFailed = 8
    case prescriptFailed = 9
    case postscriptFailed = 10
    case suspendFailed = 11
    case resumeFailed = 12
    case ramRoleUnauthorized = 13
    case quotaExceeded = 14
    case snapshotInvalidState = 15
    case creationInProgress = 16
    case unknown = 255

    public var meaning: String {
        switch self {
        case .success: return "the snapshot was created successfully"
        case .conditionCheckFailed: return "a condition check failed (OS, instance state, disks, or root rights)"
        case .badParams: return "the --params given to the plugin are of the wrong type or number"
        case .cloudAccessFailed: return "instance or disk information could not be read from the cloud"
        case .createGroupFailed: return "the snapshot-consistent group could not be created"
        case .groupInvalidState: return "the snapshot-consistent group is in an invalid state"
        case .groupTimedOut: return "timed out while creating the snapshot-consistent group"
        case .snapshotUnexpectedState: return "a disk's snapshot in the group is in an unexpected state"
        case .taggingFailed: return "the snapshots could not be tagged"
        case .prescriptFailed: return "prescript.sh failed or timed out"
        case .postscriptFailed: return "postscript.sh failed or timed out"
        case .suspendFailed: return "file-system I/O could not be suspended in time"
        case .resumeFailed: return "file-system I/O could not be resumed"
        case .ramRoleUnauthorized: return "the instance lacks the required RAM role authorization"
        case .quotaExceeded: return "a disk has reached its snapshot quota"
        case .snapshotInvalidState: return "a snapshot is in an invalid state"
        case .creationInProgress: return "a snapshot creation is already in progress for this instance"
        case .unknown: return "an unknown failure occurred"
        }
    }

    /// The meaning for any integer an invocation reports, including ones outside the table.
    public static func meaning(of code: Int) -> String {
        if let c = ExitCode(rawValue: Int32(truncatingIfNeeded: code)), Int(c.rawValue) == code { return c.meaning }
        return "not an appsnap plugin exit code"
    }
}
