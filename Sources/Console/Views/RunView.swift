import AppSnapCore

/// After OK: the command execution ID, the live log, then the exit code, the group and its tags.
enum RunView {
    static func phaseText(_ run: RunState, _ gl: Glyphs) -> (String, Role) {
        switch run.phase {
        case .installingCloudAssistant: return ("\(gl.running) installing Cloud Assistant\(gl.ellipsis)", .warn)
        case .starting: return ("\(gl.running) starting RunCommand\(gl.ellipsis)", .warn)
        case .running: return ("\(gl.running) \(run.invocationStatus.isEmpty ? "Running" : run.invocationStatus)", .warn)
        case .creatingGroup: return ("\(gl.running) creating the group (CreateSnapshotGroup)\(gl.ellipsis)", .warn)
        case .finished:
            if run.invokeId == nil { return ("\(gl.ok) group created", .ok) }
            let ok = run.exitCode == 0
            return ("\(ok ? gl.ok : gl.fail) \(run.invocationStatus.isEmpty ? "Finished" : run.invocationStatus)", ok ? .ok : .error)
        case .failed(let why): return ("\(gl.fail) \(why)", .error)
        }
    }

    static func render(_ g: inout Grid, _ s: ConsoleState) {
        guard let run = s.run else { return }
        let gl = s.glyphs
        Chrome.drawTitle(&g, run.request == nil ? "Cloud Assistant invocation" : "Create Snapshot-consistent Group: run")
        var x = g.put(" Command execution ID ", x: 0, y: 2, role: .normal)
        if let id = run.invokeId {
            x = g.put(id, x: x, y: 2, role: .title)
        } else if run.request?.appConsistent == false {
            x = g.put("none: crash-consistent, no command", x: x, y: 2, role: .dim)
        } else {
            x = g.put("waiting\(gl.ellipsis)", x: x, y: 2, role: .dim)
        }
        let (pt, pr) = phaseText(run, gl)
        g.put("   " + pt, x: x, y: 2, role: pr, maxX: g.width)
        let showId = g.width >= 110
        var what = " Instance \(run.request.map { showId ? "\($0.instance.InstanceName) (\($0.instance.InstanceId))" : $0.instance.InstanceName } ?? run.instanceId ?? "-")"
        if let r = run.request {
            if r.appConsistent {
                what += r.isWindows ? " · app-consistent · writers \(r.containWriters ? "on" : "off")"
                    : " · app-consistent · I/O suspension \(r.fsFreeze ? "on, \(r.timeoutSeconds) s" : "off")"
            } else {
                what += " · crash-consistent"
            }
            what += " · \(r.selectedDisks.count) disks"
        }
        g.put(what.fitted(g.width, ellipsis: gl.ellipsis), x: 0, y: 3, role: .normal)

        let logTop = 5
        let logRows = LogKeys.logHeight(s)
        drawRule(&g, y: 4, title: logTitle(run), glyphs: gl)
        drawLog(&g, run.log, y0: logTop, rows: logRows, glyphs: gl)
        let resultY = logTop + logRows
        if RunLayout.resultRows(s) > 0 { drawResult(&g, s, run, y0: resultY, rows: RunLayout.resultRows(s)) }

        var summary = run.log.following ? "following the log" : "paused: End or G follows again"
        if !run.log.searchQuery.isEmpty {
            summary += " · /\(run.log.searchQuery): \(plural(run.log.matchCount, "line")), n/N move"
        }
        Chrome.drawStatus(&g, s, summary: summary)
    }

    static func logTitle(_ run: RunState) -> String {
        var t = " Log · \(run.log.following ? "following" : "paused") · wrap \(run.log.wrap ? "on" : "off") · \(plural(run.log.totalLines, "line"))"
        t += " · \(run.log.dropped) dropped"
        if run.cloudDropped > 0 { t += " · cloud kept 24 KB, \(run.cloudDropped) bytes not shown" }
        return t + " "
    }

    static func drawRule(_ g: inout Grid, y: Int, title: String, glyphs: Glyphs) {
        g.fill(x: 0, y: y, width: g.width, role: .border, char: Character(glyphs.horizontal))
        g.put(title, x: 2, y: y, role: .border, maxX: g.width)
    }

    /// Draws only the visible lines; matches are highlighted, the current match's line marked.
    static func drawLog(_ g: inout Grid, _ log: LogRing, y0: Int, rows: Int, glyphs: Glyphs) {
        let width = g.width
        var n = log.top(height: rows, width: width)
        var y = y0
        let q = log.searchQuery.lowercased()
        while y < y0 + rows, let line = log.line(n) {
            let role: Role = line.contains("level=\"error\"") ? .logError : line.contains("level=\"warn\"") ? .logWarn : .logText
            var chunks: [String] = []
            if log.wrap {
                chunks = LogRing.wrapped(line, width: width)
            } else {
                chunks = [line.fitted(width, ellipsis: glyphs.ellipsis)]
            }
            for chunk in chunks where y < y0 + rows {
                g.put(chunk, x: 0, y: y, role: role)
                if !q.isEmpty { highlight(&g, chunk, y: y, query: q, current: n == log.currentMatch) }
                y += 1
            }
            n += 1
        }
    }

    static func highlight(_ g: inout Grid, _ text: String, y: Int, query: String, current: Bool) {
        let lower = text.lowercased()
        guard lower.count == text.count else { return }
        var searchStart = lower.startIndex
        while let r = lower.range(of: query, range: searchStart..<lower.endIndex) {
            let x = CharWidth.of(String(lower[lower.startIndex..<r.lowerBound]))
            let w = CharWidth.of(String(lower[r]))
            g.restyle(x: x, y: y, width: w, role: current ? .currentMatch : .match)
            searchStart = r.upperBound
        }
    }

    static func drawResult(_ g: inout Grid, _ s: ConsoleState, _ run: RunState, y0: Int, rows: Int) {
        let gl = s.glyphs
        drawRule(&g, y: y0, title: " Result ", glyphs: gl)
        var y = y0 + 1
        if case .failed(let why) = run.phase {
            g.put(" \(gl.fail) \(why)", x: 0, y: y, role: .error, maxX: g.width)
            return
        }
        if let code = run.exitCode {
            let ok = code == 0
            g.put(" \(ok ? gl.ok : gl.fail) Exit code \(code): \(ExitCode.meaning(of: code))", x: 0, y: y, role: ok ? .ok : .error, maxX: g.width)
            y += 1
        } else if run.invokeId != nil {
            g.put(" \(gl.fail) no exit code: \(run.errorCode.isEmpty ? run.invocationStatus : run.errorCode)", x: 0, y: y, role: .error, maxX: g.width)
            y += 1
        }
        guard let grp = run.group else {
            let none = run.request == nil ? " The log names no snapshot-consistent group." : " No snapshot-consistent group was created."
            g.put(run.groupId.map { " Group \($0): loading\(gl.ellipsis)" } ?? none, x: 0, y: y, role: .dim)
            return
        }
        let (st, stRole) = ListViews.groupStatusCell(grp, gl)
        let (cons, consRole) = ListViews.consistency(grp)
        var x = g.put(" Group \(grp.SnapshotGroupId) \"\(grp.Name)\"  ", x: 0, y: y, role: .title)
        x = g.put(st + "  ", x: x, y: y, role: stRole)
        g.put(cons, x: x, y: y, role: consRole)
        y += 1
        let lines = GroupDetailView.lines(grp, s, width: g.width, header: false).dropFirst()
        GroupDetailView.draw(&g, Array(lines), from: y, rows: y0 + rows - y, scroll: 0, glyphs: gl)
    }
}
