import AppSnapCore
import Foundation
import Glibc
@testable import LinuxHost

/// A scratch directory named so it is clearly this suite's, removed by `remove()`.
struct Scratch {
    let path: String

    init(_ label: String) throws {
        path = NSTemporaryDirectory() + "appsnap-hosttest-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func sub(_ name: String) throws -> String {
        let p = path + "/" + name
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}

/// An emulated instance root with a /tmp directory, and the guest that reads it.
struct GuestRoot {
    let scratch: Scratch
    let root: String
    let run: String

    init(_ label: String) throws {
        scratch = try Scratch(label)
        root = try scratch.sub("root")
        run = try scratch.sub("run")
        try FileManager.default.createDirectory(atPath: root + "/tmp", withIntermediateDirectories: true)
    }

    func guest(ownerUid: uid_t = geteuid(), executable: String = appsnapBinary(),
               locator: @escaping @Sendable (Disk) -> DiskLocation? = { _ in nil }) -> LinuxGuest {
        LinuxGuest(config: LinuxGuestConfig(instanceId: "i-hosttest", regionId: "cn-hangzhou", rootPath: root,
                                            scriptOwnerUid: ownerUid, runDirectory: run,
                                            executablePath: executable, diskLocator: locator))
    }

    /// Writes a script at `/tmp/<name>` inside the root with exactly this mode.
    @discardableResult
    func writeScript(_ body: String, name: String = "prescript.sh", mode: mode_t = 0o700) throws -> String {
        let path = root + "/tmp/" + name
        try body.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    func remove() { scratch.remove() }
}

var isRoot: Bool { geteuid() == 0 }

/// Skips (with the reason printed) unless running as root.
func requireRoot(_ what: String) -> Bool {
    if isRoot { return true }
    print("skipped: \(what) needs root (loop devices, mount, chown)")
    return false
}

/// The appsnap binary next to the test bundle (swift test builds it), which hosts the
/// hidden `_freezer` subcommand.
func appsnapBinary() -> String {
    if let env = ProcessInfo.processInfo.environment["APPSNAP_BIN"] { return env }
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = (me as NSString).deletingLastPathComponent
    // On Linux the bundle is a file in the build directory; tolerate a bundle directory too.
    while !dir.isEmpty && dir != "/" {
        let candidate = dir + "/appsnap"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = (dir as NSString).deletingLastPathComponent
    }
    return "/nonexistent/appsnap"
}

func testDisk(_ id: String) -> Disk {
    Disk(DiskId: id, DiskName: id, RegionId: "cn-hangzhou", ZoneId: "cn-hangzhou-i", InstanceId: "i-hosttest",
         Category: "cloud_essd", Size: 1, Status: "In_use", Type: "data", Device: "/dev/vdb",
         CreationTime: "2025-03-04T08:00:00Z")
}

/// Collects a script's output lines from whatever thread delivers them.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ line: String) { lock.lock(); items.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

/// /proc/<pid>/stat state letter (R, S, D, Z…), nil when the process is gone.
func processState(_ pid: pid_t) -> Character? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return nil }
    let rest = text[text.index(after: close)...].trimmingCharacters(in: .whitespaces)
    return rest.first
}

/// Polls `condition` every 20 ms for at most `seconds`; true once it holds. A bound,
/// not a timing assertion: it only keeps a broken build from hanging the suite.
func eventually(within seconds: Double = 20, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
