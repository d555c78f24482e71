import Foundation
import AppSnapCore

/// Turns key presses into state changes, through the key map.
enum Keys {
    static func context(_ place: Place) -> KeyContext {
        switch place {
        case .regions: return .regions
        case .tab: return .list
        case .groupDetail: return .groupDetail
        case .create: return .create
        case .run: return .log
        case .help: return .help
        }
    }

    static func handle(_ s: inout ConsoleState, _ key: Key) -> [Effect] {
        s.message = nil
        if s.tooSmall {
            // Only quitting makes sense until the terminal grows.
            if key == .char("q") || key == .ctrl("c") { return quit(&s) }
            return []
        }
        if s.prompt != nil { return Prompts.handle(&s, key) }
        if s.place == .create { return CreateDialog.handle(&s, key) }
        guard let command = s.keyMap.command(for: key, in: context(s.place)) else { return [] }
        return perform(&s, command)
    }

    static func quit(_ s: inout ConsoleState) -> [Effect] {
        s.quitting = true
        return [.quit]
    }

    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect] {
        let page = max(1, s.listHeight - 1)
        switch command {
        case .quit: return quit(&s)
        case .help: s.helpScroll = 0; s.stack.append(.help); return []
        case .back: return back(&s)
        case .jump: s.prompt = Prompt(kind: .jump, text: ""); return []
        case .filter: s.prompt = Prompt(kind: .filter, text: Lists.currentQuery(s)); return []
        default: break
        }
        switch s.place {
        case .regions, .tab:
            return list(&s, command, page: page)
        case .groupDetail(let id):
            if let v = scrolled(s.detailScroll, command, page: page) { s.detailScroll = v; return [] }
            switch command {
            case .create: return openCreate(&s)
            case .refresh:
                if let r = s.regionId { return [.pollGroup(regionId: r, groupId: id, after: 0)] }
            default: break
            }
            return []
        case .help:
            if let v = scrolled(s.helpScroll, command, page: page) { s.helpScroll = v }
            return []
        case .run:
            return LogKeys.perform(&s, command)
        case .create:
            return []
        }
    }

    static func back(_ s: inout ConsoleState) -> [Effect] {
        // Esc first clears a filter, as in k9s; then it goes up one level.
        if !Lists.currentQuery(s).isEmpty {
            Lists.withCurrent(&s) { $0.setQuery("") }
            return []
        }
        if s.place == .create { s.create = nil }
        if s.stack.count > 1 { s.stack.removeLast() }
        return []
    }

    /// A scrolled-text view's offset after a movement command; nil for any other command.
    static func scrolled(_ offset: Int, _ command: Command, page: Int) -> Int? {
        switch command {
        case .up: return max(0, offset - 1)
        case .down: return offset + 1
        case .pageUp: return max(0, offset - page)
        case .pageDown: return offset + page
        case .top: return 0
        default: return nil
        }
    }

    static func list(_ s: inout ConsoleState, _ command: Command, page: Int) -> [Effect] {
        switch command {
        case .up: Lists.withCurrent(&s) { $0.move(by: -1) }
        case .down: Lists.withCurrent(&s) { $0.move(by: 1) }
        case .pageUp: Lists.withCurrent(&s) { $0.move(by: -page) }
        case .pageDown: Lists.withCurrent(&s) { $0.move(by: page) }
        case .top: Lists.withCurrent(&s) { $0.moveTo(0) }
        case .bottom: Lists.withCurrent(&s) { $0.moveTo(Int.max) }
        case .left, .previousTab: switchTab(&s, by: -1)
        case .right, .nextTab: switchTab(&s, by: 1)
        case .refresh:
            if s.place == .regions { s.loading.insert("regions"); return [.loadRegions] }
            if let r = s.regionId { return Lists.loadRegion(&s, r) }
        case .create:
            return openCreate(&s)
        case .confirm:
            return confirm(&s)
        default: break
        }
        return []
    }

    static func switchTab(_ s: inout ConsoleState, by delta: Int) {
        guard case .tab(let t) = s.place else { return }
        let all = Tab.allCases
        let i = (all.firstIndex(of: t)! + delta + all.count) % all.count
        s.stack[s.stack.count - 1] = .tab(all[i])
    }

    static func confirm(_ s: inout ConsoleState) -> [Effect] {
        switch s.place {
        case .regions:
            guard let i = s.regionList.selected else { return [] }
            let id = s.regions[i].RegionId
            let changed = id != s.regionId
            s.regionId = id
            s.stack = [.regions, .tab(.instances)]
            return changed || s.inventory.instances.isEmpty ? Lists.loadRegion(&s, id) : []
        case .tab(.instances):
            return openCreate(&s)
        case .tab(.groups):
            guard let i = s.groupList.selected else { return [] }
            let g = s.groups[i]
            s.detailScroll = 0
            s.stack.append(.groupDetail(g.SnapshotGroupId))
            if g.Status == SnapshotStatus.progressing, let r = s.regionId {
                return [.pollGroup(regionId: r, groupId: g.SnapshotGroupId, after: 0)]
            }
            return []
        case .tab(.invocations):
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
        default:
            return []
        }
    }

    /// Opens the dialog for the selected instance; with none selected (an empty filter, the
    /// Cloud Assistant tab) for the region's first, to be changed on the Instance field.
    static func openCreate(_ s: inout ConsoleState) -> [Effect] {
        guard let inst = Lists.selectedInstance(s) ?? s.inventory.instances.first else {
            s.message = StatusMessage(level: .warn, text: "no instances in this region to snapshot")
            return []
        }
        s.create = CreateForm(request: request(for: inst, in: s.inventory))
        s.stack.append(.create)
        return []
    }

    /// A fresh dialog request for an instance: its disks, role and Cloud Assistant.
    static func request(for inst: Instance, in inv: Inventory) -> ConsoleRequest {
        ConsoleRequest(instance: inst, disks: inv.disksByInstance[inst.InstanceId] ?? [],
                       ramRoleName: inv.ramRoles[inst.InstanceId] ?? "",
                       cloudAssistantInstalled: inv.assistant[inst.InstanceId] ?? false)
    }
}

