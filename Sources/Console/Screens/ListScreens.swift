import AppSnapCore

/// What every list screen shares: cursor movement, marks, the filter, refresh, tabs.
enum ListCommands {
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        let page = max(1, s.listHeight - 1)
        switch command {
        case .up: Lists.withCurrent(&s) { $0.move(by: -1) }
        case .down: Lists.withCurrent(&s) { $0.move(by: 1) }
        case .pageUp: Lists.withCurrent(&s) { $0.move(by: -page) }
        case .pageDown: Lists.withCurrent(&s) { $0.move(by: page) }
        case .top: Lists.withCurrent(&s) { $0.moveTo(0) }
        case .bottom: Lists.withCurrent(&s) { $0.moveTo(Int.max) }
        case .filter: s.prompt = Prompt(kind: .filter, text: Lists.currentQuery(s))
        case .mark: Lists.withCurrent(&s) { $0.toggleMark(); $0.move(by: 1) }
        case .markRange: Lists.withCurrent(&s) { $0.markRange() }
        case .clearMarks: Lists.withCurrent(&s) { $0.clearMarks() }
        case .left, .previousTab: switchTab(&s, by: -1)
        case .right, .nextTab: switchTab(&s, by: 1)
        case .refresh: return Refresh.now(&s)
        case .copyId: return Keys.copy(&s, Lists.currentId(s))
        default: return nil
        }
        return []
    }

    static func switchTab(_ s: inout ConsoleState, by delta: Int) {
        guard case .tab(let t) = s.place else { return }
        let all = Tab.allCases
        let i = (all.firstIndex(of: t)! + delta + all.count) % all.count
        s.stack[s.stack.count - 1] = .tab(all[i])
    }
}

enum RegionsScreen: Screen {
    static func contexts(_ s: ConsoleState) -> [KeyContext] { [.regions] }
    /// Once a region is picked its crumb is the region; on the picker itself, "Regions".
    static func crumb(_ s: ConsoleState) -> String { s.regionId ?? "Regions" }
    static func render(_ g: inout Grid, _ s: ConsoleState) { ListViews.regions(&g, s) }
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        switch command {
        case .confirm:
            guard let i = s.regionList.selected else { return [] }
            let id = s.regions[i].RegionId
            let changed = id != s.regionId
            s.regionId = id
            s.stack = [.regions, .tab(.instances)]
            // Another region's loads still in flight will be dropped when they answer (their
            // region is not this one): they must not keep this region's from starting.
            if changed { s.loading.subtract([.instances, .groups, .invocations]) }
            return changed || s.inventory.instances.isEmpty ? Lists.loadRegion(&s, id) : Refresh.now(&s)
        case .mark, .markRange, .clearMarks, .copyId, .left, .right, .nextTab, .previousTab: return nil
        default: return ListCommands.perform(&s, command)
        }
    }
}

enum InstancesScreen: Screen {
    static func contexts(_ s: ConsoleState) -> [KeyContext] { [.list] }
    static func crumb(_ s: ConsoleState) -> String { Tab.instances.rawValue }
    static func render(_ g: inout Grid, _ s: ConsoleState) { Chrome.drawTabs(&g, s); ListViews.instances(&g, s) }
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        switch command {
        case .confirm, .create: return CreateScreen.open(&s)
        default: return ListCommands.perform(&s, command)
        }
    }
}

enum GroupsScreen: Screen {
    /// The group actions are bound in `.groups`, over what every list does.
    static func contexts(_ s: ConsoleState) -> [KeyContext] { [.groups, .list] }
    static func crumb(_ s: ConsoleState) -> String { Tab.groups.rawValue }
    static func render(_ g: inout Grid, _ s: ConsoleState) { Chrome.drawTabs(&g, s); ListViews.groups(&g, s) }
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        switch command {
        case .confirm:
            guard let i = s.groupList.selected else { return [] }
            let g = s.groups[i]
            s.detailScroll = 0
            s.stack.append(.groupDetail(g.SnapshotGroupId))
            if g.Status == SnapshotStatus.progressing, let r = s.regionId {
                return [.pollGroup(regionId: r, groupId: g.SnapshotGroupId, after: 0)]
            }
            return []
        case .create: return CreateScreen.open(&s)
        case .rollback, .restore, .rename, .delete:
            return GroupDialogs.open(&s, command, group: s.groupList.selected.map { s.groups[$0] })
        default: return ListCommands.perform(&s, command)
        }
    }
}

enum InvocationsScreen: Screen {
    static func contexts(_ s: ConsoleState) -> [KeyContext] { [.list] }
    static func crumb(_ s: ConsoleState) -> String { Tab.invocations.rawValue }
    static func render(_ g: inout Grid, _ s: ConsoleState) { Chrome.drawTabs(&g, s); ListViews.invocations(&g, s) }
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        switch command {
        case .confirm:
            guard let i = s.invocationList.selected, let r = s.regionId else { return [] }
            let inv = s.invocations[i]
            // The run already on screen (its polling goes on after Esc): show it, poll it once.
            if s.run?.invokeId == inv.InvokeId {
                s.stack.append(.run)
                return []
            }
            let instance = inv.InvokeInstances.InvokeInstance.first?.InstanceId
            var run = RunState(request: nil, regionId: r, instanceId: instance, phase: .running, logCapacity: s.logCapacity)
            run.invokeId = inv.InvokeId
            s.run = run
            s.stack.append(.run)
            return [.pollInvocation(regionId: r, invokeId: inv.InvokeId, instanceId: instance, after: 0)]
        case .create: return CreateScreen.open(&s)
        default: return ListCommands.perform(&s, command)
        }
    }
}
