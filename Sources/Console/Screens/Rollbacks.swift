import AppSnapCore

/// The roll back dialog's answers from the cloud, each into the plan on screen.
enum Rollbacks {
    static func update(_ s: inout ConsoleState, _ body: (inout RollbackPlan) -> Void) {
        guard var d = s.dialog, case .rollback(var p) = d.kind else { return }
        body(&p)
        d.kind = .rollback(p)
        s.dialog = d
    }

    static func disks(_ s: inout ConsoleState, _ progress: [OperationProgress]) -> [Effect] {
        update(&s) { p in
            for op in progress {
                guard let disk = op.RelatedItemSet.RelatedItem.first(where: { $0.Name == "DiskId" })?.Value else { continue }
                p.disks[disk] = op.OperationStatus == "Success"
                    ? .done : .failed("\(op.ErrorCode ?? "Failed"): \(op.ErrorMsg ?? "")")
            }
        }
        return []
    }

    static func finished(_ s: inout ConsoleState, failure: String?) -> [Effect] {
        guard var d = s.dialog, case .rollback(var p) = d.kind else { return [] }
        if let failure {
            // Disks the failure stopped before they were touched keep their data.
            for (id, st) in p.disks where st == .waiting { p.disks[id] = .failed("not rolled back") }
            d.phase = .done("\(s.glyphs.fail) \(failure)")
        } else {
            d.phase = .done("\(s.glyphs.ok) \(p.instanceName) is back at \(p.group.Name) (\(plural(p.resets.count, "disk")))")
        }
        d.kind = .rollback(p)
        d.focus = .ok
        s.dialog = d
        return Refresh.load(&s, [.instances])
    }
}
