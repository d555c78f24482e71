import Foundation
#if canImport(Glibc)
import Glibc
#endif

// An emulated instance's folder is its `/`. It belongs to the uid its sandbox's root
// maps to: this user, or (when appsnap runs as root) an unprivileged uid of the
// instance's own, so nothing the instance does is done as the host's root.
extension EmbeddedCloud {
    /// The sandbox an emulated instance's commands (with their agent) and scripts run in.
    func sandbox(for instanceId: String, agent: InstanceAgent? = nil) -> InstanceSandbox {
        var s = InstanceSandbox(executable: executablePath, root: layout.instanceRoot(instanceId).path)
        if let agent {
            s.binds = [.init(source: agent.directory.path, target: InstanceAgent.mountPoint),
                       .init(source: executablePath, target: InstanceAgent.mountPoint + "/appsnap")]
                + InstanceSandbox.runtimeLibraryBinds
            s.environment["PATH"] = InstanceAgent.mountPoint + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            s.environment[InstanceAgent.environmentKey] = InstanceAgent.socketInside
        }
        return s
    }

    func makeInstanceRoot(_ instanceId: String) throws {
        let root = layout.instanceRoot(instanceId)
        let tmp = root.appendingPathComponent("tmp", isDirectory: true)
        let home = root.appendingPathComponent("root", isDirectory: true)
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        chmod(tmp.path, 0o1777)
        chmod(home.path, 0o700)
        try handOver(instanceId)
    }

    /// As root, gives the instance's folder (and what an older appsnap left in it owned
    /// by root) to the instance's own uid. Links are changed, never followed.
    func handOver(_ instanceId: String) throws {
        guard geteuid() == 0 else { return }
        let root = layout.instanceRoot(instanceId).path
        var st = stat()
        guard lstat(root, &st) == 0, st.st_uid == 0 else { return }
        let uid = InstanceSandbox.instanceUid(instanceId)
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw PoolError("cannot open the instance's folder", path: root) }
        try Self.handOver(directory: fd, path: root, to: uid)
    }

    /// Every entry below `directory` reached by descriptor (openat with O_NOFOLLOW), so a
    /// link swapped in while this runs can never lead it outside the instance. Closes `directory`.
    private static func handOver(directory: Int32, path: String, to uid: uid_t) throws {
        guard let dir = fdopendir(directory) else { close(directory); throw PoolError("cannot read", path: path) }
        defer { closedir(dir) }
        guard fchown(directory, uid, uid) == 0 else { throw PoolError("cannot give to the instance's uid", path: path) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var st = stat()
            guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_uid == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw PoolError("cannot open", path: path + "/" + name) }
                try handOver(directory: child, path: path + "/" + name, to: uid)
            } else if fchownat(directory, name, uid, uid, AT_SYMLINK_NOFOLLOW) != 0 {
                throw PoolError("cannot give to the instance's uid", path: path + "/" + name)
            }
        }
    }
}
