import CLinux
import Foundation
import LinuxHost
#if canImport(Glibc)
import Glibc
#endif

/// Where an emulated instance's commands and scripts run: new user, mount and PID
/// namespaces (unprivileged ones when appsnap is not root), root inside mapped to an
/// unprivileged uid outside (the owner of the instance's folder), `/` the instance's
/// folder, the host's system folders read-only, its own /tmp, /proc, /dev and /run.
/// The state folder, the pool and other instances are not in its view at all.
///
/// It is started as `appsnap _sandbox …` (see `argv`), so that the namespaces are made
/// in a process of their own whatever process asks for them.
public struct InstanceSandbox: Sendable, Hashable {
    public var executable: String
    /// The instance's folder: the sandbox's `/`.
    public var root: String
    /// Extra read-only binds: a host path (file or folder) at a path inside.
    public var binds: [Bind] = []
    public var environment: [String: String] = [:]

    public struct Bind: Sendable, Hashable {
        public var source: String
        public var target: String
    }

    public init(executable: String, root: String) {
        self.executable = executable
        self.root = root
    }

    public static let subcommand = "_sandbox"

    /// Nil when new user, mount and PID namespaces can be made here (checked once per
    /// process); otherwise why not, in the words an operator needs to fix it.
    public static let unavailable: String? = {
        var error = [CChar](repeating: 0, count: 512)
        guard appsnap_sandbox_probe(&error, error.count) != 0 else { return nil }
        let hint = geteuid() == 0 ? "" : "; enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0) or run appsnap as root"
        return "this machine cannot make the user, mount and PID namespaces an emulated instance runs in (\(String(cString: error)))\(hint)"
    }()

