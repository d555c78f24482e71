import Foundation

/// The ECS actions of SPEC §10, from flat parameters to a typed `CloudAPI` call and back
/// to an ECS-shaped body. The command line (`appsnap ecs`) and the HTTP endpoint both
/// enter here, so one table says what each action takes.
public enum ECSActions {
    typealias Handler = @Sendable (ECSParams, any CloudAPI) async throws -> ECSBody

    /// Every action appsnap speaks, sorted, for help texts and errors.
    public static var names: [String] { table.keys.sorted() }

    /// Runs one call. Throws `ECSError` for an unknown action, a bad parameter, or
    /// whatever the backend refuses. `RequestId` is added to every answer.
    public static func call(_ action: String, _ raw: [String: String], defaults: [String: String] = [:],
                            on cloud: any CloudAPI) async throws -> ECSBody {
        guard let handler = table[action] else {
            throw ECSError("InvalidAction.NotFound",
                           "Specified api \"\(action)\" is not found. Known actions: \(names.joined(separator: ", ")).",
                           httpStatus: 404)
        }
        let params = ECSParams(raw, defaults: defaults)
        var body: ECSBody
        do {
            body = try await handler(params, cloud)
        } catch {
            // A backend failure (SQLite, I/O) still answers in ECS's shape.
            throw ECSError.from(error)
        }
        body.fields.append(("RequestId", ECSError.newRequestId()))
        return body
    }

    /// Reads everything first, refuses unknown keys, and only then touches the cloud:
    /// a bad request changes nothing.
    static func validated<T>(_ p: ECSParams, _ read: (ECSParams) throws -> T) throws -> T {
        let v = try read(p)
        try p.rejectUnused()
        return v
    }

    private static let table: [String: Handler] = core.merging(lifecycle) { first, _ in first }

