import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud
#if canImport(Glibc)
import Glibc
#endif

/// A fresh state directory for one test, removed at the end. Under /var/tmp (not /tmp),
/// so that an instance's /tmp can be bind-mounted without hiding the cloud itself.
final class TempState {
    let url: URL
    init() throws {
        var template = Array("/var/tmp/appsnap-cloud-test-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw PoolError("cannot make a temporary state directory", path: "/var/tmp")
        }
        url = URL(fileURLWithPath: String(cString: dir), isDirectory: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Records what the cloud would start detached, and starts nothing: tests call
/// finishGroup / runInvocation themselves.
final class RecordingSpawner: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [[String]] = []
    var argvs: [[String]] { lock.lock(); defer { lock.unlock() }; return calls }
    var spawner: DetachedSpawner {
        DetachedSpawner { argv in
            self.lock.lock(); self.calls.append(argv); self.lock.unlock()
            return 0x3fff_fff0  // no such process: whoever looks finds the helper gone
        }
    }
}

struct TestCloud {
    let state: TempState
    let spawns = RecordingSpawner()
    let cloud: EmbeddedCloud

    /// The appsnap the cloud re-enters for its helpers. `/usr/bin/false` unless a test runs
    /// commands on emulated instances: those start in `appsnap _sandbox`, so they need the
    /// real binary (built beside this test bundle).
    let executable: String

    init(demo: Bool = true, realBinary: Bool = false) throws {
        state = try TempState()
        executable = realBinary ? Self.appsnapBinary : "/usr/bin/false"
        cloud = try EmbeddedCloud(stateDirectory: state.url, executablePath: executable, spawner: spawns.spawner,
                                  seedDemoIfNew: demo)
    }

    /// Another handle on the same state (another process would see the same).
    func open(caller: Caller = .account) throws -> EmbeddedCloud {
        try EmbeddedCloud(stateDirectory: state.url, caller: caller, executablePath: executable, spawner: spawns.spawner)
    }

    static var appsnapBinary: String {
        if let p = ProcessInfo.processInfo.environment["APPSNAP_BIN"] { return p }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("appsnap")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            dir.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/appsnap").path
    }

    func instance(_ name: String, region: String = "cn-hangzhou") async throws -> Instance {
        let all = try await cloud.describeInstances(regionId: region, instanceIds: nil)
        return try #require(all.first { $0.InstanceName == name }, "no demo instance \(name)")
    }

    func disks(of name: String, region: String = "cn-hangzhou") async throws -> [Disk] {
        let i = try await instance(name, region: region)
        return try await cloud.describeDisks(regionId: region, instanceId: i.InstanceId, diskIds: nil)
    }

    func image(_ diskId: String) -> URL { cloud.layout.diskImage(diskId) }
}

/// The ECS error code a call throws, or nil if it succeeds.
func ecsCode(_ body: () async throws -> Void) async -> String? {
    do { try await body(); return nil } catch let e as ECSError { return e.Code } catch { return "non-ECS: \(error)" }
}

func writeBytes(_ bytes: [UInt8], to url: URL, at offset: off_t) throws {
    let fd = open(url.path, O_WRONLY)
    guard fd >= 0 else { throw PoolError("cannot open", path: url.path) }
    defer { close(fd) }
    let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, offset) }
    guard n == bytes.count else { throw PoolError("cannot write", path: url.path) }
}

func readBytes(_ count: Int, from url: URL, at offset: off_t) throws -> [UInt8] {
    let fd = open(url.path, O_RDONLY)
    guard fd >= 0 else { throw PoolError("cannot open", path: url.path) }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: count)
    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, offset) }
    return Array(buffer.prefix(max(0, n)))
}

let hz = "cn-hangzhou"
