import AppSnapCore
import Foundation
import Testing

/// The real console in a real terminal (tmux, 120×40), from a fresh demo state, driven with
/// keys and read from the screen as an operator would. Each test has its own tmux server.
@Suite(.serialized) struct ConsoleTmuxTests {
    static let prescript = "#!/bin/sh\necho \"prescript: flushing the app\"\nsync\nexit 0\n"
    static let postscript = "#!/bin/sh\necho \"postscript: app resumed\"\nexit 0\n"

    /// The console in a pane, or nil (with the reason printed) when tmux is missing.
    func open(_ app: AppSnapBinary, _ args: [String], colorTerm: String? = nil) throws -> TmuxPane? {
        if let why = TmuxPane.skipReason {
            print("skipped: \(why)")
            return nil
        }
        return try TmuxPane(command: consoleCommand(app, args, colorTerm: colorTerm))
    }

    /// The focused line of the screen: the one the pointer marks in column 0.
    static func focusedLine(_ screen: String) -> String? {
        screen.split(separator: "\n").first { $0.contains("▶") }.map(String.init)
    }

    /// Presses Tab until the focused line contains `label`, looking at the screen after each
    /// press as a person would.
    func focus(_ pane: TmuxPane, on label: String) throws {
        for _ in 0..<20 {
            let screen = pane.screen()
            let current = Self.focusedLine(screen)
            if current?.contains(label) == true { return }
            pane.send("Tab")
            try pane.waitFor("the focus to move from \(current ?? "nothing")", timeout: 10) { Self.focusedLine($0) != current }
        }
        throw E2EError("Tab never reached \(label); the screen was:\n\(pane.screen())")
    }

    /// Types a `/` filter and commits it.
    func filter(_ pane: TmuxPane, _ text: String) throws {
        pane.send("/")
        try pane.waitFor(text: " /")
        pane.type(text)
        try pane.waitFor(text: "/\(text)")
        pane.send("Enter")
        try pane.waitFor(text: "filter /\(text.lowercased())")
    }

    func quit(_ pane: TmuxPane) throws -> String {
        pane.send("q")
        return try pane.waitFor(text: "EXITED:")
    }