    private static let core: [String: Handler] = [
        "DescribeRegions": { p, cloud in
            _ = try validated(p) { $0.string("AcceptLanguage") }
            return ECSBody([("Regions", ECSBody.wrapped("Region", try await cloud.describeRegions()))])
        },
        "DescribeInstances": { p, cloud in
            let (region, ids, page) = try validated(p) {
                (try $0.required("RegionId"), try $0.anyList(flat: "InstanceId", json: "InstanceIds"), try paging($0))
            }
            let all = try await cloud.describeInstances(regionId: region, instanceIds: ids)
            return paged("Instances", "Instance", all, page)
        },
        "DescribeDisks": { p, cloud in
            let (region, instance, ids, page) = try validated(p) {
                (try $0.required("RegionId"), $0.string("InstanceId"), try $0.anyList(flat: "DiskId", json: "DiskIds"), try paging($0))
            }
            let all = try await cloud.describeDisks(regionId: region, instanceId: instance, diskIds: ids)
            return paged("Disks", "Disk", all, page)
        },
        "DescribeCloudAssistantStatus": { p, cloud in
            let (region, ids) = try validated(p) { (try $0.required("RegionId"), try $0.list("InstanceId")) }
            let s = try await cloud.describeCloudAssistantStatus(regionId: region, instanceIds: ids)
            return ECSBody([("InstanceCloudAssistantStatusSet", ECSBody.wrapped("InstanceCloudAssistantStatus", s)),
                            ("TotalCount", s.count)])
        },
        "InstallCloudAssistant": { p, cloud in
            let (region, ids) = try validated(p) { (try $0.required("RegionId"), try nonEmpty($0.list("InstanceId"), "InstanceId.1")) }
            try await cloud.installCloudAssistant(regionId: region, instanceIds: ids)
            return ECSBody([])
        },
        "DescribeInstanceRamRole": { p, cloud in
            let (region, ids) = try validated(p) {
                (try $0.required("RegionId"), try $0.anyList(flat: "InstanceId", json: "InstanceIds") ?? [])
            }
            let roles = try await cloud.describeInstanceRamRole(regionId: region, instanceIds: ids)
            return ECSBody([("InstanceRamRoleSets", ECSBody.wrapped("InstanceRamRoleSet", roles)),
                            ("RegionId", region), ("TotalCount", roles.count)])
        },
        "RunCommand": { p, cloud in
            let req = try validated(p) { p -> RunCommandRequest in
                let region = try p.required("RegionId")
                let type = try p.required("Type")
                var content = try p.required("CommandContent")
                if let enc = p.string("ContentEncoding"), enc.caseInsensitiveCompare("Base64") == .orderedSame {
                    guard let d = Data(base64Encoded: content), let s = String(data: d, encoding: .utf8) else {
                        throw ECSError.invalidParameter("CommandContent", "not valid Base64 of UTF-8 text")
                    }
                    content = s
                }
                let ids = try nonEmpty(p.anyList(flat: "InstanceId", json: "InstanceIds") ?? [], "InstanceId.1")
                let timeout = try p.int("Timeout", in: 10...86400) ?? 60
                return RunCommandRequest(regionId: region, type: type, commandContent: content, instanceIds: ids,
                                         timeout: timeout, name: p.string("Name") ?? "")
            }
            let id = try await cloud.runCommand(req)
            return ECSBody([("InvokeId", id), ("CommandId", "c-" + id.dropFirst(2))])
        },
        "DescribeInvocations": { p, cloud in
            let (region, invoke, instance) = try validated(p) {
                (try $0.required("RegionId"), $0.string("InvokeId"), $0.string("InstanceId"))
            }
            let inv = try await cloud.describeInvocations(regionId: region, invokeId: invoke, instanceId: instance)
            return ECSBody([("Invocations", ECSBody.wrapped("Invocation", inv)), ("TotalCount", inv.count)])
        },
        "DescribeInvocationResults": { p, cloud in
            let (region, invoke, instance, enc) = try validated(p) { p in
                (try p.required("RegionId"), p.string("InvokeId"), p.string("InstanceId"), try encoding(p.string("ContentEncoding")))
            }
            let r = try await cloud.describeInvocationResults(regionId: region, invokeId: invoke, instanceId: instance, contentEncoding: enc)
            return ECSBody([("Invocation", ECSBody([("InvocationResults", ECSBody.wrapped("InvocationResult", r)),
                                                     ("TotalCount", r.count)]))])
        },
        "SendFile": { p, cloud in
            let req = try validated(p) { p -> SendFileRequest in
                let region = try p.required("RegionId")
                let ids = try nonEmpty(p.anyList(flat: "InstanceId", json: "InstanceIds") ?? [], "InstanceId.1")
                let name = try p.required("Name")
                let dir = try p.required("TargetDir")
                let raw = p.string("Content") ?? ""
                let data: Data
                switch (p.string("ContentType") ?? "PlainText").lowercased() {
                case "plaintext": data = Data(raw.utf8)
                case "base64":
                    guard let d = Data(base64Encoded: raw) else { throw ECSError.invalidParameter("Content", "not valid Base64") }
                    data = d
                case let other: throw ECSError.invalidParameter("ContentType", "\"\(other)\" is not PlainText or Base64")
                }
                let mode = p.string("FileMode") ?? "0644"
                guard mode.count <= 4, mode.allSatisfy({ ("0"..."7").contains($0) }) else {
                    throw ECSError.invalidParameter("FileMode", "\"\(mode)\" is not an octal mode such as 0700")
                }
                return SendFileRequest(regionId: region, instanceIds: ids, name: name, targetDir: dir, content: data,
                                       fileMode: mode, fileOwner: p.string("FileOwner") ?? "root",
                                       fileGroup: p.string("FileGroup") ?? "root", overwrite: try p.bool("Overwrite") ?? false)
            }
            let id = try await cloud.sendFile(req)
            return ECSBody([("InvokeId", id)])
        },
        "CreateSnapshotGroup": { p, cloud in
            let req = try validated(p) { p in
                CreateSnapshotGroupRequest(
                    regionId: try p.required("RegionId"), instanceId: try p.required("InstanceId"),
                    excludeDiskIds: try p.list("ExcludeDiskId"), diskIds: try p.anyList(flat: "DiskId", json: "DiskIds"),
                    name: p.string("Name") ?? "", description: p.string("Description") ?? "",
                    tags: try p.tags(), dryRun: try p.bool("DryRun") ?? false, clientToken: try clientToken(p))
            }
            return ECSBody([("SnapshotGroupId", try await cloud.createSnapshotGroup(req))])
        },
        "DeleteSnapshotGroup": { p, cloud in
            let (region, id) = try validated(p) { (try $0.required("RegionId"), try $0.required("SnapshotGroupId")) }
            // ECS answers which snapshots went with the group (SPEC §14).
            let snapshots = try await cloud.describeSnapshotGroups(regionId: region, instanceId: nil, snapshotGroupIds: [id])
                .first?.Snapshots.Snapshot ?? []
            try await cloud.deleteSnapshotGroup(regionId: region, snapshotGroupId: id)
            let progress = snapshots.map { OperationProgress(success: true, items: [RelatedItem("SnapshotId", $0.SnapshotId)]) }
            return ECSBody([("OperationProgressSet", ECSBody.wrapped("OperationProgress", progress))])
        },
        "DescribeSnapshots": { p, cloud in
            let (region, ids, disk, instance, page) = try validated(p) {
                (try $0.required("RegionId"), try $0.anyList(flat: "SnapshotId", json: "SnapshotIds"),
                 $0.string("DiskId"), $0.string("InstanceId"), try paging($0))
            }
            let all = try await cloud.describeSnapshots(regionId: region, snapshotIds: ids, diskId: disk, instanceId: instance)
            return paged("Snapshots", "Snapshot", all, page)
        },
        "DeleteSnapshot": { p, cloud in
            // Force (delete even if disks were made from it) is accepted; the embedded cloud
            // keeps disks independent of their snapshot, so it changes nothing there.
            let (region, id, _) = try validated(p) { ($0.string("RegionId") ?? "", try $0.required("SnapshotId"), try $0.bool("Force")) }
            try await cloud.deleteSnapshot(regionId: region, snapshotId: id)
            return ECSBody([])
        },
        "TagResources": { p, cloud in
            let (region, type, ids, tags, dry) = try validated(p) {
                (try $0.required("RegionId"), try $0.required("ResourceType"),
                 try nonEmpty($0.list("ResourceId"), "ResourceId.1"), try nonEmpty($0.tags(), "Tag.1.Key"),
                 try $0.bool("DryRun") ?? false)
            }
            try await cloud.tagResources(regionId: region, resourceType: type, resourceIds: ids, tags: tags, dryRun: dry)
            return ECSBody([])
        },
        "CreateDisk": { p, cloud in
            let req = try validated(p) { p in
                CreateDiskRequest(regionId: try p.required("RegionId"), zoneId: p.string("ZoneId"),
                                  snapshotId: p.string("SnapshotId"), size: try p.int("Size", in: 1...32768),
                                  category: p.string("DiskCategory") ?? "cloud_essd", diskName: p.string("DiskName") ?? "")
            }
            if req.snapshotId == nil && req.size == nil { throw ECSError.missingParameter("Size") }
            return ECSBody([("DiskId", try await cloud.createDisk(req))])
        },
        "AttachDisk": { p, cloud in
            let (instance, disk) = try validated(p) { (try $0.required("InstanceId"), try $0.required("DiskId")) }
            try await cloud.attachDisk(instanceId: instance, diskId: disk)
            return ECSBody([])
        },
        "DetachDisk": { p, cloud in
            let (instance, disk) = try validated(p) { (try $0.required("InstanceId"), try $0.required("DiskId")) }
            try await cloud.detachDisk(instanceId: instance, diskId: disk)
            return ECSBody([])
        },
    ]

