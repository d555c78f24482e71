import AppSnapCore

/// Live lists: the list on screen is reloaded on entry and at every tick of the refresh
/// timer. A list whose load is still in flight is not asked for again, so a slow cloud
/// gets one request a list at a time, never a pile of them.
enum Refresh {
    /// What the place on screen shows, if it is a live list.
    static func resource(_ s: ConsoleState) -> Resource? {
        switch s.place {
        case .tab(.instances): return .instances
        case .tab(.groups), .groupDetail: return .groups
        case .tab(.invocations): return .invocations
        default: return nil
        }
    }

    /// The load effects for those of `resources` not already in flight.
    static func load(_ s: inout ConsoleState, _ resources: [Resource]) -> [Effect] {
        var out: [Effect] = []
        for r in resources where !s.loading.contains(r) {
            if r == .regions { s.loading.insert(r); out.append(.loadRegions); continue }
            guard let region = s.regionId else { continue }
            s.loading.insert(r)
            switch r {
            case .instances: out.append(.loadInventory(regionId: region))
            case .groups: out.append(.loadGroups(regionId: region))
            case .invocations: out.append(.loadInvocations(regionId: region))
            case .regions: break
            }
        }
        return out
    }

    /// `r`: the regions on the picker, every list of the region elsewhere.
    static func now(_ s: inout ConsoleState) -> [Effect] {
        if s.place == .regions { return load(&s, [.regions]) }
        return load(&s, [.instances, .groups, .invocations])
    }

    static func onEntry(_ s: inout ConsoleState) -> [Effect] {
        guard let r = resource(s) else { return [] }
        return load(&s, [r])
    }

    /// The timer: the list on screen, and on the groups list or a group's detail that also
    /// moves a progressing group's bar by itself.
    static func tick(_ s: inout ConsoleState) -> [Effect] { onEntry(&s) }
}
