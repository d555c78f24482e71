import AppSnapCore
import CloudTestSupport
import Foundation
@testable import Console

/// A clock whose sleeps return at once: polling loops run without waiting.
struct InstantClock: Clock {
    func now() -> Date { Date(timeIntervalSince1970: 1_741_075_765) }
    func uptime() -> Double { 0 }
    func sleep(seconds: Double) async {}
}

/// Runs effects through the real EffectRunner against the fake cloud, feeding every
/// resulting action back, until nothing is left to do.
func settle(_ session: ConsoleSession, _ cloud: FakeCloud, _ effects: [Effect], limit: Int = 200, hostDisks: HostDisks? = nil) async {
    var runner = EffectRunner(cloud: cloud, clock: InstantClock())
    runner.hostDisks = hostDisks
    var queue = effects
    var steps = 0
    while !queue.isEmpty && steps < limit {
        let e = queue.removeFirst()
        steps += 1
        let box = ActionBox()
        await runner.perform(e) { box.append($0) }
        for a in box.items { queue += session.send(a) }
    }
}

final class ActionBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _items: [Action] = []
    func append(_ a: Action) { lock.lock(); _items.append(a); lock.unlock() }
    var items: [Action] { lock.lock(); defer { lock.unlock() }; return _items }
}

/// A session on the fake cloud, in cn-hangzhou, on the Instances tab.
func hangzhouSession(width: Int = 80, height: Int = 24, cloud: FakeCloud = FakeCloud(), glyphs: Glyphs = .unicode) async -> ConsoleSession {
    var st = ConsoleState(width: width, height: height, glyphs: glyphs)
    st.regionId = FakeCloud.region
    let s = ConsoleSession(state: st)
    await settle(s, cloud, s.start())
    return s
}

/// Moves the Instances cursor to the named instance.
func select(_ s: ConsoleSession, instance name: String) {
    s.press(.char("g"))
    while let i = s.state.instanceList.selected, s.state.inventory.instances[i].InstanceName != name {
        let before = s.state.instanceList.cursor
        s.press(.down)
        if s.state.instanceList.cursor == before { break }
    }
}
