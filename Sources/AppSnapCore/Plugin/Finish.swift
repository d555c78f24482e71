/// SPEC §4 steps 12 and 13: tag every snapshot, wait for the group, summarize.
struct Decision {
    var consistency: Consistency
    /// Tokens for `appsnap:consistency-reason`, empty when application-consistent.
    var reasons: [String]
    /// A failure that does not stop the run (9, 10, 12), highest priority first.
    var soft: [WorkflowFailure]

    var reason: String? { consistency == .application || reasons.isEmpty ? nil : reasons.joined(separator: ",") }
}

extension WorkflowSteps {
    func finish(_ c: Capture, _ d: Decision) async -> Outcome {
        guard let groupId = c.groupId else {
            return fail(WorkflowFailure(.unknown, "no group to finish"))
        }
        func outcome(_ code: ExitCode) -> Outcome {
            Outcome(exitCode: code, groupId: groupId, consistency: d.consistency, reason: d.reason,
                    freezeMs: c.freezeMs, snapshotIds: c.snapshotIds)
        }
        func failed(_ f: WorkflowFailure) -> Outcome {
            fail(f, groupId: groupId, consistency: d.consistency, reason: d.reason, freezeMs: c.freezeMs, snapshotIds: c.snapshotIds)
        }
        // A thaw failure outranks everything after it: I/O that cannot be resumed is the operator's first worry.
        let thawFailure = d.soft.first { $0.exitCode == .resumeFailed }

        var tags: [Tag] = []
        if let t = d.consistency.tag { tags.append(t) }
        tags.append(Tag(ConsistencyTag.freezeMsKey, String(Int(c.freezeMs.rounded()))))
        if let r = d.reason { tags.append(Tag(ConsistencyTag.reasonKey, r)) }
        log.info(d.consistency == .crash
                 ? "Tag snapshots as crash-consistent: no consistency tag (\(d.reason ?? ""))"
                 : "Tag snapshots with \(d.consistency.label)")
        let tagStart = clock.uptime()
        var tagFailure: WorkflowFailure?
        do {
            try await cloud.tagResources(regionId: regionId, resourceType: "snapshot", resourceIds: c.snapshotIds,
                                         tags: tags, dryRun: false)
            log.info("Tagged \(c.snapshotIds.joined(separator: ", ")) with "
                     + tags.map { "\($0.TagKey):\($0.TagValue)" }.joined(separator: ", "))
        } catch {
            let words = (error as? ECSError).map { "\($0.Code): \($0.Message)" } ?? "\(error)"
            tagFailure = WorkflowFailure(.taggingFailed, "TagResources on \(c.snapshotIds.joined(separator: ", ")) failed: \(words)")
        }
        let tagMs = (clock.uptime() - tagStart) * 1000
        log.info("Prepare Freeze=\(ms(c.prepareFreezeMs / 1000))ms, Thaw cost=\(ms(c.thawMs / 1000))ms, Snapshot Creation=\(ms(c.creationMs / 1000))ms, Tag Resources=\(ms(tagMs / 1000))ms")
        if let f = tagFailure { return failed(thawFailure ?? f) }

        if let f = await waitAccomplished(groupId) { return failed(thawFailure ?? f) }
        log.info("Take \(d.consistency.label) snapshots successfully")
        log.info("SnapshotGroup=\(groupId) Snapshots=\(c.snapshotIds.joined(separator: ",")) Consistency=\(d.consistency.label)"
                 + (d.reason.map { " Reason=\($0)" } ?? "") + " FreezeMs=\(Int(c.freezeMs.rounded()))")
        if let f = d.soft.first { return failed(f) }
        return outcome(.success)
    }

    /// Polls until the group is `accomplished`: `failed` → 5, a failed snapshot → 7, too long → 6.
    private func waitAccomplished(_ groupId: String) async -> WorkflowFailure? {
        let start = clock.uptime()
        var last = "progressing"
        while true {
            do {
                let groups = try await cloud.describeSnapshotGroups(regionId: regionId, instanceId: nil, snapshotGroupIds: [groupId])
                guard let g = groups.first(where: { $0.SnapshotGroupId == groupId }) else {
                    return WorkflowFailure(.groupInvalidState, "Group \(groupId) is no longer listed by DescribeSnapshotGroups")
                }
                if let bad = g.Snapshots.Snapshot.first(where: {
                    $0.Status != SnapshotStatus.progressing && $0.Status != SnapshotStatus.accomplished
                }) {
                    return WorkflowFailure(.snapshotUnexpectedState,
                        "Snapshot \(bad.SnapshotId) of disk \(bad.SourceDiskId) in group \(groupId) is \(bad.Status)")
                }
                switch g.Status {
                case SnapshotStatus.accomplished:
                    log.info("Group \(groupId) is accomplished after \(secs(clock.uptime() - start))s")
                    return nil
                case SnapshotStatus.progressing:
                    let done = g.Snapshots.Snapshot.map(\.Progress).joined(separator: ", ")
                    if done != last { log.debug("Group \(groupId) progressing: \(done)"); last = done }
                default:
                    return WorkflowFailure(.groupInvalidState, "Group \(groupId) is \(g.Status)")
                }
            } catch {
                log.warn("DescribeSnapshotGroups failed, trying again: \(error)")
            }
            if clock.uptime() - start + settings.pollIntervalSeconds > settings.groupWaitSeconds {
                return WorkflowFailure(.groupTimedOut,
                    "Group \(groupId) is still not accomplished after \(Int(settings.groupWaitSeconds))s")
            }
            await clock.sleep(seconds: settings.pollIntervalSeconds)
        }
    }
}
