/// Keys on the run screen's live log.
enum LogKeys {
    /// Rows the log gets on the run screen (the rest shows the run and its result).
    static func logHeight(_ s: ConsoleState) -> Int {
        max(1, s.height - 5 - RunLayout.headerRows - RunLayout.resultRows(s))
    }

    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        guard var run = s.run else { return nil }
        let h = logHeight(s), w = s.width
        switch command {
        case .up: run.log.scroll(by: -1, height: h, width: w)
        case .down: run.log.scroll(by: 1, height: h, width: w)
        case .pageUp: run.log.scroll(by: -max(1, h - 1), height: h, width: w)
        case .pageDown: run.log.scroll(by: max(1, h - 1), height: h, width: w)
        case .top: run.log.scrollToTop()
        case .follow, .bottom: run.log.follow()
        case .wrap: run.log.wrap.toggle()
        case .search: s.prompt = Prompt(kind: .search, text: run.log.searchQuery)
        case .nextMatch: run.log.nextMatch(forward: true)
        case .previousMatch: run.log.nextMatch(forward: false)
        case .save: s.prompt = Prompt(kind: .savePath, text: "appsnap-\(run.invokeId ?? run.groupId ?? "run").log")
        case .jump: s.prompt = Prompt(kind: .jump, text: "")
        default: return nil
        }
        s.run = run
        return []
    }
}

/// The run screen's fixed rows, shared by the reducer (scrolling) and the view (drawing).
enum RunLayout {
    static let headerRows = 3
    static func resultRows(_ s: ConsoleState) -> Int {
        guard let run = s.run else { return 0 }
        let finished: Bool
        switch run.phase { case .finished, .failed: finished = true; default: finished = false }
        guard finished else { return 0 }
        let snaps = run.group?.Snapshots.Snapshot.count ?? 0
        return min(max(3, s.height / 2 - 2), 3 + snaps * 2)
    }
}
