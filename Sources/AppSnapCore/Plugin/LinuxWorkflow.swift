/// The `app-snapshot-plugin` run (SPEC §4), step by step, over the ports.
public struct LinuxWorkflow: Sendable {
    let steps: WorkflowSteps

    public init(cloud: CloudAPI, guest: GuestHost, clock: Clock, log: LogSink, settings: WorkflowSettings = .init()) {
        steps = WorkflowSteps(cloud: cloud, guest: guest, clock: clock, log: RunLog(log, clock: clock), settings: settings)
    }

    public func run(_ p: LinuxPluginParams) async -> Outcome {
        let log = steps.log
        log.info("Start \(PluginParams.linuxPlugin) on instance \(steps.instanceId): Name=\(p.name), EnableFsFreeze=\(p.enableFsFreeze), TimeoutInSeconds=\(p.timeoutInSeconds)")
        return await steps.run(ramRoleName: p.ramRoleName, excludeDiskIds: p.excludeDiskIds, name: p.name,
                               description: p.description, osCheck: OSSupport.linux) { target in
            await snapshot(p, target)
        }
    }

    private func snapshot(_ p: LinuxPluginParams, _ target: WorkflowSteps.Target) async -> Outcome {
        let log = steps.log
        var reasons: [String] = []
        var soft: [WorkflowFailure] = []
        var appAttempted = false
        var post: CheckedScript?

        switch ScriptPlan.decide(pre: p.preScriptPath, post: p.postScriptPath, guest: steps.guest) {
        case .none(let reason, let detail):
            log.info("Not application-consistent: \(detail); taking \(p.enableFsFreeze ? "file-system-consistent" : "crash-consistent") snapshots (\(reason))")
            reasons.append(reason)
        case .app(let pre, let checkedPost):
            log.info("Scripts \(pre.path) and \(checkedPost.path) pass the checks; attempting application-consistent snapshots")
            if let why = steps.guest.scriptChanged(pre) ?? steps.guest.scriptChanged(checkedPost) {
                // Tampered with between check and run: neither version runs.
                log.warn("Not application-consistent: \(why); neither script is run (script-changed)")
                reasons.append("script-changed")
                break
            }
            post = checkedPost
            let r = await runScript(pre, "prescript.sh")
            if r.succeeded {
                appAttempted = true
            } else {
                let token = token("prescript", r)
                log.warn("prescript.sh \(words(r)); going on file-system-consistent (\(token))")
                reasons.append(token)
                soft.append(WorkflowFailure(.prescriptFailed, "prescript.sh \(words(r))"))
            }
        }

        var c = await steps.capture(disks: target.disks, freeze: p.enableFsFreeze, boundSeconds: Double(p.timeoutInSeconds),
                                    name: p.name, description: p.description)

        // Postscript runs once prescript was started, whatever happened since.
        var postFailure: WorkflowFailure?
        if let post {
            if let why = steps.guest.scriptChanged(post) {
                // The application must still resume: the file that was checked runs, never
                // the new one, but the snapshots no longer count as application-consistent.
                log.warn("\(why); running the postscript.sh that was checked, not the new file; the snapshots are not application-consistent (script-changed)")
                appAttempted = false
                reasons.append("script-changed")
            }
            let r = await runScript(post, "postscript.sh")
            if !r.succeeded {
                log.error("postscript.sh \(words(r)); the application may still be suspended")
                postFailure = WorkflowFailure(.postscriptFailed, "postscript.sh \(words(r))")
            }
        }
        await steps.settleLateCreate(&c)
        if let f = c.failure {
            return steps.fail(f, groupId: c.groupId, freezeMs: c.freezeMs)
        }
        log.info("Thaw Write Request Done")

        var consistency: Consistency = appAttempted ? .application : (c.froze ? .fileSystem : .crash)
        if let why = c.thawError {
            consistency = .fileSystem
            reasons.append("thaw-failed")
            soft.insert(WorkflowFailure(.resumeFailed, "Thawing the file systems failed: \(why)"), at: 0)
        }
        if consistency == .crash { reasons.append("fs-freeze-disabled") }
        if let postFailure { soft.append(postFailure) }
        return await steps.finish(c, Decision(consistency: consistency, reasons: reasons, soft: soft))
    }

    private func runScript(_ s: CheckedScript, _ label: String) async -> ScriptResult {
        let log = steps.log
        log.info("Run \(s.path) (timeout \(Int(steps.settings.scriptTimeoutSeconds))s)")
        let r = await steps.guest.runScript(s, timeoutSeconds: steps.settings.scriptTimeoutSeconds) { line in
            log.info("\(label): \(line)")
        }
        log.info("\(label) \(words(r))")
        return r
    }

    private func words(_ r: ScriptResult) -> String {
        switch r {
        case .exited(let n): return "exited with \(n)"
        case .signaled(let n): return "was killed by signal \(n)"
        case .timedOut: return "timed out after \(Int(steps.settings.scriptTimeoutSeconds))s"
        case .failedToStart(let why): return "could not start: \(why)"
        }
    }

    private func token(_ script: String, _ r: ScriptResult) -> String {
        switch r {
        case .exited(let n): return "\(script)-exit-\(n)"
        case .signaled(let n): return "\(script)-signal-\(n)"
        case .timedOut: return "\(script)-timeout"
        case .failedToStart: return "\(script)-not-started"
        }
    }
}
