import AppSnapCore
import Foundation
import Glibc

/// A real ECS instance's disks by their serial: ECS gives each attached disk the serial of
/// its ID without `d-`, and udev links it as `/dev/disk/by-id/virtio-<serial>` (virtio-blk)
/// or `nvme-Alibaba_Cloud_Elastic_Block_Storage_<serial>` (NVMe). The device names
/// (`/dev/vdb`) are not stable across reboots or attach order; the serial is.
public struct DiskSerialLocator: Sendable {
    /// `/dev/disk/by-id`, or APPSNAP_DISK_BY_ID_DIR (tests build a tree of their own).
    public let byIdDirectory: String

    public init(environment: [String: String]) {
        byIdDirectory = environment["APPSNAP_DISK_BY_ID_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/dev/disk/by-id"
    }

    public static func serial(_ diskId: String) -> String {
        diskId.hasPrefix("d-") ? String(diskId.dropFirst(2)) : diskId
    }

    /// The link names tried, in order.
    public func candidates(_ diskId: String) -> [String] {
        let s = Self.serial(diskId)
        // virtio-blk keeps at most 20 characters of a serial.
        return ["virtio-" + s, "virtio-" + String(s.prefix(20)), "nvme-Alibaba_Cloud_Elastic_Block_Storage_" + s]
            .reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
            .map { byIdDirectory + "/" + $0 }
    }

    /// The block device the disk's link points at; nil when the disk is not attached here.
    public func locate(_ disk: Disk) -> DiskLocation? {
        for link in candidates(disk.DiskId) {
            guard let resolved = realpath(link, nil) else { continue }
            defer { free(resolved) }
            var st = stat()
            guard stat(resolved, &st) == 0, (st.st_mode & S_IFMT) == S_IFBLK else { continue }
            return .blockDevice(String(cString: resolved))
        }
        return nil
    }
}
