import AppSnapCore

/// Keys in the Create Snapshot-consistent Group dialog. Text fields take typed characters
/// first; elsewhere Space toggles and Tab/arrows (and j/k) move between fields.
enum CreateDialog {
    static func handle(_ s: inout ConsoleState, _ key: Key) -> [Effect] {
        guard var form = s.create else { return [] }
        switch key {
        case .ctrl("c"): return Keys.quit(&s)
        case .escape: return cancel(&s)
        case .tab, .down: move(&form, by: 1)
        case .backTab, .up: move(&form, by: -1)
        case .enter:
            if form.focus == .cancel { return cancel(&s) }
            s.create = form
            return submit(&s)
        case .backspace:
            edit(&form) { if !$0.isEmpty { $0.removeLast() } }
        default:
            if form.isTextField, let c = key.typed {
                if form.focus == .timeout {
                    if c.isNumber, form.timeoutText.count < 5 { form.timeoutText.append(c) }
                } else {
                    edit(&form) { $0.append(c) }
                }
            } else if key == .char(" ") {
                if form.focus == .ok { s.create = form; return submit(&s) }
                if form.focus == .cancel { return cancel(&s) }
                toggle(&form)
            } else if key == .char("j") {
                move(&form, by: 1)
            } else if key == .char("k") {
                move(&form, by: -1)
            }
        }
        form.request.timeoutSeconds = Int(form.timeoutText) ?? 0
        s.create = form
        return []
    }

    static func move(_ form: inout CreateForm, by delta: Int) {
        let fields = form.fields
        let i = fields.firstIndex(of: form.focus) ?? 0
        form.focus = fields[(i + delta + fields.count) % fields.count]
    }

    static func edit(_ form: inout CreateForm, _ body: (inout String) -> Void) {
        switch form.focus {
        case .name: body(&form.request.name)
        case .description: body(&form.request.description)
        case .timeout: body(&form.timeoutText)
        default: break
        }
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

    static func focus(for field: ConsoleRequest.Field, in form: CreateForm) -> CreateForm.Field {
        switch field {
        case .name: return .name
        case .description: return .description
        case .timeout: return .timeout
        case .disks: return form.fields.first ?? .name
        case .ramRole: return .appConsistent
        }
    }
}
