// appsnap-bench: the console's hot paths, headless and in-process, each side by side with
// a naive baseline. Prints Markdown rows `| what | appsnap | baseline |`.
//
//   first frame     10,000 instances / 50,000 disks loaded through the real effect runner
//                   and reducer, then rendered (goal ≤ 300 ms)
//   keystroke       200 keys typing and deleting a `/` filter, key → reduced → frame → diff
//                   (goal p95 ≤ 16 ms); the baseline re-filters every row and redraws the
//                   whole list on each key
//   log             1,000,000 lines into the live log's ring, a frame per batch; the
//                   baseline keeps every line in an array (goal: memory bounded by the ring)
import AppSnapCore
import CloudTestSupport
import Console
import Foundation

// `appsnap-bench ecs-floor …`: only the in-process floor of the `appsnap serve` benchmark.
// `appsnap-bench console-wire …`: only the console over the wire (`--cloud aliyun`) beside in-process.
if CommandLine.arguments.dropFirst().first == "console-wire" {
    try await runConsoleWire(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "ecs-floor" {
    try await runECSFloor(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

let instanceCount = Int(ProcessInfo.processInfo.environment["BENCH_INSTANCES"] ?? "") ?? 10_000
let disksPerInstance = 5
let keystrokes = 200
let logLines = Int(ProcessInfo.processInfo.environment["BENCH_LOG_LINES"] ?? "") ?? 1_000_000
let logCapacity = ConsoleOptions().logCapacity
let width = 120, height = 40

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }
func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s[min(s.count - 1, Int(Double(s.count) * p))]
}
/// A /proc/self/status field in bytes (VmHWM: the peak resident set so far).
func procStatus(_ key: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

/// What the ncurses adapter does before it talks to the terminal: compare with the last
/// frame and send only changed cells. Here the "send" is a count.
final class DiffSink {
    var previous: Grid?
    var sent = 0
    func flush(_ g: Grid) {
        if let p = previous, p.width == g.width, p.height == g.height {
            for i in 0..<g.cells.count where g.cells[i] != p.cells[i] { sent += 1 }
        } else {
            sent += g.cells.count
        }
        previous = g
    }
}

// MARK: log

/// A plugin-style log line, fresh each time (so memory is really held per line).
func logLine(_ n: Int) -> String {
    "[level=\"info\"][time=\"2025-03-04 16:09:\(String(format: "%02d", n / 100_000 % 60)).\(String(format: "%07d", n % 10_000_000))\"][message=\"line \(n): copy block \(n &* 2654435761 % 1_000_003) of the data disk\"]"
}
let batch = 2_000

var logState = ConsoleState(width: width, height: height, glyphs: .unicode, logCapacity: logCapacity)
logState.stack = [.regions, .run]
logState.run = RunState(request: nil, regionId: FakeCloud.region, instanceId: nil, phase: .running, logCapacity: logCapacity)
let logSession = ConsoleSession(state: logState)
let logSink = DiffSink()
let hwmBefore = procStatus("VmHWM")
var t0 = now()
var n = 0
while n < logLines {
    let count = min(batch, logLines - n)
    var lines: [String] = []
    lines.reserveCapacity(count)
    for i in n..<(n + count) { lines.append(logLine(i)) }
    logSession.send(.logLines(lines))
    logSink.flush(logSession.frame())
    n += count
}
let appLogTime = now() - t0
let ring = logSession.state.run!.log
let ringBytes = ring.lines.reduce(0) { $0 + $1.utf8.count }
let ringHeld = ring.endLine - ring.firstLine
let hwmRing = procStatus("VmHWM")

t0 = now()
var all: [String] = []
n = 0
while n < logLines {
    let count = min(batch, logLines - n)
    for i in n..<(n + count) { all.append(logLine(i)) }
    n += count
}
let baseLogTime = now() - t0
let arrayBytes = all.reduce(0) { $0 + $1.utf8.count }
let hwmArray = procStatus("VmHWM")

// MARK: first frame

let cloud = FakeCloud(generatedInstances: instanceCount, disksPerInstance: disksPerInstance)
let runner = EffectRunner(cloud: cloud, clock: SystemClock())

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Action] = []
    func add(_ a: Action) { lock.lock(); items.append(a); lock.unlock() }
    func take() -> [Action] { lock.lock(); defer { lock.unlock() }; let out = items; items = []; return out }
}

/// Opens the console on the region and returns the session once the instances are on screen.
func openConsole(sink: DiffSink) async -> (ConsoleSession, Double) {
    let t0 = now()
    var state = ConsoleState(width: width, height: height, glyphs: .unicode, logCapacity: logCapacity)
    state.regionId = FakeCloud.region
    let session = ConsoleSession(state: state)
    var pending = session.start()
    sink.flush(session.frame())
    let box = Collected()
    while !pending.isEmpty {
        let effects = pending
        pending = []
        for e in effects { await runner.perform(e) { box.add($0) } }
        for a in box.take() { pending += session.send(a) }
    }
    sink.flush(session.frame())
    let t = now() - t0
    precondition(session.state.inventory.instances.count == instanceCount, "the instances did not load")
    return (session, t)
}

/// The naive list: every row of the region formatted and drawn, visible or not.
func baselineFrame(_ inv: Inventory, query: String) -> Grid {
    let q = query.lowercased()
    var rows: [[String]] = []
    for ins in inv.instances {
        let key = "\(ins.InstanceName) \(ins.InstanceId) \(ins.Status) \(ins.OSName) \(inv.ramRoles[ins.InstanceId] ?? "")".lowercased()
        if !q.isEmpty && !key.contains(q) { continue }
        rows.append([ins.InstanceName, ins.InstanceId, ins.Status, ins.OSName.replacingOccurrences(of: " 64 bit", with: ""),
                     inv.assistant[ins.InstanceId] == true ? "running" : "missing", inv.ramRoles[ins.InstanceId] ?? "none"])
    }
    var g = Grid(width: width, height: rows.count + 5)
    g.put(" NAME  INSTANCE ID  STATUS  OS  ASSISTANT  RAM ROLE", x: 0, y: 2, role: .header)
    for (i, r) in rows.enumerated() {
        var x = 2
        for (cell, w) in zip(r, [16, 22, 11, 28, 11, 20]) {
            g.put(cell.padding(toLength: w, withPad: " ", startingAt: 0), x: x, y: 3 + i)
            x += w + 1
        }
    }
    return g
}

let sink = DiffSink()
let (session, firstFrame) = await openConsole(sink: sink)
var baseFirst = 0.0
do {
    // The same load through the same runner, then every row drawn.
    let t0 = now()
    let box = Collected()
    await runner.perform(.loadInventory(regionId: FakeCloud.region)) { box.add($0) }
    guard case .inventoryLoaded(_, let inv)? = box.take().first else { fatalError("the baseline's inventory did not load") }
    _ = baselineFrame(inv, query: "")
    baseFirst = now() - t0
}

// MARK: keystrokes

/// 200 keys: type a name fragment, delete it, type the next.
var keys: [Key] = []
let words = ["app-1234", "db-77", "ubuntu", "web-98", "stopped", "cache-5", "windows", "i-bp1bench0000042"]
var w = 0
while keys.count < keystrokes {
    let word = words[w % words.count]
    w += 1
    keys += word.map { Key.char($0) }
    keys += Array(repeating: Key.backspace, count: word.count)
}
keys = Array(keys.prefix(keystrokes))

session.press(.char("/"))
sink.flush(session.frame())
var appKey: [Double] = []
for k in keys {
    let t0 = now()
    session.press(k)
    sink.flush(session.frame())
    appKey.append(now() - t0)
}
session.press(.escape)

var baseKey: [Double] = []
var typed = ""
let inventory = session.state.inventory
for k in keys {
    let t0 = now()
    if case .char(let c) = k { typed.append(c) } else if !typed.isEmpty { typed.removeLast() }
    _ = baselineFrame(inventory, query: typed)
    baseKey.append(now() - t0)
}

// MARK: live refresh

/// CPU time of the whole process (user + system), for a refresh's cost whatever thread did it.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

/// One 2-second refresh of the instances list as the runtime does it: the timer's tick,
/// the load in the background, its answer reduced, the frame diffed. The bench cloud's
/// answer is the same each time, so the cells written are what an unchanged list costs.
let refreshes = 10
var refreshCPU: [Double] = []
var refreshCells: [Int] = []
for _ in 0..<refreshes {
    let c0 = cpuSeconds(), sent0 = sink.sent
    let box = Collected()
    for e in session.send(.tick) { await runner.perform(e) { box.add($0) } }
    for a in box.take() { session.send(a) }
    sink.flush(session.frame())
    refreshCPU.append(cpuSeconds() - c0)
    refreshCells.append(sink.sent - sent0)
}

/// Keys while refreshes run: a refresh's load goes on in a task (as in the runtime) and
/// its answer is reduced on the key loop between keys, as the runtime's inbox is.
session.press(.char("/"))
sink.flush(session.frame())
var keyDuringRefresh: [Double] = []
/// The keys whose frame also took in a refresh's answer (10,000 rows re-keyed and filtered).
var keyWithRefresh: [Double] = []
let inbox = Collected()
var loadTask: Task<Void, Never>?
for (i, k) in keys.enumerated() {
    if i % 20 == 0, loadTask == nil {
        for e in session.send(.tick) {
            // Detached: top-level code runs on the main actor, and a plain Task would wait
            // for the key loop to yield, which the runtime's loop (not main-actor) never needs.
            loadTask = Task.detached { await runner.perform(e) { inbox.add($0) } }
        }
    }
    let t0 = now()
    let answers = inbox.take()
    for a in answers { session.send(a); loadTask = nil }
    session.press(k)
    sink.flush(session.frame())
    keyDuringRefresh.append(now() - t0)
    if !answers.isEmpty { keyWithRefresh.append(now() - t0) }
}
await loadTask?.value
for a in inbox.take() { session.send(a) }
session.press(.escape)

// MARK: report

func grouped(_ v: Int) -> String {
    let f = NumberFormatter()
    f.numberStyle = .decimal
    f.groupingSeparator = ","
    return f.string(from: NSNumber(value: v)) ?? String(v)
}
let inst = grouped(instanceCount), dsk = grouped(instanceCount * disksPerInstance)
print("| what | appsnap | baseline |")
print("|---|---|---|")
print("| console: first frame, \(inst) instances / \(dsk) disks (goal ≤ 300 ms) | \(ms(firstFrame)) | \(ms(baseFirst)) (every row drawn) |")
print("| console: filter keystroke → frame p50, \(keys.count) keys | \(ms(percentile(appKey, 0.5))) | \(ms(percentile(baseKey, 0.5))) (re-filter + redraw all) |")
print("| console: filter keystroke → frame p95 (goal ≤ 16 ms) | \(ms(percentile(appKey, 0.95))) | \(ms(percentile(baseKey, 0.95))) (re-filter + redraw all) |")
print("| console: 2 s refresh of \(inst) instances, CPU time per refresh (median of \(refreshes)) | \(ms(percentile(refreshCPU, 0.5))) | - |")
print("| console: 2 s refresh, cells written per refresh (median) | \(grouped(refreshCells.sorted()[refreshes / 2])) of \(grouped(width * height)) | - |")
print("| console: filter keystroke → frame p95 while refreshes run (goal ≤ 16 ms) | \(ms(percentile(keyDuringRefresh, 0.95))) | - |")
print("| console: the \(keyWithRefresh.count) keystrokes that also took in a refresh's answer, worst | \(keyWithRefresh.isEmpty ? "-" : ms(keyWithRefresh.max()!)) | - |")
print("| console: log ingest, \(grouped(logLines)) lines, a frame per \(grouped(batch)) | \(grouped(Int(Double(logLines) / appLogTime))) lines/s | \(grouped(Int(Double(logLines) / baseLogTime))) lines/s (array, no frames) |")
print("| console: log text held after \(grouped(logLines)) lines (goal: bounded by the ring) | \(mib(ringBytes)) in \(grouped(ringHeld)) lines (ring of \(grouped(logCapacity)), \(grouped(ring.dropped)) dropped) | \(mib(arrayBytes)) in \(grouped(all.count)) lines |")
print("| console: peak RSS (VmHWM) growth during the ingest | +\(mib(max(0, hwmRing - hwmBefore))) | +\(mib(max(0, hwmArray - hwmRing))) |")
