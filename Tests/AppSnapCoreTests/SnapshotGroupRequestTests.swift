import Testing
@testable import AppSnapCore

private func instance(_ name: String, os: String = "linux") -> Instance {
    Instance(InstanceId: "i-\(name)", InstanceName: name, RegionId: "cn-hangzhou", ZoneId: "cn-hangzhou-h",
             Status: "Running", OSType: os, OSName: os == "linux" ? "CentOS 7.9 64 bit" : "Windows Server 2019 Datacenter 64 bit",
             CreationTime: "2025-03-04T08:00:00Z")
}

private func disk(_ id: String, on inst: String, category: String = "cloud_essd", multiAttach: String = "Disabled") -> Disk {
    Disk(DiskId: id, DiskName: id, RegionId: "cn-hangzhou", ZoneId: "cn-hangzhou-h", InstanceId: inst, Category: category,
         Size: 40, Status: "In_use", Type: "data", Device: "/dev/vdb", MultiAttach: multiAttach, CreationTime: "2025-03-04T08:00:00Z")
}

@Suite struct SnapshotGroupRequestTests {
    let linux = instance("linux-db-1")
    var linuxDisks: [Disk] {
        [disk("d-sys", on: linux.InstanceId), disk("d-data", on: linux.InstanceId), disk("d-ssd", on: linux.InstanceId, category: "cloud_ssd")]
    }

    @Test func newDialogSelectsOnlyEligibleDisks() {
        let r = SnapshotGroupRequest(instance: linux, disks: linuxDisks, ramRoleName: "AppSnapshotRoleName")
        #expect(r.selectedDiskIds == ["d-sys", "d-data"])
        #expect(r.excludedDiskIds == ["d-ssd"])
        #expect(r.timeoutSeconds == 30)
        #expect(r.fsFreeze)
    }

    @Test func linuxAppConsistentPlanIsTheSeedPluginLineWithUnselectedDisksExcluded() throws {
        var r = SnapshotGroupRequest(instance: linux, disks: linuxDisks, ramRoleName: "AppSnapshotRoleName",
                               name: "LinuxApp1", description: "LinuxApp", appConsistent: true)
        r.selectedDiskIds.remove("d-data")
        guard case let .runPlugin(install, _, run) = try r.plan().get() else { Issue.record("expected a plugin run"); return }
        #expect(!install)
        #expect(run.type == "RunShellScript")
        #expect(run.timeout == 7200)
        #expect(run.instanceIds == ["i-linux-db-1"])
        #expect(run.commandContent == #"acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-TimeoutInSeconds=30,-PreScriptPath=\"/tmp/prescript.sh\",-PostScriptPath=\"/tmp/postscript.sh\",-ExcludeDiskId=\"d-data,d-ssd\",-Name=\"LinuxApp1\",-Description=\"LinuxApp\""#)
    }

    @Test func linuxFreezeOffAndTimeoutReachTheParams() throws {
        let r = SnapshotGroupRequest(instance: linux, disks: linuxDisks, ramRoleName: "R", name: "nm", appConsistent: true,
                               fsFreeze: false, timeoutSeconds: 120)
        guard case let .runPlugin(_, params, _) = try r.plan().get(), case let .linux(p) = params else {
            Issue.record("expected Linux plugin params"); return
        }
        #expect(!p.enableFsFreeze)
        #expect(p.timeoutInSeconds == 120)
        // The rendered line parses back to the same params: the plugin will read what the dialog said.
        #expect(try PluginParams.parse(plugin: PluginParams.linuxPlugin, params: params.rendered) == params)
    }

