import AppSnapCore
import Foundation
import GRDB
import LinuxHost

// Snapshot-consistent groups, snapshots and tags.
extension EmbeddedCloud {
    public func createSnapshotGroup(_ r: CreateSnapshotGroupRequest) async throws -> String {
        let (disks, earlier) = try await store.writer.read { db in
            (try self.planGroup(db, r), try r.clientToken.flatMap { try self.groupMade(db, clientToken: $0) })
        }
        if r.dryRun { throw ECSError.dryRunOperation }
        if let earlier { return earlier }

        let groupId = Self.newId("ssg", region: r.regionId)
        let now = timestamp()
        let snapshots = disks.map { d in
            SnapshotRecord(snapshotId: Self.newId("s", region: r.regionId), regionId: r.regionId, snapshotName: r.name,
                           sourceDiskId: d.diskId, sourceDiskSize: d.size, sourceDiskType: d.type,
                           instanceId: r.instanceId, status: SnapshotStatus.progressing, progress: 0,
                           snapshotType: "user", snapshotGroupId: groupId, creationTime: now)
        }
        // The point in time: every image is cloned before this call returns. Files first,
        // rows after, so no row ever names an image that is not complete.
        var made: [URL] = []
        // Images before rows: until the rows are in, the orphan sweep must keep off.
        let writing = try FileLock(path: layout.imageWriteLock.path, exclusive: false)
        defer { writing.unlock() }
        let runner: String? = { if case .instanceRole(let id) = caller { return id } else { return nil } }()
        if let runner { RunPhase.set("clone", runDirectory: layout.run.path, instanceId: runner) }
        do {
            let pairs = zip(disks, snapshots).map { (from: layout.diskImage($0.diskId), to: layout.snapshotImage($1.snapshotId)) }
            try PoolImages.copyAll(pairs)
            made = pairs.map(\.to)
            let label = ImageLabel.GroupLabel(snapshotGroupId: groupId, instanceId: r.instanceId, name: r.name,
                                              description: r.description, creationTime: now)
            for (snap, url) in zip(snapshots, made) { ImageLabel(snapshot: snap, group: label).write(to: url) }
        } catch {
            made.forEach { try? FileManager.default.removeItem(at: $0) }
            throw ECSError("InternalError", "The snapshot data could not be captured: \(error)", httpStatus: 500)
        }
        let me = ProcessIdentity.current()
        do {
            try await store.writer.write { db in
                // Checked again inside the write: another process may have taken the last slot.
                try self.checkQuota(db, disks)
                try SnapshotGroupRecord(snapshotGroupId: groupId, regionId: r.regionId, instanceId: r.instanceId,
                                        name: r.name, description: r.description, status: SnapshotStatus.progressing,
                                        creationTime: now, workerPid: Int(me.pid), workerStartTicks: me.startTicks,
                                        creatorPid: runner.map { _ in Int(me.pid) }, creatorStartTicks: runner.map { _ in me.startTicks }).insert(db)
                // Inside the same write: of two creates racing with one token, the second fails
                // on the key and answers the first one's group (below).
                if let token = r.clientToken {
                    try db.execute(sql: "INSERT INTO clientToken (clientToken, action, resourceId, creationTime) VALUES (?, 'CreateSnapshotGroup', ?, ?)",
                                   arguments: [token, groupId, now])
                }
                for s in snapshots { try s.insert(db) }
                for t in r.tags {
                    try TagRecord(resourceType: ResourceType.snapshotgroup.rawValue, resourceId: groupId,
                                  tagKey: t.TagKey, tagValue: t.TagValue).upsert(db)
                }
            }
        } catch {
            made.forEach { try? FileManager.default.removeItem(at: $0) }
            if let token = r.clientToken, let first = try? await store.writer.read({ db in try self.groupMade(db, clientToken: token) }) {
                return first
            }
            throw error
        }
        if let runner { RunPhase.set("captured", runDirectory: layout.run.path, instanceId: runner) }
        startGroupWorker(groupId)
        return groupId
    }

