import AppSnapCore

/// Everything that can happen to the console: keys, resizes, and the cloud's answers.
public enum Action: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    /// The refresh timer (every `refreshRate` seconds): the list on screen is reloaded.
    case tick
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
    /// A cloud call failed.
    case failed(CloudCall, message: String)
    /// DeleteSnapshotGroup for each of the dialog's groups: those gone, and why the others are not.
    case groupsDeleted([String], failures: [String: String])
    case groupRenamed(id: String, name: String)
    /// The roll back's DryRun answers (StopInstance when stopping first, then ResetDisks).
    case rollbackChecked([RollbackPlan.Line])
    /// A stop or start step of the roll back, as it happens.
    case rollbackStep(RollbackPlan.Line)
    /// ResetDisks answered: each disk's outcome.
    case rollbackDisks([OperationProgress])
    /// A restore's new disk: created, attached and mounted, or failed; keyed by snapshot.
    case restoreStep(snapshotId: String, RestorePlan.DiskState)
    case restoreFinished(failure: String?)
    /// The roll back ended; nil when every step succeeded.
    case rollbackFinished(failure: String?)
}

/// What the reducer asks the runtime to do; results come back as actions.
public enum Effect: Equatable, Sendable {
    case loadRegions
    case loadInventory(regionId: String)
    case loadGroups(regionId: String)
    case loadInvocations(regionId: String)
    case execute(SnapshotGroupPlan)
    case pollInvocation(regionId: String, invokeId: String, instanceId: String?, after: Double)
    case findGroup(regionId: String, instanceId: String, name: String, after: Double)
    case pollGroup(regionId: String, groupId: String, after: Double)
    case saveLog(path: String, lines: [String])
    /// OSC 52: the terminal puts the text on the clipboard (over ssh and tmux too).
    case copyToClipboard(String)
    case deleteGroups(regionId: String, groupIds: [String])
    case renameGroup(regionId: String, groupId: String, name: String)
    case checkRollback(RollbackPlan)
    case rollback(RollbackPlan)
    /// `mountPoint` only on the host instance.
    case restore(RestorePlan, mountPoint: String?)
    case quit
}
