import Foundation
import Testing
@testable import Console

/// Compares a frame with Tests/ConsoleTests/Goldens/NAME-WxH.txt (the characters) and
/// NAME-WxH.roles.txt (each cell's role and whether it is reversed), so a colour or a
/// selection that moves fails as a changed word does, as ratatui's buffer tests do. With
/// APPSNAP_RECORD_GOLDENS=1 the files are (re)written instead; review the diff before committing.
func expectGolden(_ grid: Grid, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
    compare(grid.text + "\n", dir.appendingPathComponent("\(name)-\(grid.width)x\(grid.height).txt"), sourceLocation)
    compare(roleMap(grid), dir.appendingPathComponent("\(name)-\(grid.width)x\(grid.height).roles.txt"), sourceLocation)
}

/// One character a cell: the role's letter from the legend on the first line, upper case
/// when the cell is drawn reversed.
func roleMap(_ grid: Grid) -> String {
    let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    let index = Dictionary(uniqueKeysWithValues: Role.allCases.enumerated().map { ($1, letters[$0]) })
    var out = "legend: " + Role.allCases.enumerated().map { "\(letters[$0])=\($1.rawValue)" }.joined(separator: " ") + "\n"
    for y in 0..<grid.height {
        var row = ""
        for x in 0..<grid.width {
            let c = grid[x, y]
            let l = index[c.role] ?? "?"
            row.append(c.attributes.contains(.reverse) ? Character(String(l).uppercased()) : l)
        }
        out += row + "\n"
    }
    return out
}

private func compare(_ text: String, _ file: URL, _ sourceLocation: SourceLocation) {
    if ProcessInfo.processInfo.environment["APPSNAP_RECORD_GOLDENS"] == "1" {
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
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
            whole file:
            \(text)
            """, sourceLocation: sourceLocation)
    }
}
