import AppSnapCore

/// The restore dialog's answers from the cloud, each into the plan on screen.
enum Restores {
    static func update(_ s: inout ConsoleState, _ body: (inout RestorePlan) -> Void) {
        guard var d = s.dialog, case .restore(var p) = d.kind else { return }
        body(&p)
        d.kind = .restore(p)
        s.dialog = d
    }

    static func finished(_ s: inout ConsoleState, failure: String?) -> [Effect] {
        guard var d = s.dialog, case .restore(let p) = d.kind else { return [] }
        if let failure {
            d.phase = .done("\(s.glyphs.fail) \(failure)")
        } else {
            d.phase = .done("\(s.glyphs.ok) \(plural(p.snapshots.count, "new disk")) from \(p.group.Name)\(p.onHost ? ", mounted" : "")")
        }
        d.focus = .ok
        s.dialog = d
        return []
    }
}
