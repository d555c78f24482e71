/// The cloud's limits, as SPEC §10 states them.
public enum CloudLimits {
    public static let manualSnapshotsPerDisk = 256
    public static let disksPerGroup = 16
    public static let instancesPerRunCommand = 100
    /// DescribeInstances' InstanceIds holds at most this many IDs.
    public static let instancesPerDescribe = 100
}
