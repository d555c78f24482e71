import Foundation
import Testing
@testable import Console

/// Compares a frame with Tests/ConsoleTests/Goldens/NAME-WxH.txt. With
/// APPSNAP_RECORD_GOLDENS=1 the file is (re)written instead; review the diff before committing.
func expectGolden(_ grid: Grid, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
    let file = dir.appendingPathComponent("\(name)-\(grid.width)x\(grid.height).txt")
    let text = grid.text + "\n"
    if ProcessInfo.processInfo.environment["APPSNAP_RECORD_GOLDENS"] == "1" {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? text.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    guard let want = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record("golden \(file.lastPathComponent) is missing: run with APPSNAP_RECORD_GOLDENS=1 and review it", sourceLocation: sourceLocation)
        return
    }
    if want != text {
        let w = want.split(separator: "\n", omittingEmptySubsequences: false)
        let g = text.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDiff = zip(w, g).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(w.count, g.count)
        Issue.record("""
            frame differs from \(file.lastPathComponent) at row \(firstDiff):
            want: \(firstDiff < w.count ? String(w[firstDiff]) : "<none>")
            got:  \(firstDiff < g.count ? String(g[firstDiff]) : "<none>")
            whole frame:
            \(text)
            """, sourceLocation: sourceLocation)
    }
}
