import AppSnapCore
import Foundation
import Testing

/// The console with `--cloud aliyun --endpoint http://127.0.0.1:PORT` in a real terminal:
/// every list and the create flow go over the wire to `appsnap serve`, and the service's
/// refusals land in the status line instead of ending the console.
@Suite(.serialized) struct AliyunConsoleTests {
    /// The console in a tmux pane, its credentials from a config.json in a HOME of its own
    /// (so no secret is on any command line).
    func open(_ client: AliyunClient, secret: String) throws -> TmuxPane? {
        if let why = TmuxPane.skipReason { print("skipped: \(why)"); return nil }
        try client.write(".aliyun/config.json", """
            {"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"\(client.served.key.accessKeyId)",
             "access_key_secret":"\(secret)"}]}
            """)
        let base = consoleCommand(client.served.app, ["--cloud", "aliyun", "--endpoint", client.endpoint])
        return try TmuxPane(command: "export HOME='\(client.home.path)' APPSNAP_METADATA_ENDPOINT=http://127.0.0.1:9; "
                                     + "unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_PROFILE; " + base)
    }

    @Test func createsAnAppConsistentGroupOverTheWire() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let app = served.app
        let client = try AliyunClient(served)
        let instance = try app.instanceId(named: "linux-app-1")
        try app.sendFile(instance, name: "prescript.sh", content: ConsoleTmuxTests.prescript)
        try app.sendFile(instance, name: "postscript.sh", content: ConsoleTmuxTests.postscript)
        guard let pane = try open(client, secret: served.key.accessKeySecret) else { return }
        defer { pane.kill() }
        let ui = ConsoleTmuxTests()

        // The regions come from DescribeRegions over the wire.
        try pane.waitFor(text: "Pick a region")
        try pane.waitFor(text: "ap-southeast-1")
        try ui.filter(pane, "hangzhou")
        pane.send("Enter")
        try pane.waitFor(text: "[Instances]")
        try pane.waitFor(text: "linux-app-1")
        try ui.filter(pane, "linux-app-1")
        pane.send("c")
        try pane.waitFor(text: "Create Snapshot-consistent Group")
        try ui.focus(pane, on: "Name")
        pane.type("WireApp")
        try pane.waitFor(text: "WireApp")
        try ui.focus(pane, on: "Enable Application-consistent Snapshot")
        pane.send("Space")
        try pane.waitFor(text: "[x] Enable Application-consistent Snapshot")
        try ui.focus(pane, on: "▶[ OK ]")
        pane.send("Enter")

        let started = try pane.waitFor("the command execution ID") {
            TmuxPane.match(#"Command execution ID t-[0-9a-z]+"#, in: $0) != nil
        }
        let invokeId = try #require(TmuxPane.match(#"t-[0-9a-z]+"#, in: TmuxPane.match(#"Command execution ID t-[0-9a-z]+"#, in: started) ?? ""))
        let live = try pane.waitFor(text: "prescript: flushing the app", timeout: 120)
        #expect(live.contains(invokeId))
        _ = try pane.waitFor(text: "Exit code 0: \(ExitCode.meaning(of: 0))", timeout: 120)
        let tagged = try pane.waitFor("APPConsistent:True on the result screen", timeout: 60) {
            $0.contains("APPConsistent:True") && $0.contains("accomplished")
        }
        let gid = try #require(TmuxPane.match(#"ssg-[0-9a-z]+"#, in: tagged), "the group ID is on screen:\n\(tagged)")
        for (sid, t) in try app.snapshotTags(group: gid) { #expect(t["APPConsistent"] == "True", "\(sid): \(t)") }
        let screens = [started, live, tagged, pane.screen()]
        let end = try ui.quit(pane)
        #expect(end.contains("EXITED:0"), "\(end)")
        #expect(try secretLeaks([served.key.accessKeySecret], outputs: screens + [end], state: app.state).isEmpty)
    }

    @Test func aWrongSecretShowsSignatureDoesNotMatchAndTheConsoleStaysUp() throws {
        let served = try ServedCloud()
        defer { served.stop() }
        let client = try AliyunClient(served)
        guard let pane = try open(client, secret: "wrong-secret-for-the-test") else { return }
        defer { pane.kill() }
        let screen = try pane.waitFor(text: "SignatureDoesNotMatch", timeout: 30)
        #expect(!screen.contains("EXITED"), "the console is still running:\n\(screen)")
        #expect(!screen.contains("wrong-secret-for-the-test"))
        let end = try ConsoleTmuxTests().quit(pane)
        #expect(end.contains("EXITED:0"), "\(end)")
    }
}
