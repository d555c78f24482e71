import Foundation
import Glibc

/// The enrolled host of an embedded cloud of its own, with data disks this test made
/// (pool images on loop devices, mounted under /mnt/appsnap). `destroy()` thaws,
/// unmounts and detaches every one of them, whatever state the test left.
final class HostFixture {
    let app: AppSnapBinary
    let hostId: String
    private(set) var disks: [(id: String, mountPoint: String)] = []

    /// Nil (and a printed reason) where the host instance cannot run: not root, no loop devices.
    static func make(_ test: String) throws -> HostFixture? {
        guard getuid() == 0 else { print("skipped \(test): the host instance needs root (loop devices, mount, FIFREEZE)"); return nil }
        guard FileManager.default.fileExists(atPath: "/dev/loop-control") else { print("skipped \(test): no /dev/loop-control"); return nil }
        return try HostFixture()
    }

    private init() throws {
        app = try AppSnapBinary()
        try app.check(["cloud", "init"])
        let out = try app.check(["cloud", "host", "enroll", "--os-name", "Ubuntu 22.04 64 bit"]).stdout
        guard let r = out.range(of: #"i-[0-9a-z]+"#, options: .regularExpression) else { throw E2EError("enroll printed \(out)") }
        hostId = String(out[r])
    }

    /// A new data disk of `sizeGiB`, attached and mounted; returns its mount point.
    @discardableResult
    func addDisk(sizeGiB: Int = 1, fs: String = "ext4") throws -> (id: String, mountPoint: String) {
        let out = try app.check(["cloud", "host", "attach", "--new-size-gib", String(sizeGiB), "--fs", fs]).stdout
        return try record(out)
    }

    /// Attaches an existing disk (e.g. one made from a snapshot) and returns where it is mounted.
    func attach(_ diskId: String) throws -> (id: String, mountPoint: String) {
        try record(try app.check(["cloud", "host", "attach", diskId]).stdout)
    }

    /// Unmounts and detaches one of this fixture's disks (e.g. a restored copy done with).
    func detach(_ diskId: String) throws {
        try app.check(["cloud", "host", "detach", diskId])
        disks.removeAll { $0.id == diskId }
    }

    private func record(_ out: String) throws -> (id: String, mountPoint: String) {
        guard let id = out.split(separator: " ").first.map(String.init), id.hasPrefix("d-"),
              let at = out.range(of: "mounted at ") else { throw E2EError("attach printed \(out)") }
        let d = (id: id, mountPoint: String(out[at.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines))
        disks.append(d)
        return d
    }

    var runDirectory: String { app.state.appendingPathComponent("run").path }

    /// The phase file's phase and the PID of the process that wrote it.
    func phase() -> (String, pid_t)? {
        guard let text = try? String(contentsOfFile: runDirectory + "/\(hostId).phase", encoding: .utf8) else { return nil }
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 2, let pid = pid_t(parts[1]) else { return nil }
        return (String(parts[0]), pid)
    }

    func startPlugin(_ command: String) throws -> String {
        let r = try app.ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunShellScript", "CommandContent": command,
                                           "InstanceId.1": hostId, "Timeout": "600"])
        guard let id = r.json["InvokeId"] as? String else { throw E2EError("RunCommand failed: \(r.stdout) \(r.stderr)") }
        return id
    }

    func destroy() {
        _ = try? app.run(["thaw", "--all"])
        for d in disks.reversed() {
            if (try? app.run(["cloud", "host", "detach", d.id]))?.status != 0 {
                // Whatever detach could not do, by hand: only our own image's loop device.
                let image = app.state.appendingPathComponent("pool/disks/\(d.id).img").path
                _ = try? shell("umount '\(d.mountPoint)'; for l in $(losetup -j '\(image)' | cut -d: -f1); do losetup -d $l; done; rmdir '\(d.mountPoint)'")
            }
        }
    }
}

extension AppSnapBinary {
    @discardableResult
    func check(_ args: [String]) throws -> Result {
        let r = try run(args)
        guard r.status == 0 else { throw E2EError("appsnap \(args.joined(separator: " ")) exited \(r.status): \(r.stdout) \(r.stderr)") }
        return r
    }
}

/// `/bin/sh -c` to completion: (status, output).
@discardableResult
func shell(_ script: String) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// True when a write to `mountPoint`, from a process of its own, completes within 2 s:
/// the file system is not frozen.
func writable(_ mountPoint: String) -> Bool {
    (try? shell("timeout -s KILL 2 sh -c 'echo probe > \"\(mountPoint)/.appsnap-probe\" && rm -f \"\(mountPoint)/.appsnap-probe\"'"))?.0 == 0
}

/// /tmp/prescript.sh and /tmp/postscript.sh of this machine, only if nobody else has
/// them; removed again only by the test that made them.
final class HostScripts {
    static let pre = "/tmp/prescript.sh", post = "/tmp/postscript.sh"
    let marker: String
    private var made: [String] = []

    init?(_ test: String) {
        for p in [Self.pre, Self.post] {
            var st = stat()
            if lstat(p, &st) == 0 { print("skipped \(test): \(p) already exists on this machine and is not ours"); return nil }
        }
        marker = "/var/tmp/appsnap-hosttest-marker-\(UUID().uuidString.prefix(8))"
    }

    /// Valid scripts (root, 0700) that append `pre`/`post` to the marker, then sleep.
    func writeValid(preSleep: Double = 0, postSleep: Double = 0) throws {
        try write(Self.pre, "#!/bin/sh\n# appsnap host test \(marker)\necho pre >> \(marker)\nsleep \(preSleep)\necho prescript done\n", mode: 0o700)
        try write(Self.post, "#!/bin/sh\n# appsnap host test \(marker)\necho post >> \(marker)\nsleep \(postSleep)\necho postscript done\n", mode: 0o700)
    }

    func write(_ path: String, _ text: String, mode: mode_t) throws {
        unlinkOurs(path)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw E2EError("cannot write \(path)") }
        made.append(path)
        chown(path, 0, 0)
        chmod(path, mode)
    }

    /// Something other than a valid script at `path` (a symlink, a directory, a FIFO).
    func make(_ path: String, _ build: (String) -> Int32) throws {
        unlinkOurs(path)
        guard build(path) == 0 else { throw E2EError("cannot make \(path): \(String(cString: strerror(errno)))") }
        made.append(path)
    }

    var markerLines: [String] {
        ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    private func unlinkOurs(_ path: String) {
        guard made.contains(path) else { return }
        var st = stat()
        if lstat(path, &st) == 0 { (st.st_mode & S_IFMT) == S_IFDIR ? rmdir(path) : unlink(path) }
    }

    func remove() {
        for p in Set(made) { unlinkOurs(p) }
        made.removeAll()
        unlink(marker)
    }
}
