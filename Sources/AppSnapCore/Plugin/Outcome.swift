/// What a plugin run ended with: the exit code the invocation reports, the group it made,
/// and what kind of consistency its snapshots were tagged with.
public struct Outcome: Equatable, Sendable {
    public var exitCode: ExitCode
    /// The snapshot-consistent group, when one was created and kept.
    public var groupId: String?
    public var consistency: Consistency
    /// Why the snapshots are not application-consistent (the `appsnap:consistency-reason` tag).
    public var reason: String?
    /// The I/O suspension window, first freeze to thaw done; 0 when nothing was frozen.
    public var freezeMs: Double
    public var snapshotIds: [String]

    public init(exitCode: ExitCode, groupId: String? = nil, consistency: Consistency = .crash,
                reason: String? = nil, freezeMs: Double = 0, snapshotIds: [String] = []) {
        self.exitCode = exitCode; self.groupId = groupId; self.consistency = consistency
        self.reason = reason; self.freezeMs = freezeMs; self.snapshotIds = snapshotIds
    }
}

public enum Consistency: String, Equatable, Sendable, CaseIterable {
    /// Tagged `APPConsistent:True`.
    case application
    /// Tagged `FsConsistent:True`.
    case fileSystem
    /// No consistency tag: neither scripts nor a freeze quiesced the disks.
    case crash

    /// The word the log lines use (`Tag snapshots with AppConsistent`).
    public var label: String {
        switch self {
        case .application: return "AppConsistent"
        case .fileSystem: return "FsConsistent"
        case .crash: return "CrashConsistent"
        }
    }

    /// The tag that marks it on every snapshot, nil for crash-consistent.
    public var tag: Tag? {
        switch self {
        case .application: return ConsistencyTag.app
        case .fileSystem: return ConsistencyTag.fs
        case .crash: return nil
        }
    }
}