/// The `/`, `:`, search and save-path line at the bottom.
enum Prompts {
    static func handle(_ s: inout ConsoleState, _ key: Key) -> [Effect] {
        guard var p = s.prompt else { return [] }
        switch key {
        case .escape:
            s.prompt = nil
            if p.kind == .filter { Lists.withCurrent(&s) { $0.setQuery("") } }
            return []
        case .ctrl("c"):
            return Keys.quit(&s)
        case .backspace:
            if !p.text.isEmpty { p.text.removeLast() }
        case .enter:
            s.prompt = nil
            return commit(&s, p)
        default:
            guard let c = key.typed else { return [] }
            p.text.append(c)
        }
        s.prompt = p
        if p.kind == .filter { Lists.withCurrent(&s) { $0.setQuery(p.text) } }
        return []
    }

    static func commit(_ s: inout ConsoleState, _ p: Prompt) -> [Effect] {
        switch p.kind {
        case .filter:
            Lists.withCurrent(&s) { $0.setQuery(p.text) }
            return []
        case .jump:
            return jump(&s, p.text.trimmingCharacters(in: .whitespaces).lowercased())
        case .search:
            guard var run = s.run else { return [] }
            let from = run.log.top(height: LogKeys.logHeight(s), width: s.width)
            run.log.search(p.text, from: from)
            s.run = run
            if !p.text.isEmpty && run.log.currentMatch == nil {
                s.message = StatusMessage(level: .warn, text: "not found: \(p.text)")
            }
            return []
        case .savePath:
            guard let run = s.run, !p.text.isEmpty else { return [] }
            return [.saveLog(path: p.text, lines: run.log.lines)]
        }
    }

    static let jumpTargets: [(names: [String], place: Place?)] = [
        (["regions", "region", "r"], .regions),
        (["instances", "instance", "i", "ins", "inst"], .tab(.instances)),
        (["groups", "group", "g", "ssg", "snapshot-consistent groups"], .tab(.groups)),
        (["invocations", "invocation", "ca", "cloud assistant", "commands", "inv"], .tab(.invocations)),
        (["help", "?"], .help),
        (["log", "run"], .run),
    ]

    static func jump(_ s: inout ConsoleState, _ name: String) -> [Effect] {
        guard let target = jumpTargets.first(where: { $0.names.contains(name) })?.place else {
            s.message = StatusMessage(level: .error, text: "no view named \"\(name)\": try regions, instances, groups, invocations, log, help")
            return []
        }
        switch target {
        case .regions: s.stack = [.regions]
        case .tab:
            guard s.regionId != nil else {
                s.message = StatusMessage(level: .warn, text: "pick a region first")
                return []
            }
            s.stack = [.regions, target]
        case .run:
            guard s.run != nil else {
                s.message = StatusMessage(level: .warn, text: "no run to show yet")
                return []
            }
            if s.place != .run { s.stack.append(.run) }
        default:
            s.stack.append(target)
        }
        s.create = s.stack.contains(.create) ? s.create : nil
        return []
    }
}
