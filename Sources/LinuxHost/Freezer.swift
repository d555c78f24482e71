import AppSnapCore
import Foundation
import Glibc

/// Freezes a guest's disks (SPEC §7): block devices through a freezer child, emulated
/// images through exclusive locks; all bounded by one deadline.
struct Freezer {
    var config: LinuxGuestConfig

    func freeze(disks: [Disk], deadlineSeconds: Double) async throws -> LinuxFreezeHandle {
        var devices: [String] = []
        var images: [String] = []
        for disk in disks {
            switch config.diskLocator(disk) {
            case .blockDevice(let path)?: if !devices.contains(path) { devices.append(path) }
            case .image(let path)?: if !images.contains(path) { images.append(path) }
            case nil: throw GuestError("disk \(disk.DiskId) is not attached to \(config.instanceId): nothing to freeze it through")
            }
        }
        let clock = config.clock
        let deadline = clock.uptime() + deadlineSeconds
        let config = self.config
        let (blockDevices, imagePaths) = (devices, images)
        // Taken before the first freeze, released by the handle's thaw (or below, when
        // the freeze fails, by dropping it).
        let hold = config.thawGate?.hold()

        let outcome: Result<LinuxFreezeHandle, Error> = await onOwnThread {
            Result {
                var process: FreezerProcess?
                if !blockDevices.isEmpty {
                    let targets = try FreezeTargets.resolve(devices: blockDevices, mounts: try MountInfo.read())
                    if !targets.isEmpty {
                        try FileManager.default.createDirectory(atPath: config.runDirectory, withIntermediateDirectories: true)
                        let remaining = deadline - clock.uptime()
                        guard remaining > 0 else { throw GuestError("the \(deadlineSeconds) s allowed passed before freezing began") }
                        let started = try FreezerProcess.start(
                            executable: config.executablePath, mountPoints: targets.map(\.mountPoint),
                            deadlineMilliseconds: max(1, Int(remaining * 1000)),
                            journalPath: FreezeJournal.newPath(runDirectory: config.runDirectory, instanceId: config.instanceId))
                        // A little grace beyond the deadline: the child itself reports a freeze that took too long.
                        try started.waitUntilFrozen(timeout: remaining + 5)
                        process = started
                    }
                }
                var imageFreeze: ImageFreeze?
                if !imagePaths.isEmpty {
                    do {
                        imageFreeze = try ImageFreeze.acquire(paths: imagePaths, deadline: deadline, clock: clock)
                    } catch {
                        _ = process?.thaw()
                        throw error
                    }
                }
                return LinuxFreezeHandle(process: process, images: imageFreeze, hold: hold)
            }
        }
        if case .failure = outcome { hold?.release() }
        return try outcome.get()
    }
}
