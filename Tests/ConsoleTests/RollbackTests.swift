import CloudTestSupport
import AppSnapCore
import Testing
@testable import Console

/// Roll back from the groups list and the detail: each disk and its snapshot, stop first and
/// start after, the DryRun's answer before OK, the group's name typed to confirm, each
/// disk's outcome.
@Suite struct RollbackTests {
    static let sizes = [(80, 24), (120, 40)]

    func dbGroupSession(width: Int = 120, height: Int = 40) async -> (ConsoleSession, FakeCloud) {
        let cloud = GroupActionTests.cloudWithGroups()
        let s = await hangzhouSession(width: width, height: height, cloud: cloud)
        s.press(.tab)                                     // db-nightly-4 on linux-db-1 is on top
        return (s, cloud)
    }

    @Test(arguments: sizes) func theDialogShowsDisksDryRunAndWantsTheName(w: Int, h: Int) async {
        let (s, cloud) = await dbGroupSession(width: w, height: h)
        await settle(s, cloud, s.press(.char("b")))
        let text = s.frame().text
        #expect(text.contains("Roll back linux-db-1 to db-nightly-4"))
        #expect(text.contains("d-bp1disk0000004"), "the system disk")
        #expect(text.contains("s-bp1db0000000040"), "and the snapshot it goes back to")
        #expect(text.contains("[x] Stop the instance first"))
        #expect(text.contains("DryRun ✔ StopInstance: DryRunOperation, would succeed"))
        #expect(text.contains("DryRun ! ResetDisks: IncorrectInstanceStatus now; it is stopped first"))
        expectGolden(s.frame(), "rollback")
        // OK without the name is refused and nothing is called.
        while s.state.dialog?.focus != .ok { s.press(.tab) }
        #expect(s.press(.enter).isEmpty)
        #expect(s.frame().text.contains("type the group's name, db-nightly-4, to confirm"))
        #expect(cloud.resets.isEmpty)
    }

    @Test(arguments: sizes) func rollingBackStopsResetsEachDiskAndStarts(w: Int, h: Int) async {
        let (s, cloud) = await dbGroupSession(width: w, height: h)
        await settle(s, cloud, s.press(.char("b")))
        while s.state.dialog?.focus != .field { s.press(.tab) }
        s.type("db-nightly-4")
        s.press(.tab)                                     // OK
        await settle(s, cloud, s.press(.enter))
        #expect(cloud.calls.filter { !$0.hasPrefix("Describe") && !$0.hasPrefix("Delete") }
            == ["StopInstance i-bp1demo00000002", "ResetDisks d-bp1disk0000004,d-bp1disk0000005", "StartInstance i-bp1demo00000002"])
        let text = s.frame().text
        #expect(text.contains("d-bp1disk0000004 (system, 40 GiB) › s-bp1db0000000040  ✔ rolled back"))
        #expect(text.contains("d-bp1disk0000005 (data, 500 GiB) › s-bp1db0000000041  ✔ rolled back"))
        #expect(text.contains("✔ linux-db-1 is back at db-nightly-4 (2 disks)"))
        expectGolden(s.frame(), "rollback-done")
        s.press(.enter)
        #expect(s.state.dialog == nil)
    }

    @Test func withoutStoppingTheDryRunRefusesAndOKIsRefused() async {
        let (s, cloud) = await dbGroupSession()
        await settle(s, cloud, s.press(.char("b")))
        await settle(s, cloud, s.press(.char(" ")))       // stop first: off
        #expect(s.frame().text.contains("DryRun ✘ ResetDisks: IncorrectInstanceStatus"))
        while s.state.dialog?.focus != .field { s.press(.tab) }
        s.type("db-nightly-4"); s.press(.tab)
        #expect(s.press(.enter).isEmpty)
        #expect(s.frame().text.contains("the DryRun refused"))
    }

    @Test func fromTheDetailToo() async {
        let (s, cloud) = await dbGroupSession()
        s.press(.enter)
        await settle(s, cloud, s.press(.char("b")))
        #expect(s.frame().text.contains("Roll back linux-db-1 to db-nightly-4"))
    }
}
