import CloudTestSupport
import AppSnapCore
import Testing
@testable import Console

/// Every screen as text, at 80×24 and 120×40 (APPSNAP_RECORD_GOLDENS=1 re-records).
@Suite struct ScreenGoldenTests {
    static let sizes = [(80, 24), (120, 40)]

    @Test(arguments: sizes) func regionPicker(w: Int, h: Int) async {
        let s = ConsoleSession(state: ConsoleState(width: w, height: h))
        await settle(s, FakeCloud(), s.start())
        expectGolden(s.frame(), "regions")
    }

    @Test(arguments: sizes) func instances(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        expectGolden(s.frame(), "instances")
    }

    @Test(arguments: sizes) func instancesFiltered(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        s.press(.char("/")); s.type("ubuntu")
        expectGolden(s.frame(), "instances-filter")
    }

    @Test(arguments: sizes) func groups(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        s.press(.tab)
        expectGolden(s.frame(), "groups")
    }

    @Test(arguments: sizes) func groupDetail(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        s.press(.tab); s.press(.enter)
        expectGolden(s.frame(), "group-detail")
    }

    @Test(arguments: sizes) func invocations(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        s.press(.char("l")); s.press(.char("l"))
        expectGolden(s.frame(), "invocations")
    }

    @Test(arguments: sizes) func createLinuxWithIneligibleDisk(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        select(s, instance: "linux-db-1"); s.press(.char("c"))
        expectGolden(s.frame(), "create-linux")
    }

    @Test(arguments: sizes) func createLinuxAppConsistentNeedsAssistant(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        select(s, instance: "linux-noassist-1"); s.press(.char("c"))
        s.press(.tab); s.press(.tab); s.type("NoAssist1"); s.press(.tab); s.press(.tab)
        s.press(.char(" "))
        expectGolden(s.frame(), "create-noassist")
    }

    @Test(arguments: sizes) func createWindowsAppConsistent(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        select(s, instance: "win-sql-1"); s.press(.char("c"))
        s.press(.tab); s.press(.tab); s.type("APPSnapshot-1"); s.press(.tab); s.type("AppSnapshot"); s.press(.tab)
        s.press(.char(" "))
        expectGolden(s.frame(), "create-windows")
    }

    @Test(arguments: sizes) func createProblems(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        select(s, instance: "linux-app-1"); s.press(.char("c"))
        s.press(.char(" ")); s.press(.tab); s.press(.char(" ")); s.press(.tab); s.press(.char(" "))
        s.press(.enter)
        expectGolden(s.frame(), "create-problems")
    }

    @Test(arguments: sizes) func runFinished(w: Int, h: Int) async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(width: w, height: h, cloud: cloud)
        select(s, instance: "linux-app-1"); s.press(.char("c"))
        for _ in 0..<3 { s.press(.tab) }
        s.type("LinuxApp1"); s.press(.tab); s.type("LinuxApp"); s.press(.tab); s.press(.char(" "))
        let effects = s.press(.enter)
        expectGolden(s.frame(), "run-started")
        await settle(s, cloud, effects)
        expectGolden(s.frame(), "run-finished")
    }

    @Test(arguments: sizes) func logSearch(w: Int, h: Int) async {
        let cloud = FakeCloud()
        let s = await hangzhouSession(width: w, height: h, cloud: cloud)
        s.press(.char("l")); s.press(.char("l"))
        await settle(s, cloud, s.press(.enter))
        s.press(.char("/")); s.type("prescript"); s.press(.enter)
        expectGolden(s.frame(), "log-search")
    }

    @Test(arguments: sizes) func help(w: Int, h: Int) async {
        let s = await hangzhouSession(width: w, height: h)
        s.press(.char("?"))
        expectGolden(s.frame(), "help")
    }

    @Test func tooSmallThenRecovers() async {
        let s = await hangzhouSession()
        s.send(.resize(width: 60, height: 20))
        expectGolden(s.frame(), "too-small")
        #expect(s.frame().text.contains("terminal too small: need 80×24, have 60×20"))
        s.send(.resize(width: 80, height: 24))
        let fresh = await hangzhouSession()
        let recovered = s.frame()
        #expect(recovered == fresh.frame())
    }

    @Test func asciiFallback() async {
        let s = await hangzhouSession(glyphs: .ascii)
        let g = s.frame()
        expectGolden(g, "instances-ascii")
        let allASCII = g.text.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(allASCII)
    }
}
