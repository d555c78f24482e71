import Foundation
import Testing

/// `appsnap cloud init|status|reset`: an operator's existing cloud is never wiped by accident.
@Suite struct CloudCommandTests {
    @Test func initSeedsStatusReportsAndASecondInitChangesNothing() throws {
        let app = try AppSnapBinary()
        let empty = try app.run(["cloud", "init"])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.contains("instances        0"), "\(empty.stdout)")

        let demo = try app.run(["cloud", "init", "--demo"])  // an empty cloud may be seeded
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("instances        12"), "\(demo.stdout)")

        let again = try app.run(["cloud", "init"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already holds 12 instances"), "\(again.stderr)")
        let status = try app.run(["cloud", "status"])
        #expect(status.stdout.contains("instances        12"), "the refused init changed nothing: \(status.stdout)")
        #expect(status.stdout.contains("reflink") || status.stdout.contains("sparse"), "status says how snapshots are copied")

        let forced = try app.run(["cloud", "init", "--force"])
        #expect(forced.status == 0)
        #expect(forced.stdout.contains("instances        0"))
    }

    @Test func resetAsksAndDeletesOnlyWhenTold() throws {
        let app = try AppSnapBinary()
        _ = try app.run(["cloud", "status"])
        let no = try app.run(["cloud", "reset"], stdin: "no\n")
        #expect(no.stdout.contains("nothing deleted"))
        #expect(FileManager.default.fileExists(atPath: app.state.appendingPathComponent("appsnap.sqlite").path))
        let yes = try app.run(["cloud", "reset", "--yes"])
        #expect(yes.status == 0)
        #expect(!FileManager.default.fileExists(atPath: app.state.appendingPathComponent("appsnap.sqlite").path))
    }
}