    @Test func windowsPlanUsesPowerShellAndContainWriters() throws {
        let win = instance("win-sql-1", os: "windows")
        let r = SnapshotGroupRequest(instance: win, disks: [disk("d-w1", on: win.InstanceId)], ramRoleName: "AppSnapshotRoleName",
                               name: "APPSnapshot-1", description: "AppSnapshot", appConsistent: true, containWriters: true)
        guard case let .runPlugin(_, _, run) = try r.plan().get() else { Issue.record("expected a plugin run"); return }
        #expect(run.type == "RunPowerShellScript")
        #expect(run.commandContent == #"acs-plugin-manager --exec --plugin app-snapshot-plugin-win --params=-RamRoleName=\"AppSnapshotRoleName\",-EnableWriters=true,-ExcludeDiskId=\"\",-Name=\"APPSnapshot-1\",-Description=\"AppSnapshot\""#)
    }

    @Test func cloudAssistantMissingIsInstalledFirstOnlyWhenAppConsistent() throws {
        var r = SnapshotGroupRequest(instance: linux, disks: linuxDisks, ramRoleName: "R", cloudAssistantInstalled: false,
                               name: "nm", appConsistent: true)
        guard case let .runPlugin(install, _, _) = try r.plan().get() else { Issue.record("expected a plugin run"); return }
        #expect(install)
        r.appConsistent = false
        guard case .createSnapshotGroup = try r.plan().get() else { Issue.record("no install without app-consistent"); return }
    }

    @Test func withoutAppConsistentItCreatesThePlainGroupDirectly() throws {
        let r = SnapshotGroupRequest(instance: linux, disks: linuxDisks, name: "crash-1", description: "d")
        guard case let .createSnapshotGroup(req) = try r.plan().get() else { Issue.record("expected CreateSnapshotGroup"); return }
        #expect(req.diskIds == ["d-sys", "d-data"])
        #expect(req.excludeDiskIds == ["d-ssd"])
        #expect(req.instanceId == "i-linux-db-1")
        #expect(req.name == "crash-1")
        #expect(req.tags.isEmpty)
    }

    @Test func problemsAnOperatorCanRead() {
        var r = SnapshotGroupRequest(instance: linux, disks: linuxDisks, ramRoleName: "R", appConsistent: true, timeoutSeconds: 0)
        r.selectedDiskIds = []
        let messages = r.validate().map(\.message)
        #expect(messages.contains("Name: required"))
        #expect(messages.contains("Disks: select at least one disk"))
        #expect(messages.contains("Timeout: must be 1 to 3600 seconds (now 0)"))
        if case .success = r.plan() { Issue.record("an invalid dialog must not give a plan") }

        r.name = "x"; r.timeoutSeconds = 3601; r.selectedDiskIds = ["d-sys"]
        #expect(r.validate().map(\.message) == ["Name must be 2 to 128 characters, got 1", "Timeout: must be 1 to 3600 seconds (now 3601)"])
        // The plugin's naming rules hold here too, so OK never starts a run that ends in exit 2.
        r.name = "1st backup"; r.timeoutSeconds = 3600
        #expect(r.validate().map(\.message) == ["Name must start with a letter, got \"1st backup\""])
        r.name = "https://x"
        #expect(r.validate().map(\.field) == [.name])
        r.name = String(repeating: "n", count: 129); r.timeoutSeconds = 3600
        #expect(r.validate().map(\.field) == [.name])
        r.name = String(repeating: "n", count: 128)
        #expect(r.validate().isEmpty)
    }

    @Test func ineligibleDiskCannotBeSubmittedAndNamesItsReason() {
        var r = SnapshotGroupRequest(instance: linux, disks: linuxDisks, name: "nm")
        r.selectedDiskIds.insert("d-ssd")
        #expect(r.validate().map(\.message) == ["Disks: d-ssd is cloud_ssd, not an ESSD disk; deselect it"])
    }

    @Test func appConsistentNeedsARamRoleButCrashConsistentDoesNot() {
        var r = SnapshotGroupRequest(instance: linux, disks: linuxDisks, ramRoleName: "", name: "nm", appConsistent: true)
        #expect(r.validate().map(\.field) == [.ramRole])
        r.appConsistent = false
        #expect(r.validate().isEmpty)
    }
}
