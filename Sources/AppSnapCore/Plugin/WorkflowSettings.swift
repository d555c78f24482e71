/// Bounds the workflows use that are not `--params`; tests shorten them.
public struct WorkflowSettings: Sendable, Equatable {
    /// How long prescript.sh and postscript.sh may each run (SPEC §4 step 7).
    public var scriptTimeoutSeconds: Double
    /// How long to wait for the group to become `accomplished` before exit 6.
    public var groupWaitSeconds: Double
    /// Pause between DescribeSnapshotGroups polls.
    public var pollIntervalSeconds: Double
    /// Windows has no TimeoutInSeconds: VSS bounds a writer freeze at 60 s, so do we.
    public var vssFreezeTimeoutSeconds: Double

    public init(scriptTimeoutSeconds: Double = 1800, groupWaitSeconds: Double = 600,
                pollIntervalSeconds: Double = 2, vssFreezeTimeoutSeconds: Double = 60) {
        self.scriptTimeoutSeconds = scriptTimeoutSeconds; self.groupWaitSeconds = groupWaitSeconds
        self.pollIntervalSeconds = pollIntervalSeconds; self.vssFreezeTimeoutSeconds = vssFreezeTimeoutSeconds
    }
}
