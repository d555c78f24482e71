import ECSWire
import Foundation
import Glibc

/// `appsnap … --cloud aliyun` against an `appsnap serve` on loopback, with an environment
/// of the test's choosing (credentials, config files, HOME) and nothing inherited that
/// could point it at a real account. Every output is kept, so a test can grep them all
/// for a secret.
final class AliyunClient {
    let served: ServedCloud
    /// A HOME of its own, so no real ~/.aliyun or ~/.alibabacloud is ever read.
    let home: URL
    private(set) var outputs: [String] = []

    init(_ served: ServedCloud) throws {
        self.served = served
        home = served.app.state.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    var endpoint: String { "http://127.0.0.1:\(served.port)" }

    /// The environment a test starts from: only what the binary needs, plus `extra`.
    /// The metadata service points at a closed port unless a test says otherwise.
    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ["HOME": home.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                   "APPSNAP_METADATA_ENDPOINT": "http://127.0.0.1:9", "LANG": "C.UTF-8"]
        for (k, v) in extra { env[k] = v }
        return env
    }

    var keyEnvironment: [String: String] {
        ["ALIBABA_CLOUD_ACCESS_KEY_ID": served.key.accessKeyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": served.key.accessKeySecret]
    }

    /// Runs appsnap with `--cloud aliyun --endpoint <the server>` appended (unless `endpoint` is nil).
    @discardableResult
    func run(_ args: [String], env: [String: String], endpoint: String? = "", stdin: String? = nil) throws -> AppSnapBinary.Result {
        var full = args + ["--cloud", "aliyun", "--state", served.app.state.path]
        if let endpoint { full += ["--endpoint", endpoint.isEmpty ? self.endpoint : endpoint] }
        let r = try runProcess(served.app.binary.path, full, env: environment(env))
        outputs.append(r.stdout)
        outputs.append(r.stderr)
        return r
    }

    /// `appsnap ecs ACTION --K=v … --cloud aliyun`.
    func ecs(_ action: String, _ params: [String: String], env: [String: String]? = nil) throws -> AppSnapBinary.Result {
        try run(["ecs", action] + params.sorted { $0.key < $1.key }.map { "--\($0.key)=\($0.value)" }, env: env ?? keyEnvironment)
    }

    /// Writes `text` to a file under HOME (made 0600, as the aliyun CLI does).
    func write(_ relative: String, _ text: String) throws {
        let url = home.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        chmod(url.path, 0o600)
    }

    func remove(_ relative: String) { try? FileManager.default.removeItem(at: home.appendingPathComponent(relative)) }

    /// STS AssumeRole straight from the served endpoint, as a temporary key to put in a profile.
    func assumeRole(_ role: String = "AppSnapshotRoleName") throws -> AccessKeyCredentials {
        let a = try served.send(served.call("AssumeRole", [("RoleArn", "acs:ram::1234567890123456:role/\(role)"),
                                                           ("RoleSessionName", "test")]))
        guard let c = a.json["Credentials"] as? [String: Any], let id = c["AccessKeyId"] as? String,
              let secret = c["AccessKeySecret"] as? String, let token = c["SecurityToken"] as? String else {
            throw E2EError("AssumeRole answered \(a.status): \(a.text)")
        }
        return AccessKeyCredentials(accessKeyId: id, accessKeySecret: secret, securityToken: token)
    }
}

/// Runs a program to completion with exactly `env`.
func runProcess(_ path: String, _ args: [String], env: [String: String]) throws -> AppSnapBinary.Result {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return AppSnapBinary.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                stderr: String(decoding: e, as: UTF8.self))
}

/// A JSON answer without its RequestId (each call has its own), for comparing two paths.
func withoutRequestIds(_ text: String) -> NSDictionary {
    func strip(_ v: Any) -> Any {
        if let d = v as? [String: Any] {
            var out: [String: Any] = [:]
            for (k, x) in d where k != "RequestId" { out[k] = strip(x) }
            return out
        }
        if let a = v as? [Any] { return a.map(strip) }
        return v
    }
    let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) ?? [:]
    return (strip(object) as? [String: Any]).map { NSDictionary(dictionary: $0) } ?? NSDictionary()
}

/// The fault-injecting proxy (Faults/fault_proxy.py) in front of a served cloud; stopped by its PID.
final class FaultProxy {
    let process = Process()
    let port: Int
    let log = Pipe()

    init(upstream: Int, mode: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Faults/fault_proxy.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, String(upstream), mode]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let p = Int(text.replacingOccurrences(of: "listening ", with: "").trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw E2EError("fault proxy did not start: \(text)")
        }
        port = p
    }

    /// Stops the proxy and returns what it logged: one "ACTION fault|pass|cut" line a request.
    func stop() -> [String] {
        // SIGKILL: the test runner's blocked signals are inherited, so SIGTERM may never arrive;
        // the proxy holds nothing that needs a clean end, and its log lines are already flushed.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let text = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }
}