    /// The host folders every sandbox sees read-only at the same place. A merged-/usr
    /// host's /bin → usr/bin is made as the same link.
    static let systemFolders = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]

    /// `appsnap _sandbox --root R [--bind SRC DEST]… [--keep-fd N]… [--setenv K V]… -- COMMAND…`
    public func argv(keepFds: [Int32] = [], command: [String]) -> [String] {
        var a = [executable, Self.subcommand, "--root", root]
        for b in binds { a += ["--bind", b.source, b.target] }
        for fd in keepFds { a += ["--keep-fd", String(fd)] }
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { a += ["--setenv", k, v] }
        return a + ["--"] + command
    }

    /// The folders of the shared libraries this binary loaded from outside the system
    /// folders (the Swift runtime, unless linked statically), for an instance that runs
    /// this binary as its `appsnap`.
    static let runtimeLibraryBinds: [Bind] = {
        // Read to EOF: Foundation's String(contentsOfFile:) takes a /proc file's size from
        // stat (0) and stops after one page, which misses the Swift runtime's libraries
        // (and the instance then cannot start appsnap: exit 127).
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return [] }
        let maps = String(decoding: data, as: UTF8.self)
        var folders: [String] = []
        for line in maps.split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            guard path.contains(".so"), !systemFolders.contains(where: { path.hasPrefix($0 + "/") }) else { continue }
            let folder = (path as NSString).deletingLastPathComponent
            if !folders.contains(folder) { folders.append(folder) }
        }
        return folders.map { Bind(source: $0, target: $0) }
    }()

    /// The uid and gid outside that the sandbox's root is: whoever owns the instance's
    /// folder. Never 0: a folder root owns is handed to the instance's own uid first.
    static func identity(ofRoot root: String) throws -> (uid_t, gid_t) {
        var st = stat()
        guard lstat(root, &st) == 0 else {
            throw SandboxError("the instance's folder \(root) cannot be read: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw SandboxError("the instance's folder \(root) is not a folder") }
        guard st.st_uid != 0 else { throw SandboxError("the instance's folder \(root) belongs to root; it must belong to the instance's own uid") }
        if geteuid() != 0 && st.st_uid != geteuid() {
            throw SandboxError("the instance's folder belongs to uid \(st.st_uid), not to this user (\(geteuid())): run appsnap as that user or as root")
        }
        return (st.st_uid, st.st_gid)
    }

    /// The unprivileged uid (and gid) an emulated instance's root is outside when appsnap
    /// runs as root: one per instance, derived from its ID, far above any real user's.
    public static func instanceUid(_ instanceId: String) -> uid_t {
        var h = FNV1a64()
        h.update(Array(instanceId.utf8))
        return uid_t(1_500_000_000 + h.value % 500_000_000)
    }

    /// The body of `appsnap _sandbox`: builds the sandbox and runs the command in it;
    /// exits with the command's status, or 125 with one line on stderr when the sandbox
    /// cannot be made.
    public static func main(arguments: [String]) -> Int32 {
        // Whoever started the sandbox (a runner, a plugin, a guardian) supervises it: it
        // never outlives them, and with it goes everything inside.
        guard appsnap_die_with_parent() == 0 else { return 125 }
        var args = arguments[...]
        if args.first == subcommand { args = args.dropFirst() }
        var root = "", binds: [Bind] = [], keep: [Int32] = [], env: [String: String] = [:], command: [String] = []
        while let a = args.popFirst() {
            switch a {
            case "--root": root = args.popFirst() ?? ""
            case "--bind":
                guard let s = args.popFirst(), let t = args.popFirst() else { return usage("--bind takes SOURCE TARGET") }
                binds.append(Bind(source: s, target: t))
            case "--keep-fd":
                guard let n = args.popFirst().flatMap(Int32.init), n > 2 else { return usage("--keep-fd takes a descriptor above 2") }
                keep.append(n)
            case "--setenv":
                guard let k = args.popFirst(), let v = args.popFirst() else { return usage("--setenv takes NAME VALUE") }
                env[k] = v
            case "--": command = Array(args); args = []
            default: return usage("unknown option \(a)")
            }
        }
        guard !root.isEmpty, !command.isEmpty else { return usage("--root and a command are required") }
        do {
            return try run(root: root, binds: binds, keep: keep, environment: env, command: command)
        } catch {
            FileHandle.standardError.write(Data("appsnap: the instance sandbox cannot be made: \(error)\n".utf8))
            return 125
        }
    }

    private static func usage(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("appsnap _sandbox: \(message)\n".utf8))
        return 125
    }

    private static func run(root: String, binds: [Bind], keep: [Int32], environment: [String: String],
                            command: [String]) throws -> Int32 {
        let (uid, gid) = try identity(ofRoot: root)
        var mounts: [(source: String, target: String, directory: Bool)] = []
        var links: [(target: String, path: String)] = []
        for folder in systemFolders {
            var st = stat()
            guard lstat(folder, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: folder) { links.append((target, folder)) }
            } else if (st.st_mode & S_IFMT) == S_IFDIR {
                mounts.append((folder, folder, true))
            }
        }
        for b in binds {
            var st = stat()
            guard stat(b.source, &st) == 0 else { throw SandboxError("cannot bind \(b.source): \(String(cString: strerror(errno)))") }
            mounts.append((b.source, b.target, (st.st_mode & S_IFMT) == S_IFDIR))
        }
        var environment = environment
        environment["PATH"] = environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        environment["HOME"] = environment["HOME"] ?? "/root"
        environment["LANG"] = environment["LANG"] ?? "C.UTF-8"

        // Every C string lives until the call returns.
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        func c(_ s: String) -> UnsafeMutablePointer<CChar> { let p = strdup(s)!; strings.append(p); return p }
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { c($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted(by: { $0.key < $1.key }).map { c("\($0.key)=\($0.value)") } + [nil]
        let cMounts = mounts.map { appsnap_mount(source: UnsafePointer(c($0.source)), target: UnsafePointer(c($0.target)), read_only: 1,
                                                 is_directory: $0.directory ? 1 : 0) }
        let cLinks = links.map { appsnap_link(target: UnsafePointer(c($0.target)), path: UnsafePointer(c($0.path))) }
        let path = c(command[0])
        var error = [CChar](repeating: 0, count: 4096)
        let status: Int32 = cMounts.withUnsafeBufferPointer { m in
            cLinks.withUnsafeBufferPointer { l in
                keep.withUnsafeBufferPointer { k in
                    argv.withUnsafeBufferPointer { a in
                        envp.withUnsafeBufferPointer { e in
                            var s = appsnap_sandbox(root: c(root), mounts: m.baseAddress, mount_count: Int32(m.count),
                                                    links: l.baseAddress, link_count: Int32(l.count), map_uid: uid, map_gid: gid,
                                                    keep_fds: k.baseAddress, keep_count: Int32(k.count), path: path,
                                                    argv: a.baseAddress, envp: e.baseAddress)
                            return appsnap_sandbox_run(&s, &error, error.count)
                        }
                    }
                }
            }
        }
        guard status >= 0 else { throw SandboxError(String(cString: error)) }
        return status
    }
}

public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