    @Test func createsAnApplicationConsistentGroupThroughTheConsole() throws {
        let app = try AppSnapBinary()
        let instance = try app.instanceId(named: "linux-app-1")
        try app.sendFile(instance, name: "prescript.sh", content: Self.prescript)
        try app.sendFile(instance, name: "postscript.sh", content: Self.postscript)
        guard let pane = try open(app, []) else { return }
        defer { pane.kill() }

        // Region picker first, as on a first start.
        try pane.waitFor(text: "Pick a region")
        try pane.waitFor(text: "cn-hangzhou")
        try filter(pane, "hangzhou")
        pane.send("Enter")
        try pane.waitFor(text: "[Instances]")
        try pane.waitFor(text: "linux-app-1")

        // The instance, then the Create dialog for it.
        try filter(pane, "linux-app-1")
        pane.send("c")
        try pane.waitFor(text: "Create Snapshot-consistent Group")
        try pane.waitFor(text: "linux-app-1 (\(instance))")
        try focus(pane, on: "Name")
        pane.type("E2EApp")
        try pane.waitFor(text: "E2EApp")
        try focus(pane, on: "Enable Application-consistent Snapshot")
        pane.send("Space")
        try pane.waitFor(text: "[x] Enable Application-consistent Snapshot")
        let dialog = try pane.waitFor(text: "File System I/O Suspension and Resume")
        #expect(dialog.contains("Timeout (seconds)"), "Linux shows the I/O suspension timeout:\n\(dialog)")
        #expect(!dialog.contains("Contain Writers"), "Contain Writers is Windows only:\n\(dialog)")
        try focus(pane, on: "▶[ OK ]")
        pane.send("Enter")

        // The command execution ID at once, then the exit code and the group's tags.
        let started = try pane.waitFor("the command execution ID") {
            TmuxPane.match(#"Command execution ID t-[0-9a-z]+"#, in: $0) != nil
        }
        let invokeId = TmuxPane.match(#"t-[0-9a-z]+"#, in: TmuxPane.match(#"Command execution ID t-[0-9a-z]+"#, in: started)!)!
        let finished = try pane.waitFor(text: "Exit code 0: \(ExitCode.meaning(of: 0))", timeout: 120)
        let tagged = try pane.waitFor("APPConsistent:True on the result screen", timeout: 60) {
            $0.contains("APPConsistent:True") && $0.contains("accomplished")
        }
        print("--- finished application-consistent run (120x40) ---\n\(tagged)\n---")
        #expect(finished.contains("Command execution ID \(invokeId)"), "the ID stays on screen:\n\(finished)")
        let gid = try #require(TmuxPane.match(#"ssg-[0-9a-z]+"#, in: tagged), "the group ID is on screen:\n\(tagged)")
        #expect(tagged.contains("prescript: flushing the app") || tagged.contains("Log"), "the log is shown:\n\(tagged)")

        // The screen told the truth: the cloud has the group, every snapshot tagged.
        let tags = try app.snapshotTags(group: gid)
        #expect(!tags.isEmpty)
        for (sid, t) in tags { #expect(t["APPConsistent"] == "True", "\(sid): \(t)") }
        let end = try quit(pane)
        #expect(end.contains("EXITED:0"), "\(end)")
    }

    @Test func explainsExitCode13OnAnInstanceWithoutRole() throws {
        let app = try AppSnapBinary()
        let instance = try app.instanceId(named: "linux-norole-1")
        guard let pane = try open(app, ["--region", "cn-hangzhou"]) else { return }
        defer { pane.kill() }
        try pane.waitFor(text: "linux-norole-1")

        // The dialog says why it will not start the plugin here.
        try filter(pane, "norole")
        pane.send("c")
        try pane.waitFor(text: "linux-norole-1 (\(instance))")
        try focus(pane, on: "Enable Application-consistent Snapshot")
        pane.send("Space")
        try pane.waitFor(text: "none attached")
        pane.send("Enter")
        try pane.waitFor(text: "RAM role: none is attached to linux-norole-1")
        pane.send("Escape")
        try pane.waitFor(text: "[Instances]")

        // The plugin run from a script (the seed's command line) exits 13; the console's
        // Cloud Assistant tab shows that invocation with its exit code explained.
        let r = try app.ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunShellScript",
                                           "CommandContent": linuxCommand(scripts: false), "InstanceId.1": instance, "Timeout": "600"])
        let invokeId = try #require(r.json["InvokeId"] as? String, "\(r.stdout) \(r.stderr)")
        _ = try app.waitFor(invokeId)
        pane.send(":")
        pane.type("ca")
        pane.send("Enter")
        try pane.waitFor(text: "[Cloud Assistant]")
        pane.send("r")
        try pane.waitFor(text: invokeId)
        try filter(pane, invokeId)
        pane.send("Enter")
        let screen = try pane.waitFor(text: "Exit code 13: ")
        let line = try #require(TmuxPane.line(containing: "Exit code 13: ", in: screen))
        let meaning = ExitCode.meaning(of: 13)
        #expect(line.contains(String(meaning.prefix(40))), "the meaning is shown: \(line)")
        #expect(screen.contains("Command execution ID \(invokeId)"))
        let end = try quit(pane)
        #expect(end.contains("EXITED:0"), "\(end)")
    }

    @Test func resizeBelowTheMinimumAndBack() throws {
        let app = try AppSnapBinary()
        guard let pane = try open(app, ["--region", "cn-hangzhou"]) else { return }
        defer { pane.kill() }
        try pane.waitFor(text: "linux-app-1")
        try pane.resize(width: 70, height: 20)
        let small = try pane.waitFor(text: "terminal too small: need 80×24, have 70×20")
        #expect(!small.contains("linux-app-1"), "nothing else is drawn:\n\(small)")
        try pane.resize(width: 120, height: 40)
        let back = try pane.waitFor("the instances again") { $0.contains("linux-app-1") && !$0.contains("too small") }
        #expect(back.contains("[Instances]"))
        #expect(back.contains("INSTANCE ID"), "the wide layout is back at 120 columns:\n\(back)")
        // Keys work again after the recovery.
        pane.send("Tab")
        try pane.waitFor(text: "[Snapshot-consistent Groups]")
        let end = try quit(pane)
        #expect(end.contains("EXITED:0"))
    }

    @Test func quitLeavesACleanTerminal() throws {
        let app = try AppSnapBinary()
        guard let pane = try open(app, ["--region", "cn-hangzhou"]) else { return }
        defer { pane.kill() }
        let shown = try pane.waitFor(text: "linux-app-1")
        print("--- Instances screen (120x40) ---\n\(shown)\n---")
        #expect(pane.display("#{alternate_on}") == "1", "the console draws on the alternate screen")
        let end = try quit(pane)
        #expect(end.contains("EXITED:0"), "\(end)")
        #expect(end.contains("TTY:restored"), "stty settings are as before:\n\(end)")
        #expect(!end.contains("linux-app-1") && !end.contains("q quit"), "nothing of the console is left:\n\(end)")
        #expect(pane.display("#{alternate_on}") == "0", "the alternate screen is gone")
        #expect(pane.display("#{cursor_flag}") == "1", "the cursor is visible again")
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let app = try AppSnapBinary()
        guard let pane = try open(app, ["--region", "cn-hangzhou"]) else { return }
        defer { pane.kill() }
        try pane.waitFor(text: "linux-app-1")
        // The pane runs sh; its child is our console. Find it by parent, signal it by PID.
        let shell = pane.display("#{pane_pid}")
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        let pid = try #require(children.split(separator: " ").compactMap { Int32($0) }.first, "no console process under \(shell)")
        #expect(Foundation.kill(pid, SIGTERM) == 0)
        let end = try pane.waitFor(text: "EXITED:")
        #expect(end.contains("EXITED:143"), "\(end)")
        #expect(end.contains("TTY:restored"), "\(end)")
        #expect(pane.display("#{alternate_on}") == "0")
    }

    @Test func truecolorWhenColortermSaysSo() throws {
        guard ["/usr/share/terminfo/x/xterm-direct", "/lib/terminfo/x/xterm-direct"].contains(where: FileManager.default.fileExists) else {
            print("skipped: no xterm-direct terminfo (Debian's ncurses-term, installed by scripts/install-deps.sh)")
            return
        }
        let app = try AppSnapBinary()
        // The default theme's accent, #5fafff, exactly, in 24-bit colour.
        guard let pane = try open(app, ["--region", "cn-hangzhou"], colorTerm: "truecolor") else { return }
        defer { pane.kill() }
        try pane.waitFor(text: "linux-app-1")
        let styled = pane.styledScreen()
        #expect(styled.contains("38;2;95;175;255"), "the accent is sent as RGB:\n\(styled.prefix(400))")
        _ = try quit(pane)

        // Without COLORTERM the same theme degrades to the 256-colour palette (#5fafff is 75).
        guard let plain = try open(app, ["--region", "cn-hangzhou"]) else { return }
        defer { plain.kill() }
        try plain.waitFor(text: "linux-app-1")
        let degraded = plain.styledScreen()
        #expect(!degraded.contains("38;2;"), "no 24-bit colour without COLORTERM")
        #expect(degraded.contains("38;5;75"), "the accent is its nearest 256-colour entry:\n\(degraded.prefix(400))")
        _ = try quit(plain)
    }
}
