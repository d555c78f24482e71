import CloudTestSupport
import AppSnapCore
import Testing
@testable import Console

/// The whole create flow of SPEC §2, driven by keys through the reducer and the real
/// effect runner against the fake cloud.
@Suite struct CreateFlowTests {
    /// Opens the dialog for `name`, types a name and description, optionally enables app-consistent.
    func openDialog(_ s: ConsoleSession, _ name: String, groupName: String, description: String, appConsistent: Bool) {
        select(s, instance: name)
        s.press(.char("c"))
        while s.state.create?.focus != .name { s.press(.tab) }
        s.type(groupName)
        s.press(.tab); s.type(description)
        s.press(.tab)
        #expect(s.state.create?.focus == .appConsistent)
        if appConsistent { s.press(.char(" ")) }
    }

    @Test func linuxAppConsistentShowsIdAtOnceThenLogExitCodeGroupAndTags() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        openDialog(s, "linux-app-1", groupName: "LinuxApp1", description: "LinuxApp", appConsistent: true)
        let frame = s.frame().text
        #expect(frame.contains("[x] File System I/O Suspension and Resume"))
        #expect(frame.contains("Timeout (seconds)  [30"))
        #expect(!frame.contains("Contain Writers"))

        let effects = s.press(.enter)
        guard case .execute(let plan)? = effects.first, case let .runPlugin(install, _, cmd) = plan else {
            Issue.record("OK should execute a plugin run, got \(effects)"); return
        }
        #expect(!install)
        #expect(cmd.type == "RunShellScript")
        #expect(cmd.timeout == 7200)
        #expect(cmd.commandContent.hasPrefix(#"acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-TimeoutInSeconds=30,"#))
        #expect(s.state.place == .run)

        // Perform only RunCommand: the execution ID shows before any output arrives.
        let box = ActionBox()
        await EffectRunner(cloud: cloud, clock: InstantClock()).perform(effects[0]) { box.append($0) }
        var next: [Effect] = []
        for a in box.items { next += s.send(a) }
        #expect(s.frame().text.contains("Command execution ID t-hz0run00000001"))
        #expect(s.state.run?.log.totalLines == 1)

        // First poll: Running, three whole lines; the partial fourth waits for its end.
        let runner = EffectRunner(cloud: cloud, clock: InstantClock())
        let first = ActionBox()
        await runner.perform(next[0]) { first.append($0) }
        var more: [Effect] = []
        for a in first.items { more += s.send(a) }
        #expect(s.state.run?.log.totalLines == 4)
        #expect(s.state.run?.partialLine == "[level=\"info\"]")
        #expect(s.frame().text.contains("Running"))
        #expect(cloud.calls.contains("DescribeInvocationResults:PlainText"))

