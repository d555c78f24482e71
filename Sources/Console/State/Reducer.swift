import AppSnapCore

/// The pure heart of the console: the new state and the effects to perform.
public func reduce(_ state: ConsoleState, _ action: Action) -> (ConsoleState, [Effect]) {
    var s = state
    let effects = reduce(&s, action)
    return (s, effects)
}

/// In-place form: the state can hold 10,000 instances, so hot paths avoid copies.
@discardableResult
public func reduce(_ s: inout ConsoleState, _ action: Action) -> [Effect] {
    switch action {
    case .key(let key):
        return Keys.handle(&s, key)
    case .tick:
        return Refresh.tick(&s)
    case let .resize(w, h):
        s.width = w; s.height = h
        Lists.keepCursorsVisible(&s)
        return []
    case .regionsLoaded(let regions):
        s.loading.remove(.regions)
        s.regions = regions
        s.regionList.setRows(regions.map { "\($0.RegionId) \($0.LocalName)".lowercased() }, ids: regions.map(\.RegionId))
        if let id = s.regionId, let i = regions.firstIndex(where: { $0.RegionId == id }) { s.regionList.moveTo(i) }
        return []
    case let .inventoryLoaded(region, inv):
        guard region == s.regionId else { return [] }
        s.loading.remove(.instances)
        let unchanged = inv.searchKeys == s.instanceList.keys && inv.instances.count == s.inventory.instances.count
        s.inventory = inv
        // A refresh that changed no row's text keeps the list as it is (and its filter's
        // remembered matches): the common case every 2 s costs one comparison.
        if !unchanged {
            s.instanceList.setRows(inv.searchKeys, ids: inv.instances.map(\.InstanceId))
        }
        return []
    case let .groupsLoaded(region, groups):
        guard region == s.regionId else { return [] }
        s.loading.remove(.groups)
        s.groups = groups.sorted { $0.CreationTime > $1.CreationTime }
        Lists.setGroupRows(&s)
        return []
    case let .invocationsLoaded(region, invs):
        guard region == s.regionId else { return [] }
        s.loading.remove(.invocations)
        s.invocations = invs.sorted { $0.CreationTime > $1.CreationTime }
        s.invocationList.setRows(s.invocations.map {
            "\($0.InvokeId) \($0.InvocationStatus) \($0.InvokeInstances.InvokeInstance.map(\.InstanceId).joined(separator: " ")) \($0.CommandContent)".lowercased()
        }, ids: s.invocations.map(\.InvokeId))
        return []
    case .cloudAssistantInstalled:
        guard var run = s.run else { return [] }
        run.phase = .starting
        run.log.append("Cloud Assistant installed on \(run.instanceId ?? "the instance")")
        s.run = run
        return []
    case .runStarted(let id):
        guard var run = s.run else { return [] }
        run.invokeId = id
        run.phase = .running
        s.run = run
        return [.pollInvocation(regionId: run.regionId, invokeId: id, instanceId: run.instanceId, after: 0)]
    case .invocationPolled(let result):
        return Runs.ingest(&s, result)
    case .groupCreated(let id):
        s.run?.groupId = id
        s.run?.phase = .finished
        s.run?.log.append("CreateSnapshotGroup: \(id) (crash-consistent, no consistency tag)")
        guard let region = s.run?.regionId else { return [] }
        return [.pollGroup(regionId: region, groupId: id, after: 0)]
    case .groupLoaded(let group):
        return Runs.groupLoaded(&s, group)
    case .logLines(let lines):
        s.run?.log.append(contentsOf: lines)
        return []
    case let .logSaved(path, n):
        s.message = StatusMessage(level: .info, text: "saved \(n) lines to \(path)")
        return []
    case let .failed(call, message):
        return Runs.failed(&s, call, message: message)
    case let .groupsDeleted(deleted, failures):
        return GroupDialogs.deleted(&s, deleted: deleted, failures: failures)
    case let .groupRenamed(id, name):
        return GroupDialogs.renamed(&s, id: id, name: name)
    case let .rollbackChecked(lines):
        Rollbacks.update(&s) { $0.dryRun = lines }
        return []
    case let .rollbackStep(line):
        Rollbacks.update(&s) { $0.steps.append(line) }
        return []
    case let .rollbackDisks(progress):
        return Rollbacks.disks(&s, progress)
    case let .restoreStep(id, state):
        Restores.update(&s) { $0.disks[id] = state }
        return []
    case let .restoreFinished(failure):
        return Restores.finished(&s, failure: failure)
    case let .rollbackFinished(failure):
        return Rollbacks.finished(&s, failure: failure)
    }
}

/// The effects that start the console: regions, and the region's data when one is preset.
public func startEffects(_ s: inout ConsoleState) -> [Effect] {
    s.loading.insert(.regions)
    var out: [Effect] = [.loadRegions]
    if let r = s.regionId {
        s.stack = [.regions, .tab(.instances)]
        out += Lists.loadRegion(&s, r)
    }
    return out
}

enum Lists {
    static func loadRegion(_ s: inout ConsoleState, _ region: String) -> [Effect] {
        Refresh.load(&s, [.instances, .groups, .invocations])
    }

    static func setGroupRows(_ s: inout ConsoleState) {
        s.groupList.setRows(s.groups.map { "\($0.Name) \($0.SnapshotGroupId) \($0.InstanceId) \($0.Status)".lowercased() },
                            ids: s.groups.map(\.SnapshotGroupId))
    }

    /// The ID of the row under the cursor of the list on screen.
    static func currentId(_ s: ConsoleState) -> String? {
        switch s.place {
        case .tab(.instances): return s.instanceList.selectedId
        case .tab(.groups): return s.groupList.selectedId
        case .tab(.invocations): return s.invocationList.selectedId
        default: return nil
        }
    }

    static func keepCursorsVisible(_ s: inout ConsoleState) {
        let h = s.listHeight
        s.regionList.scrollIntoView(height: h); s.instanceList.scrollIntoView(height: h)
        s.groupList.scrollIntoView(height: h); s.invocationList.scrollIntoView(height: h)
    }

    /// The list the operator is looking at.
    static func withCurrent(_ s: inout ConsoleState, _ body: (inout FilteredList) -> Void) {
        switch s.place {
        case .regions: body(&s.regionList)
        case .tab(.instances): body(&s.instanceList)
        case .tab(.groups): body(&s.groupList)
        case .tab(.invocations): body(&s.invocationList)
        default: return
        }
        keepCursorsVisible(&s)
    }

    static func currentQuery(_ s: ConsoleState) -> String {
        switch s.place {
        case .regions: return s.regionList.query
        case .tab(.instances): return s.instanceList.query
        case .tab(.groups): return s.groupList.query
        case .tab(.invocations): return s.invocationList.query
        default: return ""
        }
    }

    static func selectedInstance(_ s: ConsoleState) -> Instance? {
        switch s.place {
        case .tab(.groups):
            guard let i = s.groupList.selected else { return nil }
            return s.inventory.instances.first { $0.InstanceId == s.groups[i].InstanceId }
        case .groupDetail(let id):
            guard let g = s.groups.first(where: { $0.SnapshotGroupId == id }) else { return nil }
            return s.inventory.instances.first { $0.InstanceId == g.InstanceId }
        default:
            return s.instanceList.selected.map { s.inventory.instances[$0] }
        }
    }
}
