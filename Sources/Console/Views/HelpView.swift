/// The `?` screen: every binding of the key map, by where it applies.
enum HelpView {
    static let contextTitles: [KeyContext: String] = [
        .regions: "Region picker", .list: "Instances, Groups, Cloud Assistant", .groups: "Snapshot-consistent Groups",
        .groupDetail: "Group detail", .create: "Create dialog", .log: "Run and live log", .help: "Help",
        .textField: "Every text field and prompt (letters type)", .prompt: "The / : search and save prompts",
        .confirm: "Confirm dialogs (Delete)", .groupAction: "Rename dialog",
    ]

    static func lines(_ map: KeyMap) -> [(String, Role)] {
        var out: [(String, Role)] = []
        for ctx in KeyContext.allCases where !map.bindings(in: ctx).isEmpty {
            out.append((" " + (contextTitles[ctx] ?? ctx.rawValue), .header))
            for b in map.bindings(in: ctx) {
                let keys = b.keys.map(\.label).joined(separator: " ")
                out.append(("   " + keys.padded(14) + " " + b.help, .normal))
            }
            out.append(("", .normal))
        }
        return out
    }

    static func render(_ g: inout Grid, _ s: ConsoleState) {
        Chrome.drawTitle(&g, "Keys")
        let all = lines(s.keyMap)
        let rows = g.height - 4
        let scroll = max(0, min(s.helpScroll, all.count - rows))
        var y = 2
        for (t, role) in all.dropFirst(scroll).prefix(rows) {
            g.put(t.fitted(g.width), x: 0, y: y, role: role)
            y += 1
        }
        Chrome.drawStatus(&g, s, summary: "\(scroll + 1)-\(min(all.count, scroll + rows)) of \(all.count) lines · Esc goes back")
    }
}
