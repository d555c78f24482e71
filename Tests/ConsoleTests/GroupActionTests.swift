import CloudTestSupport
import AppSnapCore
import Testing
@testable import Console

/// Marks, delete (one and the marked ones), rename, copy and live refresh, as the operator
/// sees them.
@Suite struct GroupActionTests {
    static let sizes = [(80, 24), (120, 40)]

    /// A cloud with four more groups on linux-db-1, newest first after the seed's.
    static func cloudWithGroups() -> FakeCloud {
        let c = FakeCloud()
        let db = c.instances[1]
        for n in 1...4 {
            c.groups.append(c.makeGroup(id: "ssg-bp1db00000000\(n)", name: "db-nightly-\(n)", instance: db,
                                        tags: [ConsistencyTag.app], time: "2025-03-0\(4 + n)T01:00:00Z"))
        }
        return c
    }

    func groupsSession(_ cloud: FakeCloud, width: Int = 120, height: Int = 40) async -> ConsoleSession {
        let s = await hangzhouSession(width: width, height: height, cloud: cloud)
        s.press(.tab)
        return s
    }

    @Test(arguments: sizes) func deleteOneStartsOnCancelAndNamesTheGroup(w: Int, h: Int) async {
        let cloud = Self.cloudWithGroups()
        let s = await groupsSession(cloud, width: w, height: h)
        s.press(.ctrl("d"))
        let text = s.frame().text
        #expect(text.contains("Delete Snapshot-consistent Group"))
        #expect(text.contains("ssg-bp1db000000004"))
        #expect(text.contains("▶[ Cancel ]"), "Cancel has the focus first")
        expectGolden(s.frame(), "delete-one")
        // Enter at once cancels: nothing is deleted.
        s.press(.enter)
        #expect(s.state.dialog == nil)
        #expect(!cloud.calls.contains { $0.hasPrefix("DeleteSnapshotGroup") })
    }

    @Test(arguments: sizes) func deleteMarkedSaysWhatTheFilterHides(w: Int, h: Int) async {
        let cloud = Self.cloudWithGroups()
        let s = await groupsSession(cloud, width: w, height: h)
        s.press(.char(" ")); s.press(.char(" "))      // marks rows 1 and 2, the cursor moves on
        #expect(s.state.groupList.marked == ["ssg-bp1db000000004", "ssg-bp1db000000003"])
        s.press(.char("/")); s.type("db-nightly-3"); s.press(.enter)
        s.press(.ctrl("d"))
        let text = s.frame().text
        #expect(text.contains("Delete 2 Snapshot-consistent Groups"))
        #expect(text.contains("1 of them is a marked row the filter hides."))
        expectGolden(s.frame(), "delete-marked")
        s.press(.left)
        #expect(s.frame().text.contains("▶[ Delete ]"))
        let effects = s.press(.enter)
        #expect(effects == [.deleteGroups(regionId: FakeCloud.region, groupIds: ["ssg-bp1db000000004", "ssg-bp1db000000003"])])
        await settle(s, cloud, effects)
        #expect(s.state.dialog == nil)
        #expect(!cloud.groups.contains { $0.SnapshotGroupId == "ssg-bp1db000000004" || $0.SnapshotGroupId == "ssg-bp1db000000003" })
        #expect(s.frame().text.contains("deleted 2 groups"))
        #expect(s.state.groupList.marked.isEmpty)
    }

    @Test func aGroupTheCloudKeepsStaysWithItsReason() async {
        let cloud = Self.cloudWithGroups()
        cloud.undeletable = ["ssg-bp1db000000003"]
        let s = await groupsSession(cloud)
        s.press(.char(" ")); s.press(.char(" "))
        s.press(.ctrl("d")); s.press(.left)
        await settle(s, cloud, s.press(.enter))
        let text = s.frame().text
        #expect(text.contains("1 group not deleted: ssg-bp1db000000003: IncorrectSnapshotGroupStatus"))
        #expect(s.state.groups.contains { $0.SnapshotGroupId == "ssg-bp1db000000003" })
        #expect(!s.state.groups.contains { $0.SnapshotGroupId == "ssg-bp1db000000004" })
    }