    /// ECS takes up to 64 ASCII characters.
    static func clientToken(_ p: ECSParams) throws -> String? {
        guard let t = p.string("ClientToken") else { return nil }
        guard (1...64).contains(t.utf8.count), t.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ECSError.invalidParameter("ClientToken", "1 to 64 ASCII characters without spaces")
        }
        return t
    }

    static func nonEmpty<T>(_ list: [T], _ key: String) throws -> [T] {
        if list.isEmpty { throw ECSError.missingParameter(key) }
        return list
    }

    private static func encoding(_ raw: String?) throws -> ContentEncoding {
        guard let raw else { return .base64 }
        guard let e = ContentEncoding.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(raw) == .orderedSame }) else {
            throw ECSError.invalidParameter("ContentEncoding", "\"\(raw)\" is not Base64 or PlainText")
        }
        return e
    }

    struct Page { var number: Int; var size: Int }

    private static func paging(_ p: ECSParams) throws -> Page {
        Page(number: try p.int("PageNumber", in: 1...Int(Int32.max)) ?? 1, size: try p.int("PageSize", in: 1...100) ?? 10)
    }

    /// The Describe* page shape: the list, then TotalCount, PageNumber and PageSize.
    private static func paged<T: Encodable>(_ outer: String, _ inner: String, _ all: [T], _ page: Page) -> ECSBody {
        let start = min(all.count, (page.number - 1) * page.size)
        let slice = Array(all[start..<min(all.count, start + page.size)])
        return ECSBody([(outer, ECSBody.wrapped(inner, slice)), ("TotalCount", all.count),
                        ("PageNumber", page.number), ("PageSize", page.size)])
    }
}
