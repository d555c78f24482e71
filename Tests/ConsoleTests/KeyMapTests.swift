import CloudTestSupport
import Testing
@testable import Console

@Suite struct KeyMapTests {
    @Test func hintBarAndHelpComeFromTheKeyMap() async {
        let s = await hangzhouSession(width: 120, height: 40)
        let hintRow = s.frame().row(39)
        for h in KeyMap.standard.hints(in: .list) { #expect(hintRow.contains("\(h.key) \(h.label)")) }
        s.press(.char("?"))
        s.send(.resize(width: 120, height: 200))
        let help = s.frame().text
        for b in KeyMap.standard.bindings { #expect(help.contains(b.help)) }
    }

    @Test func everyCommandInAContextHasOneMeaningPerKey() {
        for ctx in KeyContext.allCases {
            var seen: [Key: Command] = [:]
            for b in KeyMap.standard.bindings(in: ctx) {
                for k in b.keys {
                    if let c = seen[k] { #expect(c == b.command, "\(k) means both \(c) and \(b.command) in \(ctx)") }
                    seen[k] = b.command
                }
            }
        }
    }

    @Test func arrowsAndHjklMoveTabsAndLists() async {
        let s = await hangzhouSession()
        s.press(.char("j")); s.press(.down)
        #expect(s.state.instanceList.cursor == 2)
        s.press(.char("k"))
        #expect(s.state.instanceList.cursor == 1)
        s.press(.char("l"))
        #expect(s.state.place == .tab(.groups))
        s.press(.left)
        #expect(s.state.place == .tab(.instances))
    }

    @Test func colonJumpsAndEscGoesBackWithBreadcrumbs() async {
        let s = await hangzhouSession()
        s.press(.char(":")); s.type("groups")
        await settle(s, FakeCloud(), s.press(.enter))
        #expect(s.state.place == .tab(.groups))
        #expect(s.frame().row(0).hasPrefix(" appsnap › cn-hangzhou › Snapshot-consistent Groups"))
        s.press(.enter)
        #expect(s.frame().row(0).contains("› ssg-bp1seed000000001"))
        s.press(.escape)
        #expect(s.state.place == .tab(.groups))
        s.press(.escape)
        #expect(s.state.place == .regions)
        s.press(.char(":")); s.type("nowhere"); s.press(.enter)
        #expect(s.frame().text.contains("no view named \"nowhere\""))
        s.press(.char("q"))
        #expect(s.state.quitting)
    }

    @Test func filterNarrowsIncrementallyAndEscClearsIt() async {
        let s = await hangzhouSession()
        s.press(.char("/")); s.type("linux-")
        #expect(s.state.instanceList.count == 5)
        s.type("s")
        #expect(s.state.instanceList.visible.map { s.state.inventory.instances[$0].InstanceName } == ["linux-shared-1", "linux-stopped-1"])
        s.press(.enter)
        #expect(s.frame().text.contains("2 of 6 instances · filter /linux-s"))
        s.press(.escape)
        #expect(s.state.instanceList.count == 6)
    }

    @Test func incrementalFilterAgreesWithAFullScan() {
        let keys = (0..<5000).map { "inst-\($0 % 97)-\($0)" } + ["ínst-é-1", "日本-inst"]
        var list = FilteredList(keys: keys)
        // Typing, deleting back to remembered texts, jumping elsewhere, non-ASCII.
        for q in ["i", "in", "inst-1", "inst-12", "inst-1", "inst-12-", "x", "", "in", "inst-9", "ins", "in", "i", "é", "日本", "本-i", ""] {
            list.setQuery(q)
            #expect(list.visible == keys.indices.filter { q.isEmpty || keys[$0].contains(q) })
        }
    }

    @Test func tooSmallIgnoresKeysButQuits() async {
        let s = await hangzhouSession()
        s.send(.resize(width: 79, height: 24))
        #expect(s.frame().text.contains("terminal too small: need 80×24, have 79×24"))
        s.press(.char("j"))
        #expect(s.state.instanceList.cursor == 0)
        s.press(.char("q"))
        #expect(s.state.quitting)
    }
}
