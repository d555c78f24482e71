import Foundation

/// SPEC §4 steps 8 to 10: suspend I/O, create the group, make sure its point in time is
/// captured within the bound, resume I/O. What the run does before (prescript) and after
/// (postscript, tags) is the caller's.
struct Capture {
    var groupId: String?
    var snapshotIds: [String] = []
    /// Set when the group was not made (4) or the suspension failed (11).
    var failure: WorkflowFailure?
    /// Whether the file systems were frozen when the point in time was taken.
    var froze = false
    /// Set when thawing failed (exit 12).
    var thawError: String?
    /// First freeze to thaw done.
    var freezeMs: Double = 0
    var prepareFreezeMs: Double = 0
    var thawMs: Double = 0
    var creationMs: Double = 0
    /// A CreateSnapshotGroup still copying when the suspension bound was hit: I/O was
    /// resumed without waiting for it, and whatever it makes is deleted once it returns
    /// (`settleLateCreate`, after postscript).
    var lateCreate: Task<String, Error>?

    /// A capture that failed after freezing: a thaw that failed too outranks the cause
    /// (SPEC §5: I/O still suspended is exit 12, whatever went wrong first).
    mutating func fail(_ f: WorkflowFailure) {
        failure = thawError.map { WorkflowFailure(.resumeFailed, "Thawing the file systems failed: \($0) (after: \(f.message))") } ?? f
    }
}

extension WorkflowSteps {
    /// `boundSeconds` is how long I/O may stay suspended (TimeoutInSeconds on Linux).
    func capture(disks: [Disk], freeze: Bool, boundSeconds: Double, name: String, description: String) async -> Capture {
        var c = Capture()
        var handle: FreezeHandle?
        var freezeStart = 0.0

        if freeze {
            log.info("Freeze the file systems on \(disks.map(\.DiskId).joined(separator: ", ")); I/O may stay suspended at most \(Int(boundSeconds))s")
            // From here until thaw nothing may be written to disk: the log may live on a frozen file system.
            log.sink.hold()
            freezeStart = clock.uptime()
            do {
                let h = try await guest.freeze(disks: disks, deadlineSeconds: boundSeconds)
                handle = h
                c.froze = true
                c.prepareFreezeMs = (clock.uptime() - freezeStart) * 1000
                log.info("Frozen: \(h.frozen.isEmpty ? "no mounted file system on these disks" : h.frozen.joined(separator: ", ")) (took \(ms(c.prepareFreezeMs / 1000))ms)")
            } catch {
                c.prepareFreezeMs = (clock.uptime() - freezeStart) * 1000
                log.sink.release()
                c.failure = WorkflowFailure(.suspendFailed, "Freezing the file systems failed: \(error)")
                return c
            }
        } else {
            log.info("EnableFsFreeze=false: file systems are not frozen")
        }

        let createStart = clock.uptime()
        let groupId: String
        let request = CreateSnapshotGroupRequest(regionId: regionId, instanceId: instanceId, diskIds: disks.map(\.DiskId),
                                                 name: name, description: description)
        let cloud = self.cloud
        let returned = Flag()
        let create = Task {
            defer { returned.set() }
            return try await cloud.createSnapshotGroup(request)
        }
        // While frozen, the bound holds even if the copy behind CreateSnapshotGroup is slow:
        // at the bound I/O resumes at once (and postscript runs) without waiting for it.
        if let handle, await !finishes(create, returned: returned, before: freezeStart + boundSeconds) {
            c.creationMs = (clock.uptime() - createStart) * 1000
            await thaw(handle, freezeStart, &c)
            log.sink.release()
            c.lateCreate = create
            c.fail(WorkflowFailure(.suspendFailed, "I/O suspension failed: CreateSnapshotGroup had not returned when TimeoutInSeconds=\(Int(boundSeconds)) passed; I/O was resumed at the bound and the group will not be kept"))
            return c
        }
        do {
            groupId = try await create.value
        } catch {
            c.creationMs = (clock.uptime() - createStart) * 1000
            await thaw(handle, freezeStart, &c)
            log.sink.release()
            let words = (error as? ECSError).map { "\($0.Code): \($0.Message)" } ?? "\(error)"
            c.fail(WorkflowFailure(.createGroupFailed, "CreateSnapshotGroup failed: \(words)"))
            return c
        }
        log.info("CreateSnapshotGroup returned \(groupId)")
        let queryStart = clock.uptime()
        let deadline = handle != nil ? freezeStart + boundSeconds : createStart + settings.groupWaitSeconds
        let confirmed = await confirmCaptured(groupId, disks: disks, until: deadline)
        let end = clock.uptime()
        c.creationMs = (end - createStart) * 1000

        var problem: String?
        if case .failure(let why) = confirmed { problem = "the point in time was not captured: \(why)" }
        if let h = handle {
            if h.expired {
                problem = "the freezer thawed on its own when TimeoutInSeconds=\(Int(boundSeconds)) passed"
            } else if end - freezeStart > boundSeconds {
                problem = "I/O stayed suspended \(secs(end - freezeStart))s, longer than TimeoutInSeconds=\(Int(boundSeconds))"
            }
        }
        if let problem {
            await thaw(handle, freezeStart, &c)
            log.sink.release()
            await deleteHalfMade(groupId, &c)
            c.fail(handle != nil
                ? WorkflowFailure(.suspendFailed, "I/O suspension failed: \(problem); the group was not kept")
                : WorkflowFailure(.createGroupFailed, "Group \(groupId) was not made: \(problem)"))
            return c
        }
        if case .success(let ids) = confirmed { c.snapshotIds = ids }
        c.groupId = groupId
        log.info("Finish SnapshotGroup=\(groupId) Creation, TotalCost=\(secs(end - createStart))s, QueryCost=\(secs(end - queryStart))s")
        log.info("Prepare to Thaw FileSystem or Applications")
        await thaw(handle, freezeStart, &c)
        log.sink.release()
        return c
    }

