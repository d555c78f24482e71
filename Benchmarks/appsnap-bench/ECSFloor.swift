import AppSnapCore
import EmbeddedCloud
import Foundation

/// `appsnap-bench ecs-floor --state DIR --count N --concurrency C`: DescribeDisks through
/// `ECSActions.call` on the embedded cloud in this process, as `appsnap ecs` makes it but
/// without starting a process a call: the floor under `appsnap serve`'s figures (no HTTP,
/// no signature). Prints one JSON object: requests, seconds, rps, p50_ms, p99_ms.
func runECSFloor(_ args: [String]) async throws {
    func value(_ flag: String) -> String? { args.firstIndex(of: flag).map { args[$0 + 1] } }
    guard let state = value("--state") else { fatalError("ecs-floor needs --state DIR") }
    let count = Int(value("--count") ?? "") ?? 5000
    let concurrency = Int(value("--concurrency") ?? "") ?? 4
    let cloud = try EmbeddedCloud(stateDirectory: URL(fileURLWithPath: state))
    let params = ["RegionId": "cn-hangzhou"]
    _ = try await ECSActions.call("DescribeDisks", params, on: cloud)  // warm up: open, first read
    let start = now()
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for w in 0..<concurrency {
            let mine = count / concurrency + (w < count % concurrency ? 1 : 0)
            group.addTask {
                var out: [Double] = []
                for _ in 0..<mine {
                    let t0 = now()
                    _ = try await ECSActions.call("DescribeDisks", params, on: cloud).json(pretty: false)
                    out.append(now() - t0)
                }
                return out
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
    let seconds = now() - start
    let json: [String: Any] = ["requests": latencies.count, "seconds": seconds, "rps": Double(latencies.count) / seconds,
                               "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000]
    print(String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self))
}
