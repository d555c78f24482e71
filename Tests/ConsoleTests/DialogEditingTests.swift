import CloudTestSupport
import AppSnapCore
import Foundation
import Testing
@testable import Console

/// Text fields that edit anywhere, the dialog's instance picker, polling that outlives the
/// run screen, the config file read as YAML and 24-bit colour numbers.
@Suite struct DialogEditingTests {
    func dialog(_ s: ConsoleSession, for name: String) {
        select(s, instance: name)
        s.press(.char("c"))
    }

    /// The Name box as drawn: the text between its brackets, trailing blanks removed.
    func nameBox(_ s: ConsoleSession) -> String {
        let row = s.frame().text.split(separator: "\n").first { $0.contains("Name  ") }.map(String.init) ?? ""
        guard let open = row.firstIndex(of: "["), let close = row.lastIndex(of: "]") else { return "" }
        var inner = String(row[row.index(after: open)..<close])
        while inner.last == " " || inner.last == "_" { inner.removeLast() }
        return inner
    }

    @Test func textFieldsEditAtTheCursor() async {
        let s = await hangzhouSession(width: 120, height: 40)
        dialog(s, for: "linux-app-1")
        while s.state.create?.focus != .name { s.press(.tab) }
        s.type("LinuxApp")
        s.press(.left); s.press(.left); s.press(.left)
        s.type("X")
        #expect(s.state.create?.request.name == "LinuxXApp")
        #expect(nameBox(s) == "LinuxXApp")
        s.press(.backspace)
        #expect(s.state.create?.request.name == "LinuxApp")
        s.press(.delete)
        #expect(s.state.create?.request.name == "Linuxpp")
        s.press(.home); s.type("1")
        #expect(s.state.create?.request.name == "1Linuxpp")
        s.press(.end); s.type("2")
        #expect(s.state.create?.request.name == "1Linuxpp2")
        s.press(.right)
        s.press(.backspace); s.press(.backspace)
        #expect(s.state.create?.request.name == "1Linuxp")
        // Leaving and coming back puts the cursor at the end.
        s.press(.tab); s.press(.backTab); s.type("!")
        #expect(s.state.create?.request.name == "1Linuxp!")
        // The cursor cell is shown reversed inside the box.
        s.press(.left)
        let reversed = s.frame().cells(withRole: .cursorField).filter { (x, y) in s.frame()[x, y].attributes.contains(.reverse) }
        #expect(reversed.count == 1)
        if let c = reversed.first { #expect(s.frame()[c.x, c.y].char == "!") }
    }

    @Test func timeoutTakesDigitsOnlyAnywhere() async {
        let s = await hangzhouSession(width: 120, height: 40)
        dialog(s, for: "linux-app-1")
        while s.state.create?.focus != .appConsistent { s.press(.tab) }
        s.press(.char(" "))
        while s.state.create?.focus != .timeout { s.press(.tab) }
        s.press(.home); s.type("1x")
        #expect(s.state.create?.timeoutText == "130")
        #expect(s.state.create?.request.timeoutSeconds == 130)
    }

    @Test func instanceIsPickedInsideTheDialog() async {
        let s = await hangzhouSession(width: 120, height: 40)
        dialog(s, for: "linux-app-1")
        while s.state.create?.focus != .name { s.press(.tab) }
        s.type("keep-me")
        while s.state.create?.focus != .instance { s.press(.backTab) }
        #expect(s.frame().text.contains("←/→ picks another"))
        s.press(.right)
        #expect(s.state.create?.request.instance.InstanceName == "linux-db-1")
        #expect(s.state.create?.request.name == "keep-me", "what was typed stays")
        let frame = s.frame().text
        #expect(frame.contains("linux-db-1 (i-bp1demo00000002)"))
        // linux-db-1's cloud_ssd disk is shown with its reason, not selectable.
        #expect(frame.contains("d-bp1disk0000006"))
        #expect(s.state.create?.request.selectedDiskIds.contains("d-bp1disk0000006") == false)
        s.press(.left); s.press(.left)
        #expect(s.state.create?.request.instance.InstanceName == "win-sql-1", "wraps around")
        #expect(s.frame().text.contains("Windows"))
        // The Instances list follows, so Esc lands on the instance last picked.
        s.press(.escape)
        #expect(s.state.instanceList.selected.map { s.state.inventory.instances[$0].InstanceName } == "win-sql-1")
    }

    @Test func createOpensWithoutASelectedInstance() async {
        let s = await hangzhouSession(width: 120, height: 40)
        s.press(.char("/")); s.type("zzz-nothing"); s.press(.enter)
        #expect(s.state.instanceList.selected == nil)
        s.press(.char("c"))
        #expect(s.state.place == .create)
        #expect(s.state.create?.request.instance.InstanceName == "linux-app-1", "the region's first, to be changed with ←/→")
    }

    @Test func pollingGoesOnAfterEscAndStopsWhenTheRunFinishes() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(width: 120, height: 40, cloud: cloud)
        dialog(s, for: "linux-app-1")
        while s.state.create?.focus != .name { s.press(.tab) }
        s.type("Background")
        while s.state.create?.focus != .appConsistent { s.press(.tab) }
        s.press(.char(" "))
        let runner = EffectRunner(cloud: cloud, clock: InstantClock())
        let box = ActionBox()
        await runner.perform(s.press(.enter)[0]) { box.append($0) }
        var next: [Effect] = []
        for a in box.items { next += s.send(a) }
        let id = s.state.run?.invokeId
        #expect(id != nil)
        // The operator leaves the run screen; the poll it asked for still comes back.
        s.press(.escape)
        #expect(s.state.place != .run)
        guard case .pollInvocation? = next.first else { Issue.record("expected a poll, got \(next)"); return }
        var polls = 0
        var queue = next
        while let e = queue.first, polls < 50 {
            queue.removeFirst()
            if case .pollInvocation = e { polls += 1 }
            let b = ActionBox()
            await runner.perform(e) { b.append($0) }
            for a in b.items { queue += s.send(a) }
        }
        #expect(polls < 50, "polling stops by itself")
        #expect(queue.isEmpty, "nothing left to poll once the run finished and its group is complete")
        #expect(s.state.run?.exitCode == 0)
        #expect(s.state.run?.group != nil)
        // `:log` brings the finished run back.
        s.press(.char(":")); s.type("log"); s.press(.enter)
        #expect(s.state.place == .run)
        #expect(s.frame().text.contains("Exit code 0"))
        // Opening the same invocation from the Cloud Assistant tab shows it without a second poll loop.
        s.press(.escape)
        s.press(.char(":")); s.type("ca")
        // The jump loads the list on entry; `r` then finds it in flight and does not ask twice.
        let entry = s.press(.enter)
        await settle(s, cloud, entry + s.press(.char("r")))
        s.press(.char("g"))
        while let i = s.state.invocationList.selected, s.state.invocations[i].InvokeId != id {
            let before = s.state.invocationList.cursor
            s.press(.down)
            if s.state.invocationList.cursor == before { break }
        }
        #expect(s.state.invocationList.selected.map { s.state.invocations[$0].InvokeId } == id)
        let again = s.press(.enter)
        #expect(s.state.place == .run)
        #expect(again.isEmpty)
    }