        await settle(s, cloud, more)
        let done = s.frame().text
        #expect(done.contains("Exit code 0: the snapshot was created successfully"))
        #expect(done.contains("Group ssg-bp1new000000002 \"LinuxApp1\""))
        #expect(done.contains("APPConsistent:True  appsnap:freeze-ms:37"))
        #expect(done.contains("100%"))
        #expect(s.state.run?.log.lines.contains { $0.contains("Take AppConsistent snapshots successfully") } == true)
    }

    @Test func linuxTimeoutAndFreezeReachTheCommandLine() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        openDialog(s, "linux-db-1", groupName: "db-nightly", description: "", appConsistent: true)
        s.press(.tab)                      // I/O suspension
        #expect(s.state.create?.focus == .fsFreeze)
        s.press(.char(" "))                // off
        s.press(.tab)                      // timeout
        s.press(.backspace); s.press(.backspace); s.type("120")
        let effects = s.press(.enter)
        await settle(s, cloud, effects)
        let cmd = cloud.runCommands.last?.commandContent ?? ""
        #expect(cmd.contains(#"-EnableFsFreeze=false,-TimeoutInSeconds=120,"#))
        // The cloud_ssd disk cannot be chosen, so it is excluded.
        #expect(cmd.contains(#"-ExcludeDiskId=\"d-bp1disk0000006\""#))
    }

    @Test func timeoutOutOfRangeIsRefusedWithTheReason() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        openDialog(s, "linux-app-1", groupName: "x1", description: "", appConsistent: true)
        s.press(.tab); s.press(.tab)
        s.press(.backspace); s.press(.backspace); s.type("0")
        let effects = s.press(.enter)
        #expect(effects.isEmpty)
        #expect(s.state.place == .create)
        #expect(s.state.create?.focus == .timeout)
        #expect(s.frame().text.contains("Timeout: must be 1 to 3600 seconds (now 0)"))
        #expect(cloud.runCommands.isEmpty)
    }

    @Test func deselectedDiskIsExcludedAndIneligibleDiskCannotBeToggled() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        select(s, instance: "linux-db-1")
        s.press(.char("c"))
        // Focus starts on the first eligible disk; the cloud_ssd one is never focused.
        #expect(s.state.create?.focus == .disk("d-bp1disk0000004"))
        #expect(s.state.create?.fields.contains(.disk("d-bp1disk0000006")) == false)
        s.press(.tab); s.press(.char(" "))  // deselect d-…05
        #expect(s.frame().text.contains("[ ] d-bp1disk0000005"))
        #expect(s.frame().text.contains("[-] d-bp1disk0000006"))
        #expect(s.frame().text.contains("d-bp1disk0000006 is cloud_ssd, not an ESSD disk"))
        #expect(s.state.create?.request.excludedDiskIds == ["d-bp1disk0000005", "d-bp1disk0000006"])
    }

    @Test func noCloudAssistantIsAnnouncedAndInstalledFirst() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        openDialog(s, "linux-noassist-1", groupName: "na-1", description: "", appConsistent: false)
        #expect(!s.frame().text.contains("it will be installed"))
        s.press(.char(" "))
        #expect(s.frame().text.contains("Cloud Assistant is not installed: it will be installed first."))
        let effects = s.press(.enter)
        #expect(s.frame().text.contains("installing Cloud Assistant"))
        await settle(s, cloud, effects)
        #expect(cloud.calls.prefix { $0 != "RunCommand" }.contains("InstallCloudAssistant"))
        #expect(cloud.installs == ["i-bp1demo00000005"])
        #expect(s.state.run?.log.lines.contains("Cloud Assistant installed on i-bp1demo00000005") == true)
        #expect(s.frame().text.contains("Exit code 0"))
    }

    @Test func windowsShowsContainWritersOnlyOnceAppConsistentIsOn() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        openDialog(s, "win-sql-1", groupName: "APPSnapshot-1", description: "AppSnapshot", appConsistent: false)
        var text = s.frame().text
        #expect(!text.contains("Contain Writers"))
        #expect(!text.contains("File System I/O Suspension"))
        s.press(.char(" "))
        text = s.frame().text
        #expect(text.contains("[x] Contain Writers by Default"))
        s.press(.tab)
        #expect(s.state.create?.focus == .containWriters)
        s.press(.char(" "))
        #expect(s.frame().text.contains("[ ] Contain Writers by Default"))
        #expect(s.frame().text.contains("without writers the snapshots are file-system consistent"))
        s.press(.char(" "))
        let effects = s.press(.enter)
        guard case .execute(.runPlugin(_, _, let cmd))? = effects.first else { Issue.record("expected a plugin run"); return }
        #expect(cmd.type == "RunPowerShellScript")
        #expect(cmd.commandContent == #"acs-plugin-manager --exec --plugin app-snapshot-plugin-win --params=-RamRoleName=\"AppSnapshotRoleName\",-EnableWriters=true,-ExcludeDiskId=\"\",-Name=\"APPSnapshot-1\",-Description=\"AppSnapshot\""#)
        await settle(s, cloud, effects)
        #expect(s.frame().text.contains("Exit code 0: the snapshot was created successfully"))
    }

    @Test func windowsWithoutAppConsistentCreatesThePlainGroup() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        openDialog(s, "win-sql-1", groupName: "win-crash", description: "", appConsistent: false)
        await settle(s, cloud, s.press(.enter))
        #expect(cloud.runCommands.isEmpty)
        #expect(cloud.createRequests.map(\.name) == ["win-crash"])
    }

    @Test func withoutAppConsistentItCreatesTheGroupDirectlyCrashConsistent() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        openDialog(s, "linux-app-1", groupName: "crash-1", description: "plain", appConsistent: false)
        let effects = s.press(.enter)
        #expect(s.frame().text.contains("none: crash-consistent, no command"))
        await settle(s, cloud, effects)
        #expect(cloud.runCommands.isEmpty)
        #expect(cloud.createRequests.first?.diskIds == ["d-bp1disk0000001", "d-bp1disk0000002", "d-bp1disk0000003"])
        let text = s.frame().text
        #expect(text.contains("group created"))
        #expect(text.contains("\"crash-1\""))
        #expect(text.contains("crash-consistent"))
        #expect(text.contains("tags: (no tags)"))
        #expect(!text.contains("Exit code"))
    }

    @Test func failedPluginShowsTheExitCodeMeaningAndNoGroup() async {
        let cloud = FakeCloud()
        cloud.pluginExit = 11
        let s = await hangzhouSession(cloud: cloud)
        openDialog(s, "linux-app-1", groupName: "fails", description: "", appConsistent: true)
        await settle(s, cloud, s.press(.enter))
        let text = s.frame().text
        #expect(text.contains("Exit code 11: file-system I/O could not be suspended in time"))
        #expect(text.contains("No snapshot-consistent group was created."))
    }

    @Test func escapeCancelsTheDialogWithoutCallingTheCloud() async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(cloud: cloud)
        select(s, instance: "linux-app-1")
        s.press(.char("c"))
        #expect(s.state.place == .create)
        s.press(.escape)
        #expect(s.state.place == .tab(.instances))
        #expect(s.state.create == nil)
        #expect(cloud.runCommands.isEmpty && cloud.createRequests.isEmpty)
    }
}
