import AliyunCloud
import AppSnapCore
import Foundation
import Glibc
import LinuxHost

/// `appsnap plugin-manager --cloud aliyun`: the plugin on a real ECS instance, a drop-in
/// for acs-plugin-manager. Who it is (instance, region) and what it may do (its RAM
/// role's temporary keys) come from the metadata service; its disks are found by serial;
/// freezing is LinuxHost's, with the same workflow, outcome table and tags.
struct PluginOnInstance {
    let global: GlobalOptions
    let plugin: String
    let params: String
    let clock: any AppSnapCore.Clock
    let log: LineLogSink

    func run() async -> AppSnapCore.ExitCode {
        guard plugin == PluginParams.linuxPlugin else {
            return fail(.cloudAccessFailed, "--cloud aliyun runs the Linux plugin on this machine; \(plugin) is for Windows instances")
        }
        let environment = ProcessInfo.processInfo.environment
        let instanceId: String, regionId: String, cloud: AliyunCloud
        do {
            let metadata = try MetadataClient(environment: environment)
            instanceId = try await metadata.instanceId()
            regionId = try await metadata.regionId()
            // The instance's own role, whatever profiles this machine has: the plugin acts
            // with the rights the instance was given, as acs-plugin-manager does.
            let role = RefreshingCredentials(source: "instance RAM role (metadata)") {
                try await metadata.roleCredentials(try await metadata.roleName())
            }
            // The role is checked now, so a missing one is said before anything is frozen.
            _ = try await role.credentials()
            cloud = try global.aliyunSetup.make(credentials: role, region: global.region ?? regionId)
        } catch let e as MetadataClient.Unavailable where e.reason.hasPrefix("no RAM role") {
            return fail(.ramRoleUnauthorized, e.description)
        } catch {
            return fail(.cloudAccessFailed, "\(error)")
        }
        let locator = DiskSerialLocator(environment: environment)
        // The freeze journal lives off the data disks (writing it must not block on a freeze
        // it records), in the state folder's run/, where `appsnap thaw --all` reads it.
        let runDirectory = global.stateDirectory.appendingPathComponent("run").path
        do {
            try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            return fail(.cloudAccessFailed, "cannot make the run folder \(runDirectory): \(error)")
        }
        let config = LinuxGuestConfig(instanceId: instanceId, regionId: global.region ?? regionId, rootPath: "/", scriptOwnerUid: 0,
                                      runDirectory: runDirectory, clock: clock, diskLocator: { locator.locate($0) })
        let guarded = GuardedGuest(LinuxGuest(config: config))
        defer { guarded.finish() }
        let outcome = await PluginRunner.exec(plugin: plugin, params: params, cloud: cloud, guest: guarded, clock: clock, log: log)
        return outcome.exitCode
    }

    private func fail(_ code: AppSnapCore.ExitCode, _ why: String) -> AppSnapCore.ExitCode {
        log.emit(LogRecord(level: .error, date: clock.now(), message: "Exit code \(code.rawValue), \(code.meaning): \(why)"))
        return code
    }
}
