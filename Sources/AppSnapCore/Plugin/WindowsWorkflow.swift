/// The `app-snapshot-plugin-win` run: the Linux checks, with VSS deciding consistency
/// (SPEC §5: writers present and enabled → APPConsistent, otherwise FsConsistent).
public struct WindowsWorkflow: Sendable {
    let steps: WorkflowSteps

    public init(cloud: CloudAPI, guest: GuestHost, clock: Clock, log: LogSink, settings: WorkflowSettings = .init()) {
        steps = WorkflowSteps(cloud: cloud, guest: guest, clock: clock, log: RunLog(log, clock: clock), settings: settings)
    }

    public func run(_ p: WindowsPluginParams) async -> Outcome {
        let log = steps.log
        log.info("Start \(PluginParams.windowsPlugin) on instance \(steps.instanceId): Name=\(p.name), EnableWriters=\(p.enableWriters)")
        return await steps.run(ramRoleName: p.ramRoleName, excludeDiskIds: p.excludeDiskIds, name: p.name,
                               description: p.description, osCheck: OSSupport.windows) { target in
            await snapshot(p, target)
        }
    }

    private func snapshot(_ p: WindowsPluginParams, _ target: WorkflowSteps.Target) async -> Outcome {
        let log = steps.log
        var consistency: Consistency = .fileSystem
        var reasons: [String] = []
        if !p.enableWriters {
            log.info("EnableWriters=false: VSS runs without writers; taking file-system-consistent snapshots (writers-disabled)")
            reasons.append("writers-disabled")
        } else {
            do {
                let writers = try await steps.guest.vssWriters()
                if writers.isEmpty {
                    log.info("No VSS writers on the instance; taking file-system-consistent snapshots (no-vss-writers)")
                    reasons.append("no-vss-writers")
                } else {
                    log.info("VSS writers included: \(writers.joined(separator: ", "))")
                    consistency = .application
                }
            } catch {
                log.warn("Cannot list the VSS writers (\(error)); taking file-system-consistent snapshots (no-vss-writers)")
                reasons.append("no-vss-writers")
            }
        }

        var c = await steps.capture(disks: target.disks, freeze: true, boundSeconds: steps.settings.vssFreezeTimeoutSeconds,
                                    name: p.name, description: p.description)
        await steps.settleLateCreate(&c)
        if let f = c.failure {
            return steps.fail(f, groupId: c.groupId, freezeMs: c.freezeMs)
        }
        log.info("Thaw Write Request Done")
        var soft: [WorkflowFailure] = []
        if let why = c.thawError {
            consistency = .fileSystem
            reasons.append("thaw-failed")
            soft.append(WorkflowFailure(.resumeFailed, "Resuming I/O on the volumes failed: \(why)"))
        }
        return await steps.finish(c, Decision(consistency: consistency, reasons: reasons, soft: soft))
    }
}