    @Test func configFileIsReadAsYAML() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("appsnap-config-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("themes").path
        let config = "\(dir)/config.yaml"
        func resolve(_ text: String) throws -> ThemeResolver.Resolution {
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            return ThemeResolver(environment: [:], searchDirectories: [themes], configPath: config).resolve(themeOption: nil, noColor: false)
        }
        // Quoted, commented, not the first key: YAML reads all of them.
        #expect(try resolve("# appsnap\nregion: cn-hangzhou\ntheme: \"light\"   # the light one\n").theme.name == "light")
        // A `theme:` nested under another key is not the console's theme.
        let nested = try resolve("aliyun:\n  theme: light\n")
        #expect(nested.theme.name == "default")
        // Not YAML: a warning naming the file and line; the default is used.
        let bad = try resolve("region: cn-hangzhou\ntheme: [light\n")
        #expect(bad.theme.name == "default")
        #expect(bad.warnings.contains { $0.contains(config) && $0.contains(":3") || $0.contains("\(config):2") }, "\(bad.warnings)")
        let empty = try resolve("theme:\n")
        #expect(empty.warnings.contains { $0.contains("`theme:` needs") }, "\(empty.warnings)")
    }

    @Test func trueColorNumbersAndTerminfo() {
        #expect(TrueColor.requested(["COLORTERM": "truecolor"]))
        #expect(TrueColor.requested(["COLORTERM": "24bit"]))
        #expect(!TrueColor.requested(["COLORTERM": "yes"]))
        #expect(!TrueColor.requested([:]))
        #expect(TrueColor.number(.rgb(0x5f, 0xaf, 0xff)) == 0x5fafff)
        #expect(TrueColor.number(.ansi(1)) == 1, "the 8 ANSI colours stay palette entries")
        #expect(TrueColor.number(.ansi(9)) == 0xff0000, "bright red is sent as its RGB value")
        #expect(TrueColor.number(.indexed(196)) == 0xff0000)
        #expect(TrueColor.number(.rgb(0, 0, 0)) == 8, "black is not palette entry 0 in direct mode")
        #expect(TrueColor.number(.terminalDefault) == -1)
        // A terminfo folder of our own with an xterm-direct entry.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("appsnap-terminfo-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir + "/x", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/x/xterm-direct", contents: Data([0]))
        let env = ["TERMINFO": dir, "HOME": "/nonexistent"]
        #expect(TrueColor.directEntry(for: "xterm-256color", environment: env) == "xterm-direct")
        #expect(TrueColor.directEntry(for: "xterm-direct", environment: env) == nil, "already direct")
        #expect(TrueColor.directEntry(for: "zzterm-256color", environment: env) == nil, "nothing installed for it")
    }
}
