import ArgumentParser
import AppSnapCore
import EmbeddedCloud
import Foundation
import LinuxHost

/// `appsnap cloud host enroll|attach|detach|up|status`: this machine as an instance of the
/// embedded cloud. Its root is `/` and its /tmp the real /tmp; its disks are pool images
/// on loop devices with real file systems, so the plugin freezes them for real.
struct HostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host",
        abstract: "Enroll this machine as an instance of the embedded cloud and manage its disks (root).",
        subcommands: [Enroll.self, Attach.self, Detach.self, Up.self, Status.self]
    )

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register this machine as an instance (once; prints its ID).",
            discussion: """
            The instance is Running, has Cloud Assistant and the RAM role attached. RunCommand on \
            it runs /bin/sh -c here, as root, with the real /tmp: prescript.sh and postscript.sh \
            are /tmp/prescript.sh and /tmp/postscript.sh of this machine.
            """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The instance name.") var name = "appsnap-host"
        @Option(help: ArgumentHelp("The OS name DescribeInstances reports (default: this machine's /etc/os-release). The plugin supports CentOS ≥ 7.6, Ubuntu ≥ 18.04 and Alibaba Cloud Linux 2/3.", valueName: "name"))
        var osName: String?
        @Option(help: "The RAM role attached to the instance (made with the plugin's policy if missing).")
        var ramRole = "AppSnapshotRoleName"

        func run() async throws {
            let cloud = try global.makeEmbeddedCloud()
            let os = osName ?? EmbeddedCloud.hostOSName()
            let (id, made) = try cloud.enrollHost(name: name, regionId: global.regionId, osName: os, ramRole: ramRole)
            print(made ? "enrolled this machine as \(id)" : "this machine is already enrolled as \(id)")
            if case .unsupported(let why) = OSSupport.linux(osName: os) {
                print("note: the plugin's OS check will refuse runs here: \(why); enroll with --os-name to present a supported one")
            }
        }
    }

    struct Attach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach a disk to this machine: loop device, file system on first attach, mount.",
            discussion: """
            Give a disk ID, or --new-size-gib to make a new data disk (1 GiB and up) first. ECS \
            AttachDisk on the host does the same with the defaults (ext4, /mnt/appsnap/DISK-ID).
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The disk to attach.") var diskId: String?
        @Option(help: "Make a new disk of this many GiB and attach it.") var newSizeGib: Int?
        @Option(help: "The file system made on the first attach: ext4 or xfs.") var fs: String?
        @Option(help: ArgumentHelp("Where to mount it (default /mnt/appsnap/DISK-ID).", valueName: "path")) var mountPoint: String?

        func validate() throws {
            guard (diskId == nil) != (newSizeGib == nil) else { throw ValidationError("give a disk ID or --new-size-gib, one of them") }
            if let fs, FileSystemKind(rawValue: fs) == nil { throw ValidationError("--fs is ext4 or xfs") }
        }

        func run() async throws {
            let cloud = try global.makeEmbeddedCloud()
            guard let host = try cloud.hostInstanceId() else { throw ValidationError("this machine is not enrolled: run `appsnap cloud host enroll` first") }
            // Before a disk is made: a missing mkfs leaves nothing behind.
            try FileSystemTools.requireTools(for: fs.flatMap(FileSystemKind.init(rawValue:)) ?? .ext4)
            let id = try diskId ?? cloud.createHostDisk(sizeGiB: newSizeGib!)
            try cloud.setHostDiskOptions(diskId: id, fileSystem: fs.flatMap(FileSystemKind.init(rawValue:)), mountPoint: mountPoint)
            try await cloud.attachDisk(instanceId: host, diskId: id)
            let disk = try cloud.hostStatus().disks.first { $0.diskId == id }
            print("\(id) attached: \(disk?.loopDevice ?? "?") \(disk?.fsType ?? "") mounted at \(disk?.mountPoint ?? "?")")
        }
    }

    struct Detach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unmount a disk, detach its loop device and detach it from this machine.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The disk to detach.") var diskId: String

        func run() async throws {
            let cloud = try global.makeEmbeddedCloud()
            guard let host = try cloud.hostInstanceId() else { throw ValidationError("this machine is not enrolled") }
            try await cloud.detachDisk(instanceId: host, diskId: diskId)
            print("\(diskId) detached")
        }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "After a reboot: mount the pool image again and re-attach and mount every disk of this machine.")
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            let lines = try global.makeEmbeddedCloud().hostUp()
            print(lines.isEmpty ? "no disk is attached to this machine" : lines.joined(separator: "\n"))
            if lines.contains(where: { $0.contains("FAILED") }) { throw ExitCode.failure }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "This machine's instance, its disks, loop devices and mounts.")
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            print(try global.makeEmbeddedCloud().hostStatus().rendered)
        }
    }
}

/// `--pool-image 8G`: `8G`, `512M`, `1T` (binary units) or plain bytes.
enum PoolImageSize {
    static func bytes(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var t = text.uppercased()
        if t.hasSuffix("IB") { t.removeLast(2) } else if t.hasSuffix("B") { t.removeLast() }
        if let u = t.last, let m = units[u] { return Int64(t.dropLast()).map { $0 * m } }
        return Int64(t)
    }
}
