import AppSnapCore

/// Everything that can happen to the console: keys, resizes, and the cloud's answers.
public enum Action: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case regionsLoaded([Region])
    case inventoryLoaded(regionId: String, Inventory)
    case groupsLoaded(regionId: String, [SnapshotGroup])
    case invocationsLoaded(regionId: String, [Invocation])
    case cloudAssistantInstalled
    case runStarted(invokeId: String)
    case invocationPolled(InvocationResult)
    case groupCreated(String)
    case groupLoaded(SnapshotGroup?)
    /// Lines for the open log (tests and the benchmark feed it directly).
    case logLines([String])
    case logSaved(path: String, lines: Int)
    /// A cloud call failed; `what` names the call in the operator's words.
    case failed(what: String, message: String)
}

/// What the reducer asks the runtime to do; results come back as actions.
public enum Effect: Equatable, Sendable {
    case loadRegions
    case loadInventory(regionId: String)
    case loadGroups(regionId: String)
    case loadInvocations(regionId: String)
    case execute(ConsolePlan)
    case pollInvocation(regionId: String, invokeId: String, instanceId: String?, after: Double)
    case findGroup(regionId: String, instanceId: String, name: String, after: Double)
    case pollGroup(regionId: String, groupId: String, after: Double)
    case saveLog(path: String, lines: [String])
    case quit
}
