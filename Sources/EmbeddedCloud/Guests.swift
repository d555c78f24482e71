import AppSnapCore
import Foundation
import GRDB
import LinuxHost

extension EmbeddedCloud {
    /// The guest the plugin drives on an emulated instance: a LinuxGuest rooted at the
    /// instance's root directory (scripts owned by whoever owns it; disks are pool images),
    /// or an EmulatedWindowsGuest.
    public func guest(for instanceId: String) throws -> GuestHost {
        let (instance, writers) = try store.writer.read { db -> (InstanceRecord, [String]) in
            let i = try self.instance(db, instanceId, region: nil)
            let w = try String.fetchAll(db, sql: "SELECT writerName FROM vssWriter WHERE instanceId = ? ORDER BY writerName",
                                        arguments: [instanceId])
            return (i, w)
        }
        let layout = self.layout
        if instance.isHost {
            // The machine itself: scripts in the real /tmp owned by root, disks on loop devices.
            var config = LinuxGuestConfig(instanceId: instance.instanceId, regionId: instance.regionId, rootPath: "/",
                                          scriptOwnerUid: 0, runDirectory: layout.run.path, executablePath: executablePath,
                                          clock: clock, diskLocator: { [self] in self.hostDiskLocation($0) })
            config.thawGate = thawGate
            return LinuxGuest(config: config)
        }
        let root = layout.instanceRoot(instance.instanceId)
        if !FileManager.default.fileExists(atPath: root.path) { try makeInstanceRoot(instance.instanceId) }
        try handOver(instance.instanceId)
        var config = try LinuxGuestConfig.emulated(
            instanceId: instance.instanceId, regionId: instance.regionId, rootPath: root.path,
            runDirectory: layout.run.path, executablePath: executablePath, clock: clock,
            diskLocator: { .image(layout.diskImage($0.DiskId).path) })
        config.thawGate = thawGate
        // Its scripts run inside the instance, as its root, never as this process.
        config.scriptLauncher = sandbox(for: instance.instanceId).argv(keepFds: [3], command: [])
        config.runsAsInstanceRoot = true
        if instance.osType == "windows" { return EmulatedWindowsGuest(disks: LinuxGuest(config: config), writers: writers) }
        return LinuxGuest(config: config)
    }
}
