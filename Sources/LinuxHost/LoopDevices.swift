import AppSnapCore
import Foundation
import Glibc

/// Loop devices and file systems for the host instance: a disk image becomes a block
/// device that can carry a real file system, be mounted and be frozen.
public enum LoopDevice {
    /// Attaches `image` to the first free loop device and returns its path (`/dev/loopN`).
    /// Direct I/O stays off so the image's page cache is what a snapshot copy reads.
    public static func attach(image: String) throws -> String {
        let output = try HostCommand.run(["losetup", "--find", "--show", "--direct-io=off", image])
        let device = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard device.hasPrefix("/dev/") else { throw GuestError("losetup attached \(image) but printed \"\(device)\"") }
        return device
    }

    /// Detaches `device`; one that is already gone counts as detached. A device attached
    /// with autoclear (or detached while mounted) is freed by the kernel on its last
    /// unmount, and losetup then fails with "No such device or address".
    public static func detach(device: String) throws {
        do {
            try HostCommand.run(["losetup", "--detach", device])
        } catch {
            if !isBound(device) { return }
            throw error
        }
    }

    /// Whether `device` (`/dev/loopN`) is bound to a file: /sys shows a backing file only then.
    public static func isBound(_ device: String) -> Bool {
        let name = device.split(separator: "/").last.map(String.init) ?? device
        return FileManager.default.fileExists(atPath: "/sys/block/\(name)/loop/backing_file")
    }

    /// The loop device backing `image`, if any (read from /sys, no tool needed).
    public static func device(backing image: String) -> String? {
        let wanted = FreezeTargets.realPath(image)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/sys/block") else { return nil }
        for name in names.sorted() where name.hasPrefix("loop") {
            guard var backing = try? String(contentsOfFile: "/sys/block/\(name)/loop/backing_file", encoding: .utf8) else { continue }
            backing = backing.trimmingCharacters(in: .newlines)
            if backing == wanted { return "/dev/\(name)" }
        }
        return nil
    }
}

public enum FileSystemKind: String, Sendable {
    case ext4, xfs
}

public enum FileSystemTools {
    /// Makes a file system on `device` (or an image file), replacing whatever was there.
    public static func make(_ kind: FileSystemKind, on device: String, extraOptions: [String] = []) throws {
        switch kind {
        case .ext4: try HostCommand.run(["mkfs.ext4", "-q", "-F"] + extraOptions + [device])
        case .xfs: try HostCommand.run(["mkfs.xfs", "-q", "-f"] + extraOptions + [device])
        }
    }

    public static func mount(_ source: String, at mountPoint: String, options: [String] = []) throws {
        let opts = options.isEmpty ? [] : ["-o", options.joined(separator: ",")]
        try HostCommand.run(["mount"] + opts + [source, mountPoint])
    }

    /// A second view of a mounted directory (same superblock).
    public static func bindMount(_ directory: String, at mountPoint: String) throws {
        try HostCommand.run(["mount", "--bind", directory, mountPoint])
    }

    public static func unmount(_ mountPoint: String) throws {
        try HostCommand.run(["umount", mountPoint])
    }
}
