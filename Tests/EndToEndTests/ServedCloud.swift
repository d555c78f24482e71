import ECSWire
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc

/// `appsnap serve` on a free loopback port over a fresh embedded cloud of its own, with
/// an access key allowed every action. `stop()` ends the server by its PID; call it in a
/// `defer` so it goes whatever the test does.
final class ServedCloud {
    let app: AppSnapBinary
    let process = Process()
    let port: Int
    let key: AccessKeyCredentials

    init(app: AppSnapBinary? = nil, extraArguments: [String] = []) throws {
        let app = try app ?? AppSnapBinary()
        self.app = app
        key = try Self.createKey(app, actions: ["ecs:*"])
        process.executableURL = app.binary
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--state", app.state.path] + extraArguments
        let out = Pipe()
        process.standardOutput = out
        // Kept in the state folder, so a test can read (and grep) what the server logged.
        FileManager.default.createFile(atPath: app.state.appendingPathComponent("serve.log").path, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: app.state.appendingPathComponent("serve.log").path) ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The first line names the port it bound.
        var text = ""
        let reader = out.fileHandleForReading
        while !text.contains("\n") {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let r = text.range(of: #"127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
              let p = Int(text[r].split(separator: ":")[1]) else {
            process.terminate()
            throw E2EError("serve did not say where it listens: \(text)")
        }
        port = p
        startLine = text
    }

    let startLine: String

    /// SIGTERM, then the wait: the server's own clean shutdown. Returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func createKey(_ app: AppSnapBinary, actions: [String]) throws -> AccessKeyCredentials {
        let r = try app.run(["cloud", "keys", "create"] + actions.flatMap { ["--action", $0] })
        guard let id = r.json["AccessKeyId"] as? String, let secret = r.json["AccessKeySecret"] as? String else {
            throw E2EError("keys create printed \(r.stdout) \(r.stderr)")
        }
        return AccessKeyCredentials(accessKeyId: id, accessKeySecret: secret)
    }

    struct Answer {
        var status: Int
        var json: [String: Any]
        var text: String
    }

    /// Sends a request as it stands (already signed, or tampered with) and reads the answer.
    func send(_ request: WireRequest) throws -> Answer {
        var url = URLComponents(string: "http://127.0.0.1:\(port)/")!
        if !request.rawQuery.isEmpty { url.percentEncodedQuery = request.rawQuery }
        var r = URLRequest(url: url.url!)
        r.httpMethod = request.method
        for (k, v) in request.headers where k != "host" { r.setValue(v, forHTTPHeaderField: k) }
        if !request.body.isEmpty { r.httpBody = request.body }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, URLResponse?, Error?)
        URLSession.shared.dataTask(with: r) { d, resp, e in result = (d, resp, e); done.signal() }.resume()
        done.wait()
        if let e = result.2 { throw e }
        let data = result.0 ?? Data()
        return Answer(status: (result.1 as? HTTPURLResponse)?.statusCode ?? 0,
                      json: (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:],
                      text: String(decoding: data, as: UTF8.self))
    }

    /// A signed call, as a client of the wire makes it.
    func call(_ action: String, _ parameters: [(String, String)], style: RequestSigner.Style = .acs3,
              key: AccessKeyCredentials? = nil, date: Date = Date(), nonce: String = UUID().uuidString) -> WireRequest {
        RequestSigner.sign(action: action, parameters: parameters, host: "127.0.0.1:\(port)", credentials: key ?? self.key,
                           style: style, date: date, nonce: nonce)
    }

    /// The Python with the vendor's SDKs (installed by `scripts/install-deps.sh test`).
    static var sdkPython: String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".venv-sdk/bin/python").path
        return FileManager.default.isExecutableFile(atPath: python) ? python : nil
    }

    /// Runs one scenario of SDK/ecs_sdk_client.py and returns what it printed.
    func sdk(_ scenario: String, _ arguments: [String] = [], key: AccessKeyCredentials? = nil) throws -> [String: Any] {
        guard let python = Self.sdkPython else { throw E2EError("no .venv-sdk: run scripts/install-deps.sh test") }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("SDK/ecs_sdk_client.py").path
        let k = key ?? self.key
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, scenario, String(port), k.accessKeyId, k.accessKeySecret] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let json = try JSONSerialization.jsonObject(with: o) as? [String: Any] else {
            throw E2EError("SDK scenario \(scenario) failed (\(p.terminationStatus)): \(String(decoding: e, as: UTF8.self))")
        }
        return json
    }
}
