import AppSnapCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// SendFile's delivery into an instance's root: what it refuses, and how it writes without
// ever stepping outside the instance or blocking on what is not a plain file.
extension EmbeddedCloud {
    /// The request-level refusals, made before any instance is touched.
    static func checkSendFileSafety(_ r: SendFileRequest, mode: mode_t) throws {
        // A set-id file handed out by the cloud would run as its owner (root) for anyone.
        guard mode & 0o7000 == 0 else {
            throw ECSError.invalidParameter("FileMode", "setuid, setgid and sticky bits (\(r.fileMode)) are not allowed; use a mode such as 0644 or 0700")
        }
        // A newline or an escape in a name forges lines in listings and logs.
        for (key, value) in [("Name", r.name), ("TargetDir", r.targetDir)] where hasControlCharacter(value) {
            throw ECSError.invalidParameter(key, "it contains control characters (newline, tab, escape, …)")
        }
    }

    static func hasControlCharacter(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Writes the file into the instance's root. Returns (ErrorCode, ErrorInfo) on failure.
    func deliver(_ r: SendFileRequest, mode: mode_t, to instance: InstanceRecord) -> (String, String)? {
        guard let root = realPath(layout.instanceRoot(instance.instanceId).path) else {
            return ("InstanceRootMissing", "the instance's root directory is missing")
        }
        var rootStat = stat()
        stat(root, &rootStat)
        // Windows paths (C:\dir) land under the root as C/dir.
        let relative = r.targetDir.replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: ":", with: "")
        // Resolved as a path on the instance first, so `..` stops at its root as on a real machine.
        let onInstance = URL(fileURLWithPath: "/" + relative, isDirectory: true).standardizedFileURL.path
        let dir: Int32
        switch openTargetDirectory(root: root, components: onInstance.split(separator: "/").map(String.init)) {
        case .failure(let why): return ("InvalidTargetDir", "the target directory \(r.targetDir) \(why.text)")
        case .success(let fd): dir = fd
        }
        defer { close(dir) }
        func id(_ name: String, owner: Bool) -> UInt32? {
            if name.isEmpty || name == "root" { return owner ? rootStat.st_uid : rootStat.st_gid }
            if owner { return getpwnam(name).map { $0.pointee.pw_uid } }
            return getgrnam(name).map { $0.pointee.gr_gid }
        }
        guard let uid = id(r.fileOwner, owner: true) else { return ("UserOrGroupNotExist", "the user \(r.fileOwner) does not exist on the instance") }
        guard let gid = id(r.fileGroup, owner: false) else { return ("UserOrGroupNotExist", "the group \(r.fileGroup) does not exist on the instance") }
        let shown = Self.joinTarget(r.targetDir, r.name)
        var existing = stat()
        if fstatat(dir, r.name, &existing, AT_SYMLINK_NOFOLLOW) == 0 {
            guard existing.st_mode & S_IFMT == S_IFREG else {
                return ("InvalidTargetFile", "\(shown) exists and is \(Self.kind(existing.st_mode)), not a regular file; SendFile replaces only regular files")
            }
            // A second name may lie outside the instance: writing through it would too.
            guard existing.st_nlink <= 1 || !r.overwrite else {
                return ("InvalidTargetFile", "\(shown) has \(existing.st_nlink) hard links; SendFile replaces only a file with one name")
            }
        }
        // O_NONBLOCK: a FIFO slipped in after the check must fail the open, not hang it.
        // No O_TRUNC: nothing is cut before the descriptor is known to be a regular file.
        let flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (r.overwrite ? 0 : O_EXCL)
        let fd = openat(dir, r.name, flags, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { return ("FileAlreadyExists", "\(shown) already exists; set Overwrite to replace it") }
            return ("FileWriteFailed", "\(shown) cannot be written: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG else {
            return ("InvalidTargetFile", "\(shown) is \(Self.kind(opened.st_mode)), not a regular file; SendFile replaces only regular files")
        }
        guard opened.st_nlink <= 1 else {
            return ("InvalidTargetFile", "\(shown) has \(opened.st_nlink) hard links; SendFile replaces only a file with one name")
        }
        let ok = ftruncate(fd, 0) == 0 && r.content.withUnsafeBytes { buf -> Bool in
            var done = 0
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; return false }
                done += n
            }
            return true
        }
        // chown first: it clears set-id bits that fchmod then sets as asked.
        guard ok, fchown(fd, uid, gid) == 0, fchmod(fd, mode) == 0 else {
            return ("FileWriteFailed", "\(shown) cannot be written: \(String(cString: strerror(errno)))")
        }
        return nil
    }

    struct DeliveryRefusal: Error { var text: String }

    /// The target directory as an open descriptor, making what is missing. Whatever exists
    /// is resolved (symbolic links included) and must lie under the root before anything is
    /// made; each missing folder is then made with mkdirat beneath a descriptor and opened
    /// O_NOFOLLOW, so a link swapped in meanwhile cannot lead the next mkdir outside.
    private func openTargetDirectory(root: String, components: [String]) -> Result<Int32, DeliveryRefusal> {
        var existing = components.count
        var base: String?
        while base == nil {
            let candidate = ([root] + components.prefix(existing)).joined(separator: "/")
            if let real = realPath(candidate) { base = real } else { existing -= 1 }
        }
        guard let base, base == root || base.hasPrefix(root + "/") else {
            return .failure(DeliveryRefusal(text: "leads outside the instance"))
        }
        var fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return .failure(DeliveryRefusal(text: "cannot be opened: \(String(cString: strerror(errno)))")) }
        for name in components.dropFirst(existing) {
            if mkdirat(fd, name, 0o755) != 0 && errno != EEXIST {
                let e = errno; close(fd)
                return .failure(DeliveryRefusal(text: "cannot be created: \(String(cString: strerror(e)))"))
            }
            let next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let e = errno
            close(fd)
            guard next >= 0 else {
                return .failure(DeliveryRefusal(text: e == ELOOP || e == ENOTDIR
                    ? "leads outside the instance or through a file" : "cannot be created: \(String(cString: strerror(e)))"))
            }
            fd = next
        }
        return .success(fd)
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
