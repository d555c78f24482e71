import AppSnapCore
import Foundation
import Glibc

/// Where a cloud disk lives on this machine.
public enum DiskLocation: Sendable, Hashable {
    /// An attached block device (a loop device, or a real disk on an enrolled host):
    /// its mounted file systems are frozen with FIFREEZE.
    case blockDevice(String)
    /// An emulated disk image that nothing mounts: frozen by an exclusive flock on the
    /// file, which appsnap's own writers to that image respect with a shared one.
    case image(String)
}

/// Everything that makes one Linux guest: the real host (root `/`) or one emulated
/// instance of the embedded cloud (its own root directory).
public struct LinuxGuestConfig: Sendable {
    public var instanceId: String
    public var regionId: String
    /// `/` for the real host; an emulated instance's root directory otherwise. Script
    /// paths resolve under it and scripts run in it.
    public var rootPath: String
    /// Who must own the scripts: 0 on the real host, the owner of the root directory
    /// for an emulated instance (SPEC §6).
    public var scriptOwnerUid: uid_t
    /// Holds the run lock and the freeze journal. Never on a disk that may be frozen,
    /// or writing the journal would block the freeze it records.
    public var runDirectory: String
    /// The appsnap binary, started as `appsnap _freezer …` to hold a freeze.
    public var executablePath: String
    public var diskLocator: @Sendable (Disk) -> DiskLocation?
    public var clock: any AppSnapCore.Clock
    /// Work that waits for this guest's freezes to end (see `ThawGate`); none when nil.
    public var thawGate: ThawGate?
    /// The command line a script is started through, ending in `--` (e.g. an emulated
    /// instance's `appsnap _sandbox … --`); the script's descriptor stays fd 3. Empty:
    /// scripts start directly.
    public var scriptLauncher: [String] = []
    /// An emulated instance's commands all run as its root (inside its sandbox), whoever
    /// runs appsnap; on a real machine only euid 0 is root.
    public var runsAsInstanceRoot = false

    public init(instanceId: String, regionId: String, rootPath: String = "/", scriptOwnerUid: uid_t = 0,
                runDirectory: String, executablePath: String = LinuxGuestConfig.currentExecutable(),
                clock: any AppSnapCore.Clock = SystemClock(),
                diskLocator: @escaping @Sendable (Disk) -> DiskLocation?) {
        self.instanceId = instanceId; self.regionId = regionId; self.rootPath = rootPath
        self.scriptOwnerUid = scriptOwnerUid; self.runDirectory = runDirectory
        self.executablePath = executablePath; self.clock = clock; self.diskLocator = diskLocator
    }

    /// An emulated instance: scripts must belong to whoever owns its root directory.
    public static func emulated(instanceId: String, regionId: String, rootPath: String, runDirectory: String,
                                executablePath: String = LinuxGuestConfig.currentExecutable(),
                                clock: any AppSnapCore.Clock = SystemClock(),
                                diskLocator: @escaping @Sendable (Disk) -> DiskLocation?) throws -> LinuxGuestConfig {
        var st = stat()
        guard stat(rootPath, &st) == 0 else {
            throw GuestError("instance root \(rootPath) cannot be read: \(errnoText(errno))")
        }
        return LinuxGuestConfig(instanceId: instanceId, regionId: regionId, rootPath: rootPath,
                                scriptOwnerUid: st.st_uid, runDirectory: runDirectory,
                                executablePath: executablePath, clock: clock, diskLocator: diskLocator)
    }

    /// The running binary, resolved now so a later upgrade of the file on disk does not
    /// change which program holds a freeze.
    public static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