    @Test(arguments: sizes) func renameChecksTheNameAndCallsModifySnapshotGroup(w: Int, h: Int) async {
        let cloud = Self.cloudWithGroups()
        let s = await groupsSession(cloud, width: w, height: h)
        s.press(.char("e"))
        #expect(s.frame().text.contains("Rename Snapshot-consistent Group"))
        s.press(.ctrl("u")); s.type("9lives")
        s.press(.enter)
        #expect(s.frame().text.contains("the name starts with a letter"))
        #expect(s.state.dialog != nil)
        s.press(.home); s.press(.delete)                  // "lives"
        #expect(s.state.dialog?.field.text == "lives")
        s.press(.end); s.press(.ctrl("u")); s.type("db weekly")
        s.press(.ctrl("w"))                               // drops "weekly"
        s.type("monthly")
        expectGolden(s.frame(), "rename")
        await settle(s, cloud, s.press(.enter))
        #expect(cloud.groups.first { $0.SnapshotGroupId == "ssg-bp1db000000004" }?.Name == "db monthly")
        #expect(s.frame().text.contains("renamed ssg-bp1db000000004 to db monthly"))
        #expect(s.frame().text.contains("db monthly"))
    }

    @Test func marksRangeAndClearSurviveARefreshAndTheCursorKeepsItsRow() async {
        let cloud = Self.cloudWithGroups()
        let s = await groupsSession(cloud)
        s.press(.char(" "))                               // marks the first, moves to the second
        s.press(.down); s.press(.down)
        s.press(.ctrl(" "))                               // the range from the first to the fourth
        #expect(s.state.groupList.marked.count == 4)
        #expect(s.frame().text.contains("4 marked"))
        let onRow = s.state.groupList.selectedId
        // A new group arrives on top: the rows move, the cursor and the marks stay with theirs.
        cloud.groups.append(cloud.makeGroup(id: "ssg-bp1db000000009", name: "db-new", instance: cloud.instances[1],
                                            tags: [], time: "2025-03-20T01:00:00Z"))
        await settle(s, cloud, s.send(.tick))
        #expect(s.state.groups.first?.SnapshotGroupId == "ssg-bp1db000000009")
        #expect(s.state.groupList.selectedId == onRow)
        #expect(s.state.groupList.marked.count == 4)
        s.press(.ctrl("\\"))
        #expect(s.state.groupList.marked.isEmpty)
    }

    @Test func aRefreshInFlightIsNeverDoubled() async {
        let s = await groupsSession(Self.cloudWithGroups())
        let first = s.send(.tick)
        #expect(first == [.loadGroups(regionId: FakeCloud.region)])
        #expect(s.send(.tick).isEmpty, "the groups are still loading")
        #expect(s.press(.char("r")) == [.loadInventory(regionId: FakeCloud.region), .loadInvocations(regionId: FakeCloud.region)])
    }

    @Test func anotherRegionsLoadInFlightDoesNotHoldUpTheNewOne() async {
        let s = await groupsSession(Self.cloudWithGroups())
        #expect(s.send(.tick) == [.loadGroups(regionId: FakeCloud.region)])   // hangzhou's groups in flight
        s.press(.char(":")); s.type("regions"); s.press(.enter)
        s.press(.char("g"))                                                   // ap-southeast-1
        let effects = s.press(.enter)
        #expect(effects.contains(.loadGroups(regionId: "ap-southeast-1")))
        // Hangzhou's late answer is dropped and leaves Singapore's load in flight.
        s.send(.groupsLoaded(regionId: FakeCloud.region, []))
        #expect(s.state.loading.contains(.groups))
    }

    @Test func aProgressingGroupsBarMovesByItself() async {
        let cloud = Self.cloudWithGroups()
        cloud.groups.append(cloud.makeGroup(id: "ssg-bp1db00000000p", name: "db-live", instance: cloud.instances[1],
                                            tags: [], time: "2025-03-21T01:00:00Z", progress: "20%"))
        let s = await groupsSession(cloud)
        #expect(s.frame().text.contains("progressing 20%"))
        let i = cloud.groups.firstIndex { $0.SnapshotGroupId == "ssg-bp1db00000000p" }!
        cloud.groups[i] = cloud.makeGroup(id: "ssg-bp1db00000000p", name: "db-live", instance: cloud.instances[1],
                                          tags: [], time: "2025-03-21T01:00:00Z", progress: "60%")
        await settle(s, cloud, s.send(.tick))
        #expect(s.frame().text.contains("progressing 60%"))
    }

    @Test func yCopiesTheRowsIdAndSaysSo() async {
        let s = await groupsSession(Self.cloudWithGroups())
        let effects = s.press(.char("y"))
        #expect(effects == [.copyToClipboard("ssg-bp1db000000004")])
        #expect(s.frame().text.contains("copied ssg-bp1db000000004 to the clipboard"))
    }
}

/// The role goldens see what the text goldens cannot.
@Suite struct RoleGoldenTests {
    @Test func aSelectionOnTheWrongRowChangesTheRoleMap() async {
        let s = await hangzhouSession(width: 80, height: 24)
        let before = roleMap(s.frame())
        s.press(.down)
        #expect(roleMap(s.frame()) != before, "moving the selection shows in the role map")
    }
}
