import AppSnapCore

/// The Create Snapshot-consistent Group dialog. Its keys come from the map like any other
/// screen's: `.textField` first while a text field has the focus (letters type there),
/// then `.create` (fields, toggles, the instance picker, OK and Cancel).
enum CreateScreen: Screen {
    static func contexts(_ s: ConsoleState) -> [KeyContext] {
        s.create?.isTextField == true ? [.textField, .create] : [.create]
    }
    static func crumb(_ s: ConsoleState) -> String { "Create Snapshot-consistent Group" }
    static func render(_ g: inout Grid, _ s: ConsoleState) { CreateView.render(&g, s) }

    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        guard var form = s.create else { return nil }
        switch command {
        case .cancel: return cancel(&s)
        case .nextField: move(&form, by: 1)
        case .previousField: move(&form, by: -1)
        case .pickPrevious, .pickNext:
            // ←/→ and h/l pick another instance on the Instance field; elsewhere they do nothing.
            if form.focus == .instance { pickInstance(&s, &form, by: command == .pickPrevious ? -1 : 1) }
        case .confirm:
            if form.focus == .cancel { return cancel(&s) }
            s.create = form
            return submit(&s)
        case .toggle:
            if form.focus == .ok { s.create = form; return submit(&s) }
            if form.focus == .cancel { return cancel(&s) }
            toggle(&form)
        default:
            return nil
        }
        s.create = form
        return []
    }

    /// Opens the dialog for the selected instance; with none selected (an empty filter, the
    /// Cloud Assistant tab) for the region's first, to be changed on the Instance field.
    static func open(_ s: inout ConsoleState) -> [Effect] {
        guard let inst = Lists.selectedInstance(s) ?? s.inventory.instances.first else {
            s.message = StatusMessage(level: .warn, text: "no instances in this region to snapshot")
            return []
        }
        s.create = CreateForm(request: request(for: inst, in: s.inventory))
        s.stack.append(.create)
        return []
    }

    /// A fresh dialog request for an instance: its disks, role and Cloud Assistant.
    static func request(for inst: Instance, in inv: Inventory) -> SnapshotGroupRequest {
        SnapshotGroupRequest(instance: inst, disks: inv.disksByInstance[inst.InstanceId] ?? [],
                       ramRoleName: inv.ramRoles[inst.InstanceId] ?? "",
                       cloudAssistantInstalled: inv.assistant[inst.InstanceId] ?? false)
    }

    /// ←/→ on the Instance field: the previous or next instance of the region. The disks,
    /// role and Cloud Assistant are that instance's; what was typed and chosen stays.
    static func pickInstance(_ s: inout ConsoleState, _ form: inout CreateForm, by delta: Int) {
        let all = s.inventory.instances
        guard all.count > 1 else { return }
        let i = all.firstIndex { $0.InstanceId == form.request.instance.InstanceId } ?? 0
        let next = all[(i + delta + all.count) % all.count]
        let old = form.request
        var req = request(for: next, in: s.inventory)
        req.name = old.name; req.description = old.description; req.appConsistent = old.appConsistent
        req.fsFreeze = old.fsFreeze; req.timeoutSeconds = old.timeoutSeconds; req.containWriters = old.containWriters
        form.request = req
        form.problems = []
        if let row = s.instanceList.visible.firstIndex(where: { all[$0].InstanceId == next.InstanceId }) {
            s.instanceList.moveTo(row)
            s.instanceList.scrollIntoView(height: s.listHeight)
        }
    }

    static func move(_ form: inout CreateForm, by delta: Int) {
        let fields = form.fields
        let i = fields.firstIndex(of: form.focus) ?? 0
        form.focus = fields[(i + delta + fields.count) % fields.count]
    }

    static func toggle(_ form: inout CreateForm) {
        switch form.focus {
        case .disk(let id):
            if form.request.selectedDiskIds.contains(id) { form.request.selectedDiskIds.remove(id) }
            else { form.request.selectedDiskIds.insert(id) }
        case .appConsistent: form.request.appConsistent.toggle()
        case .fsFreeze: form.request.fsFreeze.toggle()
        case .containWriters: form.request.containWriters.toggle()
        default: break
        }
        if !form.fields.contains(form.focus) { form.focus = .appConsistent }
    }

    static func cancel(_ s: inout ConsoleState) -> [Effect] {
        s.create = nil
        if s.place == .create { s.stack.removeLast() }
        return []
    }

    static func submit(_ s: inout ConsoleState) -> [Effect] {
        guard var form = s.create else { return [] }
        form.request.timeoutSeconds = Int(form.timeoutText) ?? 0
        form.request.name = form.nameField.text; form.request.description = form.descriptionField.text
        switch form.request.plan() {
        case .failure(let invalid):
            form.problems = invalid.problems
            if let first = invalid.problems.first { form.focus = focus(for: first.field, in: form) }
            s.create = form
            s.message = StatusMessage(level: .error, text: "cannot create yet: \(invalid.problems.count) problem(s), see the dialog")
            return []
        case .success(let plan):
            let req = form.request
            let phase: RunPhase
            switch plan {
            case .runPlugin(let install, _, _): phase = install ? .installingCloudAssistant : .starting
            case .createSnapshotGroup: phase = .creatingGroup
            }
            var run = RunState(request: req, regionId: req.instance.RegionId, instanceId: req.instance.InstanceId,
                               phase: phase, logCapacity: s.logCapacity)
            if case .runPlugin(_, _, let cmd) = plan {
                run.log.append("RunCommand \(cmd.type) on \(req.instance.InstanceName) (\(req.instance.InstanceId)): \(cmd.commandContent)")
            }
            s.run = run
            s.create = nil
            s.stack[s.stack.count - 1] = .run
            return [.execute(plan)]
        }
    }

    static func focus(for field: SnapshotGroupRequest.Field, in form: CreateForm) -> CreateForm.Field {
        switch field {
        case .name: return .name
        case .description: return .description
        case .timeout: return .timeout
        case .disks:
            return form.fields.first { if case .disk = $0 { return true } else { return false } } ?? .instance
        case .ramRole: return .appConsistent
        }
    }
}
