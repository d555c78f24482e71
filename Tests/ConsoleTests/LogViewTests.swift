import CloudTestSupport
import AppSnapCore
import Foundation
import Testing
@testable import Console

/// The live log: follow, pause, resume, wrap, search, save, and the bounded ring.
@Suite struct LogViewTests {
    /// A run screen with `n` numbered lines in the log.
    func logSession(lines n: Int, capacity: Int = 1000) -> ConsoleSession {
        var st = ConsoleState(width: 80, height: 24, logCapacity: capacity)
        st.regionId = FakeCloud.region
        st.stack = [.regions, .tab(.invocations), .run]
        var run = RunState(request: nil, regionId: FakeCloud.region, instanceId: "i-1", phase: .running, logCapacity: capacity)
        run.invokeId = "t-log"
        st.run = run
        let s = ConsoleSession(state: st)
        s.send(.logLines((1...n).map { "line \($0) of the run" }))
        return s
    }

    func visibleLogLines(_ s: ConsoleSession) -> [String] {
        s.frame().text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("line ") }
    }

    @Test func followsTheTailThenPausesOnScrollAndResumesWithEndOrG() {
        let s = logSession(lines: 100)
        #expect(visibleLogLines(s).last == "line 100 of the run")
        s.press(.up)
        #expect(s.state.run?.log.following == false)
        s.send(.logLines(["line 101 of the run"]))
        #expect(visibleLogLines(s).last == "line 99 of the run")
        #expect(s.frame().text.contains("paused: End or G follows again"))
        s.press(.char("G"))
        #expect(visibleLogLines(s).last == "line 101 of the run")
        s.press(.pageUp); s.press(.end)
        #expect(s.state.run?.log.following == true)
        s.press(.char("g"))
        #expect(visibleLogLines(s).first == "line 1 of the run")
    }

    @Test func ringKeepsItsCapacityAndCountsDroppedLines() {
        let s = logSession(lines: 250, capacity: 100)
        #expect(s.state.run?.log.count == 100)
        #expect(s.state.run?.log.dropped == 150)
        #expect(s.frame().text.contains("250 lines · 150 dropped"))
        s.press(.char("g"))
        #expect(visibleLogLines(s).first == "line 151 of the run")
    }

    @Test func wrapShowsTheWholeLongLine() {
        let s = logSession(lines: 3)
        let long = "line 4 " + String(repeating: "x", count: 150) + " END"
        s.send(.logLines([long]))
        #expect(!s.frame().text.contains("END"))
        s.press(.char("w"))
        #expect(s.frame().text.contains("wrap on"))
        // The line continues on the next rows; joined back, all of it is there.
        #expect(s.frame().text.replacingOccurrences(of: "\n", with: "").contains(String(repeating: "x", count: 150) + " END"))
    }

    @Test func followingWithWrapShowsTheEndOfALineOfWideCharacters() {
        let s = logSession(lines: 200)
        s.press(.char("w"))
        // 160 cells, but a wide character never straddles the edge, so at 80 columns it
        // takes three rows, not two: the last one must still be on screen.
        let width = s.frame().width
        let wide = "a" + String(repeating: "中", count: width - 1) + "Ω"
        s.send(.logLines([wide]))
        #expect(s.frame().text.contains("Ω"), "the tail of the newest line is cut off")
    }

    @Test func searchHighlightsAndNMovesBetweenMatches() {
        let s = logSession(lines: 200)
        s.press(.char("/")); s.type("7 of"); s.press(.enter)
        let first = s.state.run?.log.currentMatch
        #expect(first != nil)
        #expect(s.state.run?.log.line(first!)?.contains("7 of") == true)
        let g = s.frame()
        #expect(!g.cells(withRole: .currentMatch).isEmpty)
        #expect(!g.cells(withRole: .match).isEmpty)
        s.press(.char("n"))
        let second = s.state.run?.log.currentMatch
        #expect(second != nil && second! > first!)
        s.press(.char("N"))
        #expect(s.state.run?.log.currentMatch == first)
        #expect(s.frame().text.contains("/7 of: 20 lines, n/N move"))
    }

    @Test func saveWritesEveryHeldLineToTheFile() async throws {
        let s = logSession(lines: 5)
        s.press(.char("s"))
        #expect(s.state.prompt?.text == "appsnap-t-log.log")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("appsnap-console-test-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for _ in 0..<"appsnap-t-log.log".count { s.press(.backspace) }
        s.type(path)
        let effects = s.press(.enter)
        await settle(s, FakeCloud(), effects)
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(saved == (1...5).map { "line \($0) of the run\n" }.joined())
        #expect(s.frame().text.contains("saved 5 lines to \(path)"))
    }

    @Test func invocationOutputIsSplitIntoLinesAcrossPolls() {
        var st = ConsoleState()
        var run = RunState(request: nil, regionId: "r", instanceId: "i", phase: .running, logCapacity: 10)
        run.invokeId = "t-1"
        st.run = run
        func result(_ out: String, finished: Bool) -> InvocationResult {
            InvocationResult(InvokeId: "t-1", InstanceId: "i", InvocationStatus: finished ? "Success" : "Running",
                             InvokeRecordStatus: finished ? "Finished" : "Running", ExitCode: finished ? 0 : nil,
                             Output: out, Dropped: 0, StartTime: "", FinishedTime: "")
        }
        let e1 = reduce(&st, .invocationPolled(result("a\nb", finished: false)))
        #expect(st.run?.log.lines == ["a"])
        #expect(e1 == [.pollInvocation(regionId: "r", invokeId: "t-1", instanceId: "i", after: 0.5)])
        reduce(&st, .invocationPolled(result("a\nbc\nd", finished: true)))
        #expect(st.run?.log.lines == ["a", "bc", "d"])
        #expect(st.run?.exitCode == 0)
    }

    @Test func matchCountFollowsLinesThatArriveAndDrop() {
        var ring = LogRing(capacity: 10)
        ring.append(contentsOf: (1...10).map { "n\($0 % 2 == 0 ? " EVEN" : "")" })
        ring.search("even", from: 0)
        #expect(ring.matchCount == 5)
        ring.append(contentsOf: ["x EVEN", "y"])   // drops n1 (odd) and n2 (even)
        #expect(ring.matchCount == 5)
        #expect(ring.matchCount == ring.lines.filter { $0.lowercased().contains("even") }.count)
    }
}