    private func thaw(_ handle: FreezeHandle?, _ freezeStart: Double, _ c: inout Capture) async {
        guard let handle else { return }
        let t = clock.uptime()
        let alreadyThawed = handle.expired
        do {
            try await handle.thaw()
            let list = handle.frozen.reversed().joined(separator: ", ")
            log.info(alreadyThawed ? "The freezer had already thawed \(list) at its deadline" : "Thawed: \(list)")
        } catch {
            c.thawError = "\(error)"
            log.error("Thawing the file systems failed: \(error)")
        }
        let done = clock.uptime()
        c.thawMs = (done - t) * 1000
        // The freezer's own measure excludes starting it and the round trips to it.
        c.freezeMs = (handle.windowSeconds ?? (done - freezeStart)) * 1000
    }

    /// True when `task` ends before `deadline` (clock uptime). The remaining time is
    /// waited for in real time, woken by whichever comes first: no polling step is added
    /// to the freeze window, and a test clock that stands still never times out a call
    /// that returns.
    private func finishes<T: Sendable>(_ task: Task<T, Error>, returned: Flag, before deadline: Double) async -> Bool {
        let remaining = deadline - clock.uptime()
        // Past the deadline already: a call that has returned by now is judged by the
        // caller's own measure (I/O stayed suspended too long), one that has not is late.
        guard remaining > 0 else { return returned.value }
        // Not a task group: a group waits for all its children, and awaiting the copy
        // cannot be cancelled. Whichever of the two ends first answers; the other is left.
        let answer = FirstAnswer()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            answer.set(continuation)
            let timer = Task {
                try? await Task.sleep(nanoseconds: UInt64(remaining * 1e9))
                answer.give(false)
            }
            Task {
                _ = await task.result
                timer.cancel()
                answer.give(true)
            }
        }
    }

    /// After postscript: waits for a CreateSnapshotGroup abandoned at the bound and deletes
    /// the group it made, so no half-made group is left behind.
    func settleLateCreate(_ c: inout Capture) async {
        guard let late = c.lateCreate else { return }
        c.lateCreate = nil
        log.info("Waiting for the abandoned CreateSnapshotGroup to return, to delete what it made")
        if case .success(let groupId) = await late.result { await deleteHalfMade(groupId, &c) }
    }

    private func deleteHalfMade(_ groupId: String, _ c: inout Capture) async {
        do {
            try await cloud.deleteSnapshotGroup(regionId: regionId, snapshotGroupId: groupId)
            log.warn("Deleted the half-made group \(groupId)")
        } catch {
            // Keep the ID in the outcome so the operator can find what is left.
            c.groupId = groupId
            log.error("Could not delete the half-made group \(groupId) (\(error)); delete it by hand")
        }
    }

    enum Confirmation { case success([String]), failure(String) }

    /// Every chosen disk has one snapshot in the group and none failed; polled until `until`.
    private func confirmCaptured(_ groupId: String, disks: [Disk], until deadline: Double) async -> Confirmation {
        var lastWhy = ""
        while true {
            do {
                let groups = try await cloud.describeSnapshotGroups(regionId: regionId, instanceId: nil, snapshotGroupIds: [groupId])
                guard let g = groups.first(where: { $0.SnapshotGroupId == groupId }) else {
                    return .failure("DescribeSnapshotGroups does not list \(groupId)")
                }
                if g.Status == SnapshotStatus.failed { return .failure("group \(groupId) failed") }
                let snaps = g.Snapshots.Snapshot
                if let bad = snaps.first(where: { $0.Status == SnapshotStatus.failed }) {
                    return .failure("snapshot \(bad.SnapshotId) of disk \(bad.SourceDiskId) failed")
                }
                let wanted = disks.map(\.DiskId)
                if let extra = snaps.first(where: { !wanted.contains($0.SourceDiskId) }) {
                    return .failure("snapshot \(extra.SnapshotId) is of disk \(extra.SourceDiskId), which was not chosen")
                }
                let missing = wanted.filter { id in snaps.filter { $0.SourceDiskId == id }.count != 1 }
                if missing.isEmpty {
                    return .success(wanted.compactMap { id in snaps.first { $0.SourceDiskId == id }?.SnapshotId })
                }
                lastWhy = "no single snapshot yet for \(missing.joined(separator: ", "))"
            } catch {
                lastWhy = "DescribeSnapshotGroups failed: \(error)"
            }
            // Short steps: while frozen every moment counts against the bound.
            let step = min(settings.pollIntervalSeconds, 0.2)
            if clock.uptime() + step > deadline { return .failure(lastWhy) }
            await clock.sleep(seconds: step)
        }
    }
}

/// Resumes a continuation once, with the first answer given.
private final class FirstAnswer: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Bool, Never>?
    func set(_ c: CheckedContinuation<Bool, Never>) { lock.lock(); continuation = c; lock.unlock() }
    func give(_ value: Bool) {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(returning: value)
    }
}

/// Set once, read from anywhere.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false
    func set() { lock.lock(); isSet = true; lock.unlock() }
    var value: Bool { lock.lock(); defer { lock.unlock() }; return isSet }
}
