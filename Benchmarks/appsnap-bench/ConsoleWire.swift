import CloudTestSupport
import AliyunCloud
import AppSnapCore
import Console
import ECSEndpoint
import ECSWire
import Foundation

// `appsnap-bench console-wire [INSTANCES]`: the console's first frame and one refresh with
// the inventory served over loopback (ECSEndpoint, the server of `appsnap serve`, and the
// `--cloud aliyun` client: signing, HTTP, JSON both ways, paging) beside the same
// inventory called in-process. Both sides share this process and its cores.

/// One key allowed everything, for the benchmark's server.
struct BenchKeys: AccessKeyStore {
    let id: String, secret: String
    func key(_ accessKeyId: String) async throws -> ServedKey? {
        accessKeyId == id ? ServedKey(secret: secret, actions: ["ecs:*"]) : nil
    }
}

final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    func set(_ p: Int) { lock.lock(); port = p; lock.unlock() }
    var value: Int? { lock.lock(); defer { lock.unlock() }; return port }
}

func runConsoleWire(_ args: [String]) async throws {
    let count = args.first.flatMap { Int($0) } ?? 1_000
    let backend = FakeCloud(generatedInstances: count, disksPerInstance: 5)
    let id = "LTAIbench", secret = UUID().uuidString
    let endpoint = ECSEndpoint(cloud: backend, keys: BenchKeys(id: id, secret: secret))
    let port = PortBox()
    Task { try await endpoint.serve(host: "127.0.0.1", port: 0) { _, p in port.set(p) } }
    while port.value == nil { try await Task.sleep(nanoseconds: 10_000_000) }
    let wire = AliyunCloud(client: ECSClient(endpoint: URL(string: "http://127.0.0.1:\(port.value!)")!,
                                             credentials: StaticCredentials(AccessKeyCredentials(accessKeyId: id, accessKeySecret: secret),
                                                                            source: "bench")))
    func measure(_ cloud: any CloudAPI) async -> (first: Double, refresh: [Double]) {
        let runner = EffectRunner(cloud: cloud, clock: SystemClock())
        var state = ConsoleState(width: width, height: height, glyphs: .unicode, logCapacity: logCapacity)
        state.regionId = FakeCloud.region
        let session = ConsoleSession(state: state)
        let t0 = now()
        var pending = session.start()
        _ = session.frame()
        let box = Collected()
        while !pending.isEmpty {
            let effects = pending
            pending = []
            for e in effects { await runner.perform(e) { box.add($0) } }
            for a in box.take() { pending += session.send(a) }
        }
        _ = session.frame()
        let first = now() - t0
        precondition(session.state.inventory.instances.count == count, "the instances did not load")
        var refresh: [Double] = []
        for _ in 0..<5 {
            let t = now()
            await runner.perform(.loadInventory(regionId: FakeCloud.region)) { box.add($0) }
            for a in box.take() { _ = session.send(a) }
            _ = session.frame()
            refresh.append(now() - t)
        }
        return (first, refresh)
    }
    let local = await measure(backend)
    let before = wire.requestsSent
    let remote = await measure(wire)
    let perRefreshAndFirst = wire.requestsSent - before
    // First frame and five refreshes were measured; a refresh's requests are the same each time.
    let before2 = wire.requestsSent
    let runner = EffectRunner(cloud: wire, clock: SystemClock())
    await runner.perform(.loadInventory(regionId: FakeCloud.region)) { _ in }
    let perRefresh = wire.requestsSent - before2
    let n = grouped(count), d = grouped(count * 5)
    print("| console over the wire: first frame, \(n) instances / \(d) disks | \(ms(remote.first)) (\(perRefreshAndFirst - 5 * perRefresh) requests) | \(ms(local.first)) (in-process) |")
    print("| console over the wire: refresh (median of 5) | \(ms(percentile(remote.refresh, 0.5))) (\(perRefresh) requests) | \(ms(percentile(local.refresh, 0.5))) (in-process) |")
}
