import Glibc

/// The external tools appsnap runs, and the Debian package that provides each, so that a
/// missing one is named with what to install rather than reported as a failed exec.
public enum ToolPackages {
    static let packages: [String: String] = [
        "losetup": "mount", "mount": "mount", "umount": "mount",
        "blkid": "util-linux", "unshare": "util-linux", "fsfreeze": "util-linux",
        "mkfs.ext4": "e2fsprogs", "mkfs.xfs": "xfsprogs", "sh": "dash",
    ]

    /// The Debian package providing `executable` (a name or a path), if appsnap knows it.
    public static func package(for executable: String) -> String? {
        packages[String(executable.split(separator: "/").last ?? "")]
    }

    /// Refuses up front, before anything is changed, when one of `tools` is not installed.
    public static func require(_ tools: [String]) throws {
        for tool in tools where HostCommand.locate(tool) == nil {
            throw SpawnError(executable: tool, code: ENOENT)
        }
    }

    /// "mkfs.xfs is not installed: install xfsprogs (apt-get install xfsprogs)".
    static func missing(_ executable: String) -> String? {
        guard let package = package(for: executable) else { return nil }
        let name = executable.split(separator: "/").last.map(String.init) ?? executable
        return "\(name) is not installed: install \(package) (apt-get install \(package))"
    }
}

extension FileSystemTools {
    /// What bringing a disk up with `kind` runs, for a check before anything is made.
    public static func requireTools(for kind: FileSystemKind) throws {
        try ToolPackages.require(["losetup", "blkid", "mount", "umount", kind == .xfs ? "mkfs.xfs" : "mkfs.ext4"])
    }
}
