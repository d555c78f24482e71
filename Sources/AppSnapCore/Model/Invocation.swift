/// A Cloud Assistant invocation as DescribeInvocations returns it.
public struct Invocation: Codable, Hashable, Sendable {
    public var InvokeId: String
    public var CommandType: String
    public var CommandContent: String
    /// `Pending`, `Running`, `Success`, `Failed`, `PartialFailed`, `Stopped`.
    public var InvocationStatus: String
    public var CreationTime: String
    public var InvokeInstances: InvokeInstanceSet

    public init(InvokeId: String, CommandType: String, CommandContent: String, InvocationStatus: String,
                CreationTime: String, InvokeInstances: InvokeInstanceSet) {
        self.InvokeId = InvokeId; self.CommandType = CommandType; self.CommandContent = CommandContent
        self.InvocationStatus = InvocationStatus; self.CreationTime = CreationTime; self.InvokeInstances = InvokeInstances
    }
}

public struct InvokeInstance: Codable, Hashable, Sendable {
    public var InstanceId: String
    public var InvocationStatus: String
    public init(InstanceId: String, InvocationStatus: String) { self.InstanceId = InstanceId; self.InvocationStatus = InvocationStatus }
}

public struct InvokeInstanceSet: Codable, Hashable, Sendable {
    public var InvokeInstance: [AppSnapCore.InvokeInstance]
    public init(_ i: [AppSnapCore.InvokeInstance] = []) { InvokeInstance = i }
}

/// One instance's result of an invocation, as DescribeInvocationResults returns it.
public struct InvocationResult: Codable, Hashable, Sendable {
    public var InvokeId: String
    public var InstanceId: String
    /// `Pending`, `Running`, `Success`, `Failed`, `Timeout`, `Stopped`.
    public var InvocationStatus: String
    /// `Running` or `Finished`.
    public var InvokeRecordStatus: String
    /// Null until the command has finished.
    public var ExitCode: Int?
    /// Base64 of the output by default (`ContentEncoding=PlainText` gives it as text).
    public var Output: String
    /// Bytes of output beyond the 24 KB kept.
    public var Dropped: Int
    /// `ExitCodeNonzero`, `InstanceNotRunning`, `ClientNotRunning`, `CommandTimeout`, … or empty.
    public var ErrorCode: String
    public var ErrorInfo: String
    public var StartTime: String
    public var FinishedTime: String

    public init(InvokeId: String, InstanceId: String, InvocationStatus: String, InvokeRecordStatus: String,
                ExitCode: Int?, Output: String, Dropped: Int, ErrorCode: String = "", ErrorInfo: String = "",
                StartTime: String, FinishedTime: String) {
        self.InvokeId = InvokeId; self.InstanceId = InstanceId; self.InvocationStatus = InvocationStatus
        self.InvokeRecordStatus = InvokeRecordStatus; self.ExitCode = ExitCode; self.Output = Output
        self.Dropped = Dropped; self.ErrorCode = ErrorCode; self.ErrorInfo = ErrorInfo
        self.StartTime = StartTime; self.FinishedTime = FinishedTime
    }

    public var isFinished: Bool { InvokeRecordStatus == "Finished" }
}

public enum InvocationStatus {
    public static let running = "Running"
    public static let success = "Success"
    public static let failed = "Failed"
    public static let timeout = "Timeout"
}

/// Output is kept to 24 KB; the rest is counted in `Dropped`.
public let invocationOutputLimit = 24 * 1024
/// CommandContent may be at most 24 KB.
public let commandContentLimit = 24 * 1024
