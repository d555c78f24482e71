import AppSnapCore
import Foundation
import Glibc

/// From block devices to the mount points to freeze (SPEC §7): every mount of a file
/// system that lives on the device or one of its partitions, one mount point per
/// superblock (bind mounts share a superblock and are frozen once), in mountinfo order
/// (parents before children). Never anything else, and never `/`.
enum FreezeTargets {
    struct Target: Equatable {
        var mountPoint: String
        var superblock: DeviceNumber
    }

    /// `deviceAt` says which file system a path reaches now (stat's st_dev); tests give
    /// their own for mount tables that exist only on paper.
    static func resolve(devices: [String], mounts: [MountEntry],
                        deviceAt: (String) -> DeviceNumber? = FreezeTargets.deviceAt) throws -> [Target] {
        var wanted: Set<DeviceNumber> = []
        for path in devices {
            var st = stat()
            guard stat(path, &st) == 0 else { throw GuestError("block device \(path) cannot be found: \(errnoText(errno))") }
            guard st.st_mode & S_IFMT == S_IFBLK else { throw GuestError("\(path) is not a block device") }
            let number = DeviceNumber(st.st_rdev)
            wanted.insert(number)
            for partition in partitions(of: number) {
                wanted.insert(partition)
            }
        }

        // btrfs reports an anonymous superblock number, so its mounts are matched by source device.
        func isOnWantedDevice(_ m: MountEntry) -> Bool {
            if wanted.contains(DeviceNumber(major: m.major, minor: m.minor)) { return true }
            guard m.source.hasPrefix("/dev/") else { return false }
            var st = stat()
            return stat(m.source, &st) == 0 && st.st_mode & S_IFMT == S_IFBLK && wanted.contains(DeviceNumber(st.st_rdev))
        }

        var order: [DeviceNumber] = []
        var candidates: [DeviceNumber: [MountEntry]] = [:]
        for m in mounts where isOnWantedDevice(m) {
            let sb = DeviceNumber(major: m.major, minor: m.minor)
            if m.mountPoint == "/" {
                throw GuestError("refusing to freeze / (the root file system of this machine lives on \(devices.joined(separator: ", "))): exclude that disk")
            }
            if candidates[sb] == nil { order.append(sb) }
            candidates[sb, default: []].append(m)
        }
        return try order.map { sb in
            Target(mountPoint: try pickMountPoint(candidates[sb]!, superblock: sb, deviceAt: deviceAt), superblock: sb)
        }
    }

    /// Any mount of the superblock freezes all of them; prefer one of its whole tree that
    /// is not hidden under a later mount. When every one is hidden, opening the path would
    /// reach whatever is mounted on top — another file system — so that is refused.
    private static func pickMountPoint(_ mounts: [MountEntry], superblock: DeviceNumber,
                                       deviceAt: (String) -> DeviceNumber?) throws -> String {
        let preferred = mounts.filter { $0.root == "/" } + mounts.filter { $0.root != "/" }
        if let m = preferred.first(where: { deviceAt($0.mountPoint) == superblock }) { return m.mountPoint }
        throw GuestError("cannot freeze the file system of device \(superblock): every mount of it (\(preferred.map(\.mountPoint).joined(separator: ", "))) is hidden under another mount, and freezing by that path would freeze the other file system")
    }

    static func deviceAt(_ path: String) -> DeviceNumber? {
        var st = stat()
        return stat(path, &st) == 0 ? DeviceNumber(st.st_dev) : nil
    }

    /// Partitions appear as subdirectories of the disk in /sys that hold a `partition` file.
    private static func partitions(of disk: DeviceNumber) -> [DeviceNumber] {
        let base = "/sys/dev/block/\(disk)"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        return names.compactMap { name in
            guard FileManager.default.fileExists(atPath: "\(base)/\(name)/partition"),
                  let text = try? String(contentsOfFile: "\(base)/\(name)/dev", encoding: .utf8) else { return nil }
            return DeviceNumber(text: text)
        }
    }

    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
