import Foundation
import AppSnapCore

/// The Create Snapshot-consistent Group dialog, as SPEC §2 lays it out.
enum CreateView {
    static let labelWidth = 16

    static func render(_ g: inout Grid, _ s: ConsoleState) {
        Chrome.drawTitle(&g, "Create Snapshot-consistent Group")
        guard let form = s.create else { return }
        let r = form.request, gl = s.glyphs
        var lines: [(text: String, role: Role, field: CreateForm.Field?)] = []
        func line(_ t: String, _ role: Role = .normal, _ f: CreateForm.Field? = nil) { lines.append((t, role, f)) }
        func label(_ l: String) -> String { " " + l.padded(labelWidth - 1) }
        func box(_ on: Bool) -> String { on ? gl.checked : gl.unchecked }

        line(label("Resource type") + "Instance (one instance at a time)")
        let others = s.inventory.instances.count > 1
        let picked = "\(r.instance.InstanceName) (\(r.instance.InstanceId)) · \(r.instance.OSName.replacingOccurrences(of: " 64 bit", with: "")) · \(r.instance.Status)"
        line(label("Instance") + (others && form.focus == .instance ? "\(gl.pickLeft) \(picked) \(gl.pickRight)  ←/→ picks another" : picked),
             .normal, .instance)
        if r.disks.isEmpty { line(label("Disks") + "no disks attached", .warn) }
        for (i, d) in r.disks.enumerated() {
            let lead = i == 0 ? label("Disks") : String(repeating: " ", count: labelWidth)
            let desc = "\(d.DiskId)  \(d.Type.padded(6))\(String(d.Size).leftPadded(5)) GiB  \(d.Category)"
            if let why = d.ineligibilityReason {
                line(lead + gl.blocked + " " + desc, .disabled)
                line(String(repeating: " ", count: labelWidth + 4) + "\(gl.fail) \(why)", .warn)
            } else {
                line(lead + box(r.selectedDiskIds.contains(d.DiskId)) + " " + desc, .normal, .disk(d.DiskId))
            }
        }
        line(label("Name"), .normal, .name)
        line(label("Description"), .normal, .description)
        line(" Advanced settings", .header)
        line("   " + box(r.appConsistent) + " Enable Application-consistent Snapshot", .normal, .appConsistent)
        if r.willInstallCloudAssistant {
            line("       ! Cloud Assistant is not installed: it will be installed first.", .warn)
        }
        if !r.isWindows {
            let note = r.appConsistent ? "" : "  (with app-consistent)"
            line("   " + box(r.fsFreeze) + " File System I/O Suspension and Resume" + note, r.appConsistent ? .normal : .dim, .fsFreeze)
            line("       Timeout (seconds)", r.appConsistent ? .normal : .dim, .timeout)
        } else if r.showsContainWriters {
            line("   " + box(r.containWriters) + " Contain Writers by Default", .normal, .containWriters)
            if !r.containWriters { line("       without writers the snapshots are file-system consistent", .dim) }
        }
        let role = r.ramRoleName.isEmpty ? "\(gl.fail) none attached" : r.ramRoleName
        line(label("RAM role") + role, r.ramRoleName.isEmpty && r.appConsistent ? .warn : .normal)
        let plan = r.appConsistent
            ? "\(r.isWindows ? "RunPowerShellScript" : "RunShellScript"): \(r.isWindows ? PluginParams.windowsPlugin : PluginParams.linuxPlugin) via Cloud Assistant"
            : "CreateSnapshotGroup directly: crash-consistent, no tag"
        line(label("On OK") + plan, .dim)
        for p in form.problems { line(" \(gl.fail) \(p.message)", .error) }
        line("", .normal, .ok)

        // Keep the focused line on screen when the dialog is taller than the terminal.
        let rows = g.height - 5
        let focusRow = lines.firstIndex { $0.field == form.focus } ?? 0
        let scroll = max(0, min(focusRow - rows + 2, lines.count - rows))
        var y = 2
        for l in lines.dropFirst(max(0, scroll)).prefix(rows) {
            let focused = l.field == form.focus
            if l.field == .ok {
                drawButtons(&g, y: y, focus: form.focus, glyphs: gl)
            } else {
                g.put(l.text.fitted(g.width, ellipsis: gl.ellipsis), x: 0, y: y, role: focused ? .cursorField : l.role)
                if focused { g.put(gl.pointer, x: 0, y: y, role: .cursorField) }
                switch l.field {
                case .name?: input(&g, r.name, cursor: form.cursor, x: labelWidth, y: y, width: 40, focused: focused, glyphs: gl)
                case .description?: input(&g, r.description, cursor: form.cursor, x: labelWidth, y: y, width: 50, focused: focused, glyphs: gl)
                case .timeout?:
                    let x = input(&g, form.timeoutText, cursor: form.cursor, x: 26, y: y, width: 6, focused: focused, glyphs: gl)
                    g.put("  1–3600, default 30", x: x, y: y, role: .dim)
                default: break
                }
            }
            y += 1
        }
        let n = r.selectedDisks.count
        Chrome.drawStatus(&g, s, summary: "\(n) of \(r.disks.count) disks selected · Enter = OK · Esc cancels")
    }

    /// A text box; when focused the cursor cell is shown reversed (or `_` past the end), and
    /// a text longer than the box scrolls so the cursor stays inside it.
    @discardableResult
    static func input(_ g: inout Grid, _ text: String, cursor: Int, x: Int, y: Int, width: Int, focused: Bool, glyphs: Glyphs) -> Int {
        let w = min(width, g.width - x - 3)
        guard w > 2 else { return x }
        let chars = Array(text)
        let at = max(0, min(chars.count, focused ? cursor : chars.count))
        // The window of characters shown: from `start`, as many as fit in w - 1 cells.
        var start = 0
        while start < at, CharWidth.of(String(chars[start..<at])) > w - 1 { start += 1 }
        var shown = "", used = 0
        for ch in chars[start...] {
            let cw = CharWidth.of(ch)
            if used + cw > w { break }
            shown.append(ch); used += cw
        }
        var end = g.put("[", x: x, y: y, role: focused ? .cursorField : .normal)
        g.put(shown.padded(w), x: end, y: y, role: .inputField)
        if focused {
            let cx = end + CharWidth.of(String(chars[start..<at]))
            if at < chars.count {
                g.restyle(x: cx, y: y, width: max(1, CharWidth.of(chars[at])), role: .cursorField, attributes: [.reverse])
            } else {
                g.put("_", x: cx, y: y, role: .cursorField)
            }
        }
        end = g.put("]", x: end + w, y: y, role: focused ? .cursorField : .normal)
        return end
    }

    static func drawButtons(_ g: inout Grid, y: Int, focus: CreateForm.Field, glyphs: Glyphs) {
        var x = labelWidth
        for (f, label) in [(CreateForm.Field.ok, "OK"), (.cancel, "Cancel")] {
            let on = focus == f
            let text = on ? "\(glyphs.pointer)[ \(label) ]" : " [ \(label) ]"
            x = g.put(text, x: x, y: y, role: on ? .buttonFocused : .button) + 3
        }
    }
}