    /// The group an earlier CreateSnapshotGroup with this ClientToken made, if any.
    func groupMade(_ db: Database, clientToken: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT resourceId FROM clientToken WHERE clientToken = ? AND action = 'CreateSnapshotGroup'",
                            arguments: [clientToken])
    }

    /// Validation of CreateSnapshotGroup (authorization included): the disks of the group.
    private func planGroup(_ db: Database, _ r: CreateSnapshotGroupRequest) throws -> [DiskRecord] {
        try authorize(db, region: r.regionId, action: "CreateSnapshotGroup")
        let instance = try self.instance(db, r.instanceId, region: r.regionId)
        if r.name.isEmpty {
            throw ECSError.missingParameter("Name")
        }
        try Self.checkGroupText(name: r.name, description: r.description, descriptionMinimum: 0)
        try Self.validateTags(r.tags, allowEmpty: true)
        let attached = try DiskRecord.filter(DiskRecord.Columns.instanceId == instance.instanceId)
            .order(DiskRecord.Columns.device).fetchAll(db)
        for id in r.excludeDiskIds where !id.isEmpty {
            _ = try disk(db, id, region: r.regionId)
            guard attached.contains(where: { $0.diskId == id }) else {
                throw ECSError.invalidParameter("ExcludeDiskId", "disk \(id) is not attached to instance \(instance.instanceId)")
            }
        }
        var chosen: [DiskRecord]
        if let ids = r.diskIds, !ids.isEmpty {
            chosen = []
            for id in ids where !chosen.contains(where: { $0.diskId == id }) {
                let d = try disk(db, id, region: r.regionId)
                guard d.instanceId == instance.instanceId else {
                    throw ECSError.invalidParameter("DiskId", "disk \(id) is not attached to instance \(instance.instanceId)")
                }
                chosen.append(d)
            }
        } else {
            chosen = attached
        }
        chosen.removeAll { r.excludeDiskIds.contains($0.diskId) }
        guard !chosen.isEmpty else {
            throw ECSError("InvalidParameter.DiskCount", "No disk is left in the group: choose at least one disk of instance \(instance.instanceId).")
        }
        guard chosen.count <= CloudLimits.disksPerGroup else {
            throw ECSError("InvalidParameter.DiskCount", "A snapshot-consistent group holds at most \(CloudLimits.disksPerGroup) disks; \(chosen.count) were chosen.")
        }
        for d in chosen {
            guard d.category == "cloud_essd" else {
                throw ECSError("InvalidDiskCategory.NotSupported", "Disk \(d.diskId) is \(d.category): snapshot-consistent groups support only ESSD disks.")
            }
            guard d.multiAttach != "Enabled" else {
                throw ECSError("InvalidDisk.MultiAttachEnabled", "Disk \(d.diskId) has multi-attach enabled: it cannot be in a snapshot-consistent group.")
            }
        }
        try checkQuota(db, chosen)
        return chosen
    }

    /// The one group-name rule (TextRules), as ECS errors. The name is not echoed: it may be
    /// 20,000 combining marks long.
    static func checkGroupText(name: String?, description: String?, descriptionMinimum: Int) throws {
        if let name, let why = TextRules.groupNameProblem(name) {
            throw ECSError("InvalidName.Malformed", "The specified Name is not valid: \(why).")
        }
        if let description, let why = TextRules.groupDescriptionProblem(description, minimum: descriptionMinimum) {
            throw ECSError("InvalidDescription.Malformed", "The specified Description is not valid: \(why).")
        }
    }

    func checkQuota(_ db: Database, _ disks: [DiskRecord]) throws {
        for d in disks {
            let count = try SnapshotRecord.filter(SnapshotRecord.Columns.sourceDiskId == d.diskId
                                                  && SnapshotRecord.Columns.snapshotType == "user").fetchCount(db)
            guard count < CloudLimits.manualSnapshotsPerDisk else {
                throw ECSError("QuotaExceed.Snapshot", "Disk \(d.diskId) already has \(count) manual snapshots, the most a disk may have (\(CloudLimits.manualSnapshotsPerDisk)).")
            }
        }
    }

    /// Starts the detached worker that brings the group to `accomplished`; if it cannot be
    /// started, this process does the work itself. Called while a guest of this cloud is
    /// frozen (CreateSnapshotGroup inside the freeze window), the start waits for the
    /// thaw: a new process and its reads would only lengthen the window. Should this
    /// process die before, the group's worker PID (ours) is dead and `reconcile` starts one.
    func startGroupWorker(_ groupId: String) {
        thawGate.whenThawed { [self] in spawnGroupWorker(groupId) }
    }

    private func spawnGroupWorker(_ groupId: String) {
        let pid: Int32
        do {
            pid = try spawner.spawn([executablePath, "cloud", "_finish-group", "--state", layout.root.path, groupId])
        } catch {
            Task.detached { try? await self.finishGroup(groupId) }
            return
        }
        // Only a failed spawn does the work here; the worker records itself as well.
        let ticks = ProcessIdentity.startTicks(of: pid)
        try? store.writer.write { db in
            try db.execute(sql: """
                UPDATE snapshotGroup SET workerPid = ?, workerStartTicks = ?
                WHERE snapshotGroupId = ? AND status = 'progressing'
                """, arguments: [Int(pid), ticks, groupId])
        }
    }

    /// The group worker's body (`appsnap cloud _finish-group`): reads every snapshot's data
    /// extents, records their checksum with real progress, then marks the group and its
    /// snapshots `accomplished` in one transaction. A missing image marks them `failed`.
    public func finishGroup(_ id: String) async throws {
        let me = ProcessIdentity.current()
        let snapshots: [SnapshotRecord] = try await store.writer.write { db in
            guard let g = try SnapshotGroupRecord.fetchOne(db, key: id) else {
                throw ECSError.notFound("InvalidSnapshotGroupId.NotFound", "The specified snapshot group \"\(id)\" does not exist.")
            }
            guard g.status == SnapshotStatus.progressing else { return [] }
            try db.execute(sql: "UPDATE snapshotGroup SET workerPid = ?, workerStartTicks = ? WHERE snapshotGroupId = ?",
                           arguments: [Int(me.pid), me.startTicks, id])
            return try SnapshotRecord.filter(SnapshotRecord.Columns.snapshotGroupId == id).fetchAll(db)
        }
        guard !snapshots.isEmpty else {
            // A group with nothing left to read is done (or was already).
            try await store.writer.write { db in
                try db.execute(sql: "UPDATE snapshotGroup SET status = 'accomplished' WHERE snapshotGroupId = ? AND status = 'progressing'",
                               arguments: [id])
            }
            return
        }
        for s in snapshots where s.status == SnapshotStatus.progressing {
            do {
                guard try await digest(s) else { return }   // deleted while we read it
            } catch {
                try await store.writer.write { db in try CloudStore.failGroup(db, id) }
                throw error
            }
        }
        try await store.writer.write { db in try CloudStore.accomplishGroup(db, id) }
    }

    /// Reads one snapshot image's data extents into its checksum, updating Progress as it
    /// goes. False when the snapshot was deleted meanwhile.
    private func digest(_ s: SnapshotRecord) async throws -> Bool {
        let path = layout.snapshotImage(s.snapshotId).path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PoolError("cannot open snapshot image", path: path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw PoolError("cannot stat snapshot image", path: path) }
        let extents = try PoolImages.dataExtents(fd: fd, size: st.st_size, path: path)
        let total = extents.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) }
        var hash = FNV1a64(), done = 0, shown = 0
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        for extent in extents {
            var offset = extent.lowerBound
            hash.update(withUnsafeBytes(of: Int64(offset).littleEndian) { Array($0) })
            while offset < extent.upperBound {
                let want = min(buffer.count, Int(extent.upperBound - offset))
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, offset) }
                guard n > 0 else { throw PoolError("cannot read snapshot image", path: path) }
                buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                offset += off_t(n); done += n
                let percent = total == 0 ? 100 : min(99, done * 100 / total)
                if percent > shown {
                    shown = percent
                    let exists = try await store.writer.write { db -> Bool in
                        try db.execute(sql: "UPDATE snapshot SET progress = ? WHERE snapshotId = ?", arguments: [percent, s.snapshotId])
                        return db.changesCount > 0
                    }
                    if !exists { return false }
                }
            }
        }
        let checksum = hash.hex
        return try await store.writer.write { db -> Bool in
            try db.execute(sql: "UPDATE snapshot SET progress = 100, dataBytes = ?, checksum = ? WHERE snapshotId = ?",
                           arguments: [total, checksum, s.snapshotId])
            return db.changesCount > 0
        }
    }

    public func describeSnapshotGroups(regionId: String, instanceId: String?, snapshotGroupIds: [String]?) async throws -> [SnapshotGroup] {
        try? markInterruptedGroups()
        let groups = try await readSnapshotGroups(regionId: regionId, instanceId: instanceId, snapshotGroupIds: snapshotGroupIds)
        // Whoever waits on a group whose worker died takes it over (see takeOverOrphanedGroups).
        let progressing = groups.filter { $0.Status == SnapshotStatus.progressing }.map(\.SnapshotGroupId)
        if !progressing.isEmpty { try? takeOverOrphanedGroups(among: progressing) }
        return groups
    }

    private func readSnapshotGroups(regionId: String, instanceId: String?, snapshotGroupIds: [String]?) async throws -> [SnapshotGroup] {
        try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeSnapshotGroups")
            var request = SnapshotGroupRecord.filter(SnapshotGroupRecord.Columns.regionId == regionId)
            if let instanceId, !instanceId.isEmpty { request = request.filter(SnapshotGroupRecord.Columns.instanceId == instanceId) }
            if let ids = snapshotGroupIds, !ids.isEmpty { request = request.filter(ids.contains(SnapshotGroupRecord.Columns.snapshotGroupId)) }
            return try request.order(Column("creationTime").desc, SnapshotGroupRecord.Columns.snapshotGroupId)
                .fetchAll(db).map { try Self.model($0, db) }
        }
    }

    public func deleteSnapshotGroup(regionId: String, snapshotGroupId: String) async throws {
        let removed: [String] = try await store.writer.write { db in
            try self.authorize(db, region: regionId, action: "DeleteSnapshotGroup")
            let g = try self.group(db, snapshotGroupId, region: regionId)
            let ids = try String.fetchAll(db, sql: "SELECT snapshotId FROM snapshot WHERE snapshotGroupId = ?",
                                          arguments: [g.snapshotGroupId])
            try TagRecord.deleteAll(db, .snapshot, ids)
            try TagRecord.deleteAll(db, .snapshotgroup, [g.snapshotGroupId])
            try SnapshotRecord.filter(ids.contains(SnapshotRecord.Columns.snapshotId)).deleteAll(db)
            try g.delete(db)
            return ids
        }
        for id in removed { try? FileManager.default.removeItem(at: layout.snapshotImage(id)) }
    }

    public func describeSnapshots(regionId: String, snapshotIds: [String]?, diskId: String?, instanceId: String?) async throws -> [Snapshot] {
        try? markInterruptedGroups()
        return try await store.writer.read { db in
            try self.authorize(db, region: regionId, action: "DescribeSnapshots")
            var request = SnapshotRecord.filter(SnapshotRecord.Columns.regionId == regionId)
            if let ids = snapshotIds, !ids.isEmpty { request = request.filter(ids.contains(SnapshotRecord.Columns.snapshotId)) }
            if let diskId, !diskId.isEmpty { request = request.filter(SnapshotRecord.Columns.sourceDiskId == diskId) }
            if let instanceId, !instanceId.isEmpty { request = request.filter(SnapshotRecord.Columns.instanceId == instanceId) }
            let rows = try request.order(Column("creationTime").desc, SnapshotRecord.Columns.snapshotId).fetchAll(db)
            let tags = try TagRecord.tagSets(db, .snapshot, rows.map(\.snapshotId))
            return rows.map { Self.model($0, tags: tags[$0.snapshotId] ?? TagSet()) }
        }
    }

    public func deleteSnapshot(regionId: String, snapshotId: String) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: regionId, action: "DeleteSnapshot")
            let s = try self.snapshot(db, snapshotId, region: regionId)
            try TagRecord.deleteAll(db, .snapshot, [s.snapshotId])
            try s.delete(db)
        }
        try? FileManager.default.removeItem(at: layout.snapshotImage(snapshotId))
    }

    public func tagResources(regionId: String, resourceType: String, resourceIds: [String], tags: [Tag], dryRun: Bool) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: regionId, action: "TagResources")
            guard !resourceType.isEmpty else { throw ECSError.missingParameter("ResourceType") }
            guard let type = ResourceType(rawValue: resourceType.lowercased()) else {
                throw ECSError("InvalidResourceType.NotSupported", "The ResourceType \"\(resourceType)\" is not supported: use snapshot, disk, instance or snapshotgroup.")
            }
            guard !resourceIds.isEmpty else { throw ECSError.missingParameter("ResourceId.1") }
            guard resourceIds.count <= 50 else { throw ECSError.invalidParameter("ResourceId", "at most 50 resources a call") }
            guard !tags.isEmpty else { throw ECSError.missingParameter("Tag.1") }
            try Self.validateTags(tags, allowEmpty: false)
            for id in resourceIds {
                switch type {
                case .snapshot: _ = try self.snapshot(db, id, region: regionId)
                case .disk: _ = try self.disk(db, id, region: regionId)
                case .instance: _ = try self.instance(db, id, region: regionId)
                case .snapshotgroup: _ = try self.group(db, id, region: regionId)
                }
                let existing = Set(try TagRecord.tags(db, type, id).Tag.map { $0.TagKey })
                let merged = existing.union(tags.map { $0.TagKey })
                guard merged.count <= 20 else {
                    throw ECSError("InvalidTagCount", "Resource \(id) would have \(merged.count) tags; at most 20 are allowed.")
                }
            }
            if dryRun { throw ECSError.dryRunOperation }
            for id in resourceIds {
                for t in tags {
                    try TagRecord(resourceType: type.rawValue, resourceId: id, tagKey: t.TagKey, tagValue: t.TagValue).upsert(db)
                }
            }
        }
    }

    static func validateTags(_ tags: [Tag], allowEmpty: Bool) throws {
        guard tags.count <= 20 else { throw ECSError.invalidParameter("Tag", "at most 20 tags a call") }
        for t in tags {
            let key = t.TagKey.lowercased()
            guard !t.TagKey.isEmpty, TextRules.length(t.TagKey) <= 128, !key.hasPrefix("aliyun"), !key.hasPrefix("acs:"),
                  !key.hasPrefix("http://"), !key.hasPrefix("https://") else {
                throw ECSError("InvalidTagKey.Malformed", "The tag key \"\(String(t.TagKey.unicodeScalars.prefix(128)))\" is not valid: 1 to 128 characters (Unicode code points), not starting with aliyun, acs:, http:// or https://.")
            }
            guard TextRules.length(t.TagValue) <= 128, !t.TagValue.lowercased().hasPrefix("http://"), !t.TagValue.lowercased().hasPrefix("https://") else {
                throw ECSError("InvalidTagValue.Malformed", "The tag value of \"\(t.TagKey)\" is not valid: at most 128 characters (Unicode code points), not starting with http:// or https://.")
            }
        }
        let keys = tags.map { $0.TagKey }
        guard Set(keys).count == keys.count else { throw ECSError.invalidParameter("Tag", "a tag key is given twice") }
    }
}

extension EmbeddedCloud {
    public func modifySnapshotGroup(regionId: String, snapshotGroupId: String, name: String?, description: String?) async throws {
        try await store.writer.write { db in
            try self.authorize(db, region: regionId, action: "ModifySnapshotGroup")
            var g = try self.group(db, snapshotGroupId, region: regionId)
            try Self.checkGroupText(name: name, description: description, descriptionMinimum: 2)
            if let name { g.name = name }
            if let description { g.description = description }
            try g.update(db)
        }
    }
}
