import Foundation

// The operator's lifecycle actions of SPEC §14 (and the group listing they start from),
// in the same table as the rest, so `appsnap ecs` and `appsnap serve` both speak them.
extension ECSActions {
    static let lifecycle: [String: Handler] = [
        "DescribeSnapshotGroups": { p, cloud in
            let (region, instance, ids, query) = try validated(p) { p -> (String, String?, [String]?, SnapshotGroupQuery) in
                let ids = try p.anyList(flat: "SnapshotGroupId", json: "SnapshotGroupIds")
                if let ids, ids.count > 10 { throw ECSError.invalidParameter("SnapshotGroupId", "at most 10 IDs a call; \(ids.count) were given") }
                let statuses = try p.list("Status")
                if let bad = statuses.first(where: { !SnapshotGroupQuery.statuses.contains($0) }) {
                    throw ECSError.invalidParameter("Status", "\"\(bad)\" is not one of \(SnapshotGroupQuery.statuses.joined(separator: ", "))")
                }
                let query = SnapshotGroupQuery(name: p.string("Name"), statuses: statuses, tags: try p.tags(),
                                               maxResults: try p.int("MaxResults", in: 1...100) ?? 10, nextToken: p.string("NextToken"))
                return (try p.required("RegionId"), p.string("InstanceId"), ids, query)
            }
            let all = try await cloud.describeSnapshotGroups(regionId: region, instanceId: instance, snapshotGroupIds: ids)
            let page = try query.page(all)
            return ECSBody([("SnapshotGroups", ECSBody.wrapped("SnapshotGroup", page.groups)), ("NextToken", page.nextToken)])
        },
        "ModifySnapshotGroup": { p, cloud in
            let (region, id, name, description) = try validated(p) {
                (try $0.required("RegionId"), try $0.required("SnapshotGroupId"), $0.string("Name"), $0.string("Description"))
            }
            try await cloud.modifySnapshotGroup(regionId: region, snapshotGroupId: id, name: name, description: description)
            return ECSBody([])
        },
        "ResetDisks": { p, cloud in
            let (region, disks, dry) = try validated(p) { p -> (String, [DiskReset], Bool) in
                let pairs = try nonEmpty(p.structs("Disk", "DiskId", "SnapshotId"), "Disk.1.DiskId")
                guard pairs.count <= 10 else { throw ECSError.invalidParameter("Disk", "at most 10 disks a call; \(pairs.count) were given") }
                let disks = try pairs.enumerated().map { n, pair -> DiskReset in
                    guard let snapshot = pair.1, !snapshot.isEmpty else { throw ECSError.missingParameter("Disk.\(n + 1).SnapshotId") }
                    return DiskReset(diskId: pair.0, snapshotId: snapshot)
                }
                return (try p.required("RegionId"), disks, try p.bool("DryRun") ?? false)
            }
            let progress = try await cloud.resetDisks(regionId: region, disks: disks, dryRun: dry)
            return ECSBody([("OperationProgressSet", ECSBody.wrapped("OperationProgress", progress))])
        },
        "ResetDisk": { p, cloud in
            let (disk, dry) = try validated(p) {
                (DiskReset(diskId: try $0.required("DiskId"), snapshotId: try $0.required("SnapshotId")), try $0.bool("DryRun") ?? false)
            }
            let progress = try await cloud.resetDisks(regionId: nil, disks: [disk], dryRun: dry)
            // One disk: its failure is the call's.
            if let failed = progress.first(where: { $0.OperationStatus != "Success" }) {
                throw ECSError(failed.ErrorCode ?? "InternalError", failed.ErrorMsg ?? "The disk could not be reset.", httpStatus: 500)
            }
            return ECSBody([])
        },
        "StopInstance": { p, cloud in
            let (id, force, dry) = try validated(p) { p -> (String, Bool, Bool) in
                // Accepted as ECS takes them; an emulated instance has no charging or hibernation to choose.
                if let mode = p.string("StoppedMode"), !["KeepCharging", "StopCharging"].contains(mode) {
                    throw ECSError.invalidParameter("StoppedMode", "\"\(mode)\" is not KeepCharging or StopCharging")
                }
                _ = try p.bool("ConfirmStop")
                return (try p.required("InstanceId"), try p.bool("ForceStop") ?? false, try p.bool("DryRun") ?? false)
            }
            try await cloud.stopInstance(instanceId: id, forceStop: force, dryRun: dry)
            return ECSBody([])
        },
        "StartInstance": { p, cloud in
            let (id, dry) = try validated(p) { (try $0.required("InstanceId"), try $0.bool("DryRun") ?? false) }
            try await cloud.startInstance(instanceId: id, dryRun: dry)
            return ECSBody([])
        },
    ]
}
