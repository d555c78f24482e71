import AppSnapCore
import Foundation
import Glibc

/// The rules of SPEC §6, applied to the file itself rather than to its name: the path
/// is walked one component at a time under the guest's root with O_NOFOLLOW, and the
/// final descriptor is what gets checked, kept and later run. Nothing is re-resolved,
/// so a symlink or a swap after the check can never redirect what runs.
struct ScriptGuard {
    static let allowedPaths = ["/tmp/prescript.sh", "/tmp/postscript.sh"]

    var rootPath: String
    var ownerUid: uid_t

    /// On success the returned descriptor is open (O_CLOEXEC) and owned by the caller.
    func check(path: String) -> ScriptCheck {
        guard Self.allowedPaths.contains(path) else {
            return .rejected(reason: "script-path-not-allowed",
                             detail: "\(path) is not an allowed script path: only \(Self.allowedPaths.joined(separator: " and ")) are run")
        }
        let rootFd = open(rootPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFd >= 0 else {
            return .rejected(reason: "script-missing", detail: "\(path): the instance root \(rootPath) cannot be opened: \(errnoText(errno))")
        }
        var dirFd = rootFd
        defer { close(dirFd) }

        let components = path.split(separator: "/").map(String.init)
        var walked = ""
        for name in components.dropLast() {
            walked += "/" + name
            let next = openat(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 {
                return rejection(for: errno, path: path, component: walked, isDirectory: true)
            }
            close(dirFd)
            dirFd = next
        }

        // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
        let fd = openat(dirFd, components.last!, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { return rejection(for: errno, path: path, component: path, isDirectory: false) }

        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            return .rejected(reason: "script-missing", detail: "\(path) cannot be examined: \(errnoText(code))")
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            return .rejected(reason: "script-not-regular-file", detail: "\(path) is \(Self.describe(type: type)), not a regular file")
        }
        guard st.st_uid == ownerUid else {
            close(fd)
            return .rejected(reason: "script-owner-uid-\(st.st_uid)",
                             detail: "\(path) is owned by uid \(st.st_uid); it must be owned by uid \(ownerUid)")
        }
        let mode = st.st_mode & 0o7777
        guard mode == 0o700 else {
            close(fd)
            let octal = String(format: "%04o", mode)
            return .rejected(reason: "script-mode-\(octal)", detail: "\(path) has mode \(octal); it must be exactly 0700")
        }
        return .ok(CheckedScript(path: path, descriptor: fd, opaque: Self.stamp(st)))
    }

    /// What identifies the checked file and its content: device, inode, size, mtime and
    /// ctime (a rename over the path changes the inode; an edit in place the times).
    static func stamp(_ st: stat) -> String {
        "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec):\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }

    /// Nil while `script.path` still names the checked file, unmodified; else what changed.
    func changed(_ script: CheckedScript) -> String? {
        var held = stat()
        guard fstat(script.descriptor, &held) == 0 else { return "\(script.path) can no longer be examined" }
        if Self.stamp(held) != script.opaque { return "\(script.path) was modified after it was checked" }
        // The name again, as the check walked it: the same file must still stand there.
        switch check(path: script.path) {
        case .ok(let now):
            defer { close(now.descriptor) }
            return now.opaque == script.opaque ? nil : "\(script.path) was replaced by another file after it was checked"
        case .rejected(_, let detail):
            return "\(script.path) changed after it was checked: \(detail)"
        }
    }

    private func rejection(for code: Int32, path: String, component: String, isDirectory: Bool) -> ScriptCheck {
        switch code {
        case ENOENT:
            return .rejected(reason: "script-missing", detail: "\(path) does not exist")
        case ELOOP:
            return .rejected(reason: "script-symlink", detail: "\(component) is a symbolic link; scripts are opened without following links")
        case ENOTDIR:
            // O_DIRECTORY|O_NOFOLLOW on a symlink reports ENOTDIR on some kernels.
            if isSymlink(component) {
                return .rejected(reason: "script-symlink", detail: "\(component) is a symbolic link; scripts are opened without following links")
            }
            return .rejected(reason: "script-missing", detail: "\(path) does not exist: \(component) is not a directory")
        default:
            return .rejected(reason: "script-missing", detail: "\(path) cannot be opened: \(errnoText(code))")
        }
    }

    private func isSymlink(_ component: String) -> Bool {
        var st = stat()
        let full = rootPath == "/" ? component : rootPath + component
        return lstat(full, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK
    }

    static func describe(type: mode_t) -> String {
        switch type {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}

/// The descriptors of the scripts a guest checked: only these may run, and they close
/// when the last copy of the guest goes away (a checked script that is never run does
/// not leak past its run).
final class OpenScripts: @unchecked Sendable {
    private let lock = NSLock()
    private var descriptors: Set<Int32> = []

    func keep(_ fd: Int32) {
        lock.lock(); defer { lock.unlock() }
        descriptors.insert(fd)
    }

    func holds(_ fd: Int32) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return descriptors.contains(fd)
    }

    func close(_ fd: Int32) {
        lock.lock(); defer { lock.unlock() }
        if descriptors.remove(fd) != nil { Glibc.close(fd) }
    }

    deinit { for fd in descriptors { Glibc.close(fd) } }
}
