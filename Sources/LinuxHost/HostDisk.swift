import AppSnapCore
import Foundation
import Glibc

/// A disk image of the host instance made into a mounted file system, and back: loop
/// device, file system on first attach, mount. Each step is idempotent, so `appsnap
/// cloud host up` can call `bringUp` after a reboot on whatever is left.
public enum HostDisk {
    public struct State: Sendable, Hashable {
        public var device: String?
        public var mounted: Bool
        public var fileSystem: String?
    }

    /// Attaches (if not yet), makes `kind` only when the device holds no file system at
    /// all (a restored disk keeps its data), and mounts at `mountPoint`. A clone of an XFS
    /// disk carries its source's UUID, which XFS refuses twice unless told `nouuid`.
    @discardableResult
    public static func bringUp(image: String, kind: FileSystemKind, mountPoint: String) throws -> String {
        var attachedHere = false
        let device: String
        if let existing = LoopDevice.device(backing: image) {
            device = existing
        } else {
            device = try LoopDevice.attach(image: image)
            attachedHere = true
        }
        do {
            var type = FileSystemTools.probe(device: device)
            if type == nil {
                try FileSystemTools.make(kind, on: device)
                type = kind.rawValue
            }
            if !isMounted(device: device, at: mountPoint) {
                try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
                try FileSystemTools.mount(device, at: mountPoint, options: type == "xfs" ? ["nouuid"] : [])
            }
        } catch {
            if attachedHere { try? LoopDevice.detach(device: device) }
            throw error
        }
        return device
    }

    /// Unmounts every mount of the image's loop device, then detaches it. Whatever is
    /// already gone counts as done, so a second teardown (or one after the kernel's
    /// autoclear) succeeds.
    public static func takeDown(image: String) throws {
        guard let device = LoopDevice.device(backing: image) else { return }
        for m in mounts(of: device).reversed() {
            do { try FileSystemTools.unmount(m) } catch {
                if mounts(of: device).contains(m) { throw error }
            }
            rmdirIfEmpty(m)
        }
        // The last unmount may have freed the device (autoclear), and the number may since
        // carry another image: detach only if it still backs this one.
        guard LoopDevice.device(backing: image) == device else { return }
        try LoopDevice.detach(device: device)
    }

    public static func state(image: String, mountPoint: String) -> State {
        guard let device = LoopDevice.device(backing: image) else { return State(device: nil, mounted: false, fileSystem: nil) }
        return State(device: device, mounted: isMounted(device: device, at: mountPoint),
                     fileSystem: FileSystemTools.probe(device: device))
    }

    /// Mount points of file systems on `device`, in mountinfo order.
    public static func mounts(of device: String) -> [String] {
        var st = stat()
        guard stat(device, &st) == 0 else { return [] }
        let number = DeviceNumber(st.st_rdev)
        return ((try? MountInfo.read()) ?? [])
            .filter { DeviceNumber(major: $0.major, minor: $0.minor) == number }
            .map(\.mountPoint)
    }

    public static func isMounted(device: String, at mountPoint: String) -> Bool {
        let wanted = FreezeTargets.realPath(mountPoint)
        return mounts(of: device).contains { $0 == wanted || $0 == mountPoint }
    }

    /// The mount point appsnap made is removed again once empty (never anything else).
    private static func rmdirIfEmpty(_ path: String) {
        if path.hasPrefix("/mnt/appsnap/") { rmdir(path) }
    }
}

extension FileSystemTools {
    /// The file system type on `device` (`ext4`, `xfs`…), or nil when it holds none.
    public static func probe(device: String) -> String? {
        guard let out = try? HostCommand.run(["blkid", "-p", "-s", "TYPE", "-o", "value", device]) else { return nil }
        let type = out.trimmingCharacters(in: .whitespacesAndNewlines)
        return type.isEmpty ? nil : type
    }
}
