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
        case .left, .right, .home, .end, .ctrl("a"), .ctrl("e"):
            if form.focus == .instance, key == .left || key == .right {
                pickInstance(&s, &form, by: key == .left ? -1 : 1)
            } else if form.isTextField {
                let n = form.text(of: form.focus)?.count ?? 0
                switch key {
                case .left: form.cursor = max(0, form.cursor - 1)
                case .right: form.cursor = min(n, form.cursor + 1)
                case .home, .ctrl("a"): form.cursor = 0
                default: form.cursor = n
                }
            }
        case .backspace:
            edit(&form) { text, at in
                guard at > 0 else { return at }
                text.remove(at: text.index(text.startIndex, offsetBy: at - 1))
                return at - 1
            }
        case .delete, .ctrl("d"):
            edit(&form) { text, at in
                if at < text.count { text.remove(at: text.index(text.startIndex, offsetBy: at)) }
                return at
            }
        case .ctrl("u"):
            edit(&form) { text, at in text.removeSubrange(text.startIndex..<text.index(text.startIndex, offsetBy: at)); return 0 }
        default:
            if form.isTextField, let c = key.typed {
                if form.focus != .timeout || (c.isNumber && form.timeoutText.count < 5) {
                    edit(&form) { text, at in
                        text.insert(c, at: text.index(text.startIndex, offsetBy: at))
                        return at + 1
                    }
                }
            } else if key == .char(" ") {
                if form.focus == .ok { s.create = form; return submit(&s) }
                if form.focus == .cancel { return cancel(&s) }
                toggle(&form)
            } else if key == .char("j") {
                move(&form, by: 1)
            } else if key == .char("k") {
                move(&form, by: -1)
            } else if form.focus == .instance, key == .char("h") || key == .char("l") {
                pickInstance(&s, &form, by: key == .char("h") ? -1 : 1)
            }
        }
        form.request.timeoutSeconds = Int(form.timeoutText) ?? 0
        s.create = form
        return []
    }

    /// ←/→ on the Instance field: the previous or next instance of the region. The disks,
    /// role and Cloud Assistant are that instance's; what was typed and chosen stays.
    static func pickInstance(_ s: inout ConsoleState, _ form: inout CreateForm, by delta: Int) {
        let all = s.inventory.instances
        guard all.count > 1 else { return }
        let i = all.firstIndex { $0.InstanceId == form.request.instance.InstanceId } ?? 0
        let next = all[(i + delta + all.count) % all.count]
        let old = form.request
        var req = Keys.request(for: next, in: s.inventory)
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

    /// Edits the focused text field at the cursor; `body` returns the new cursor.
    static func edit(_ form: inout CreateForm, _ body: (inout String, Int) -> Int) {
        guard var text = form.text(of: form.focus) else { return }
        let at = body(&text, min(form.cursor, text.count))
        switch form.focus {
        case .name: form.request.name = text
        case .description: form.request.description = text
        case .timeout: form.timeoutText = text
        default: return
        }
        form.cursor = max(0, min(text.count, at))
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
        case .disks:
            return form.fields.first { if case .disk = $0 { return true } else { return false } } ?? .instance
        case .ramRole: return .appConsistent
        }
    }
}
