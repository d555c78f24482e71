import Foundation
import AppSnapCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `appsnap` executable against a fresh embedded cloud of its own, the way an
/// operator would from a shell.
final class AppSnapBinary {
    let state: URL
    let binary: URL

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:] }
        var errorJSON: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(stderr.utf8))) as? [String: Any] ?? [:] }
    }

    /// Who runs it: nil for this process's user, else a user `runuser` switches to.
    let user: String?
    private var copiedBinary: URL?

    /// `stateParent`: where the state folder is made (an emulated instance's /tmp is its
    /// own wherever the state lives, /tmp included). `user`: run as that user (needs
    /// root); its own copy of the binary is made where that user can run it.
    init(stateParent: String = "/var/tmp", user: String? = nil) throws {
        self.user = user
        var binary = AppSnapBinary.locate()
        state = URL(fileURLWithPath: stateParent).appendingPathComponent("appsnap-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        if let user {
            guard let pw = getpwnam(user) else { throw E2EError("no user \(user)") }
            chown(state.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
            let dir = URL(fileURLWithPath: "/var/tmp/appsnap-bin-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let copy = dir.appendingPathComponent("appsnap")
            try FileManager.default.copyItem(at: binary, to: copy)
            chmod(copy.path, 0o755)
            copiedBinary = dir
            binary = copy
        }
        self.binary = binary
    }

    deinit {
        try? FileManager.default.removeItem(at: state)
        if let copiedBinary { try? FileManager.default.removeItem(at: copiedBinary) }
    }

    /// The appsnap built beside this test bundle (APPSNAP_BIN overrides).
    static func locate() -> URL {
        if let p = ProcessInfo.processInfo.environment["APPSNAP_BIN"] { return URL(fileURLWithPath: p) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("appsnap")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/appsnap")
    }

    @discardableResult
    func run(_ args: [String], stdin: String? = nil) throws -> Result {
        let p = Process()
        if let user {
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            p.arguments = ["-u", user, "--", binary.path] + args + ["--state", state.path]
        } else {
            p.executableURL = binary
            p.arguments = args + ["--state", state.path]
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        if let stdin {
            let inp = Pipe()
            p.standardInput = inp
            inp.fileHandleForWriting.write(Data(stdin.utf8))
            try? inp.fileHandleForWriting.close()
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        try p.run()
        // Read both pipes before waiting, so a large output cannot stall the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    /// A disk's image file in the pool.
    func image(_ diskId: String) -> URL {
        state.appendingPathComponent("pool/disks/\(diskId).img")
    }

    /// `appsnap ecs ACTION --K v …`
    func ecs(_ action: String, _ params: [String: String]) throws -> Result {
        var args = ["ecs", action]
        for (k, v) in params.sorted(by: { $0.key < $1.key }) { args += ["--\(k)=\(v)"] }
        return try run(args)
    }

    func instanceId(named name: String, region: String = "cn-hangzhou") throws -> String {
        let r = try ecs("DescribeInstances", ["RegionId": region, "PageSize": "100"])
        let list = ((r.json["Instances"] as? [String: Any])?["Instance"] as? [[String: Any]]) ?? []
        guard let id = list.first(where: { $0["InstanceName"] as? String == name })?["InstanceId"] as? String else {
            throw E2EError("no instance named \(name): \(r.stdout) \(r.stderr)")
        }
        return id
    }

    func disks(of instanceId: String) throws -> [[String: Any]] {
        let r = try ecs("DescribeDisks", ["RegionId": "cn-hangzhou", "InstanceId": instanceId, "PageSize": "100"])
        return ((r.json["Disks"] as? [String: Any])?["Disk"] as? [[String: Any]]) ?? []
    }

    /// RunCommand, then DescribeInvocationResults until the run has finished.
    func runAndWait(_ instanceId: String, _ content: String, type: String = "RunShellScript",
                    timeout: Double = 120) throws -> [String: Any] {
        let r = try ecs("RunCommand", ["RegionId": "cn-hangzhou", "Type": type, "CommandContent": content,
                                       "InstanceId.1": instanceId, "Timeout": "600"])
        guard let invokeId = r.json["InvokeId"] as? String else { throw E2EError("RunCommand failed: \(r.stdout) \(r.stderr)") }
        return try waitFor(invokeId, timeout: timeout)
    }

    func waitFor(_ invokeId: String, timeout: Double = 120) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let r = try ecs("DescribeInvocationResults", ["RegionId": "cn-hangzhou", "InvokeId": invokeId, "ContentEncoding": "PlainText"])
            let results = (((r.json["Invocation"] as? [String: Any])?["InvocationResults"] as? [String: Any])?["InvocationResult"] as? [[String: Any]]) ?? []
            if let first = results.first, first["InvokeRecordStatus"] as? String == "Finished" {
                var out = first
                out["InvokeId"] = invokeId
                return out
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw E2EError("invocation \(invokeId) did not finish within \(timeout)s")
    }

    func group(_ id: String) throws -> [String: Any] {
        let r = try ecs("DescribeSnapshotGroups", ["RegionId": "cn-hangzhou", "SnapshotGroupId.1": id])
        guard let g = ((r.json["SnapshotGroups"] as? [String: Any])?["SnapshotGroup"] as? [[String: Any]])?.first else {
            throw E2EError("no group \(id): \(r.stdout) \(r.stderr)")
        }
        return g
    }

    /// Tags of every snapshot of a group, as `[snapshotId: [key: value]]`.
    func snapshotTags(group id: String) throws -> [String: [String: String]] {
        let g = try group(id)
        let snaps = ((g["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]]) ?? []
        var out: [String: [String: String]] = [:]
        for s in snaps {
            let sid = s["SnapshotId"] as? String ?? "?"
            let r = try ecs("DescribeSnapshots", ["RegionId": "cn-hangzhou", "SnapshotIds": "[\"\(sid)\"]"])
            let full = ((r.json["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]])?.first ?? [:]
            let tags = ((full["Tags"] as? [String: Any])?["Tag"] as? [[String: String]]) ?? []
            out[sid] = Dictionary(tags.map { ($0["TagKey"] ?? "", $0["TagValue"] ?? "") }, uniquingKeysWith: { a, _ in a })
        }
        return out
    }

    /// SendFile as an operator would put prescript.sh/postscript.sh on an instance.
    func sendFile(_ instanceId: String, name: String, content: String, mode: String = "0700", dir: String = "/tmp") throws {
        let r = try ecs("SendFile", ["RegionId": "cn-hangzhou", "InstanceId.1": instanceId, "Name": name, "TargetDir": dir,
                                     "Content": content, "FileMode": mode, "FileOwner": "root", "Overwrite": "true"])
        guard r.status == 0 else { throw E2EError("SendFile failed: \(r.stderr)") }
    }
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The seed's Linux command line with the given overrides of --params.
func linuxCommand(name: String = "LinuxApp1", scripts: Bool = true, freeze: Bool = true, timeout: Int = 30,
                  exclude: [String] = []) -> String {
    var p = "-RamRoleName=\\\"AppSnapshotRoleName\\\",-EnableFsFreeze=\(freeze),-TimeoutInSeconds=\(timeout)"
    if scripts { p += ",-PreScriptPath=\\\"/tmp/prescript.sh\\\",-PostScriptPath=\\\"/tmp/postscript.sh\\\"" }
    p += ",-ExcludeDiskId=\\\"\(exclude.joined(separator: ","))\\\",-Name=\\\"\(name)\\\",-Description=\\\"LinuxApp\\\""
    return "acs-plugin-manager --exec --plugin app-snapshot-plugin --params=\(p)"
}

func windowsCommand(writers: Bool) -> String {
    "acs-plugin-manager --exec --plugin app-snapshot-plugin-win --params=-RamRoleName=\\\"AppSnapshotRoleName\\\",-EnableWriters=\(writers),-ExcludeDiskId=\\\"\\\",-Name=\\\"APPSnapshot-1\\\",-Description=\\\"AppSnapshot\\\""
}

/// The SnapshotGroupId the plugin's output names.
func groupId(in output: String) -> String? {
    guard let r = output.range(of: #"ssg-[0-9a-z]+"#, options: .regularExpression) else { return nil }
    return String(output[r])
}
