import GRDB

/// The whole schema, in one migrator. Migrations speak SQL names only (never record
/// types), so a shipped migration never changes when the Swift code does.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "region") { t in
                t.primaryKey("regionId", .text)
                t.column("localName", .text).notNull()
                t.column("endpoint", .text).notNull()
                t.column("defaultZoneId", .text).notNull()
            }
            try db.create(table: "ramRole") { t in
                t.primaryKey("roleName", .text)
                t.column("description", .text).notNull().defaults(to: "")
            }
            try db.create(table: "ramRoleAction") { t in
                t.column("roleName", .text).notNull().references("ramRole", onDelete: .cascade)
                t.column("action", .text).notNull()
                t.primaryKey(["roleName", "action"])
            }
            try db.create(table: "instance") { t in
                t.primaryKey("instanceId", .text)
                t.column("instanceName", .text).notNull()
                t.column("regionId", .text).notNull().indexed().references("region")
                t.column("zoneId", .text).notNull()
                t.column("status", .text).notNull()
                t.column("osType", .text).notNull()
                t.column("osName", .text).notNull()
                t.column("instanceType", .text).notNull()
                t.column("creationTime", .text).notNull()
                t.column("assistantInstalled", .boolean).notNull()
                t.column("assistantVersion", .text).notNull().defaults(to: "")
                t.column("ramRoleName", .text).references("ramRole", onDelete: .setNull)
            }
            try db.create(table: "vssWriter") { t in
                t.column("instanceId", .text).notNull().references("instance", onDelete: .cascade)
                t.column("writerName", .text).notNull()
                t.primaryKey(["instanceId", "writerName"])
            }
            try db.create(table: "disk") { t in
                t.primaryKey("diskId", .text)
                t.column("diskName", .text).notNull()
                t.column("regionId", .text).notNull().indexed().references("region")
                t.column("zoneId", .text).notNull()
                t.column("instanceId", .text).indexed().references("instance", onDelete: .setNull)
                t.column("category", .text).notNull()
                t.column("size", .integer).notNull().check { $0 > 0 }
                t.column("status", .text).notNull()
                t.column("type", .text).notNull()
                t.column("device", .text).notNull().defaults(to: "")
                t.column("multiAttach", .text).notNull().defaults(to: "Disabled")
                t.column("sourceSnapshotId", .text).notNull().defaults(to: "")
                t.column("creationTime", .text).notNull()
            }
            try db.create(table: "snapshotGroup") { t in
                t.primaryKey("snapshotGroupId", .text)
                t.column("regionId", .text).notNull().indexed().references("region")
                t.column("instanceId", .text).notNull().indexed()
                t.column("name", .text).notNull()
                t.column("description", .text).notNull()
                t.column("status", .text).notNull()
                t.column("creationTime", .text).notNull()
                // Who is bringing the group to `accomplished`: pid plus its start time
                // (/proc/PID/stat field 22), so a reused pid is not mistaken for the worker.
                t.column("workerPid", .integer)
                t.column("workerStartTicks", .integer)
            }
            try db.create(table: "snapshot") { t in
                t.primaryKey("snapshotId", .text)
                t.column("regionId", .text).notNull().indexed().references("region")
                t.column("snapshotName", .text).notNull()
                t.column("sourceDiskId", .text).notNull().indexed()
                t.column("sourceDiskSize", .integer).notNull()
                t.column("sourceDiskType", .text).notNull()
                t.column("instanceId", .text).notNull()
                t.column("status", .text).notNull()
                t.column("progress", .integer).notNull().check { $0 >= 0 && $0 <= 100 }
                t.column("snapshotType", .text).notNull()
                t.column("snapshotGroupId", .text).indexed().references("snapshotGroup", onDelete: .cascade)
                t.column("creationTime", .text).notNull()
                t.column("dataBytes", .integer)
                t.column("checksum", .text)
            }
            try db.create(table: "tag") { t in
                t.column("resourceType", .text).notNull()
                t.column("resourceId", .text).notNull()
                t.column("tagKey", .text).notNull()
                t.column("tagValue", .text).notNull()
                t.primaryKey(["resourceType", "resourceId", "tagKey"])
            }
            try db.create(table: "invocation") { t in
                t.primaryKey("invokeId", .text)
                t.column("regionId", .text).notNull().indexed().references("region")
                t.column("commandType", .text).notNull()
                t.column("commandContent", .text).notNull()
                t.column("name", .text).notNull()
                t.column("timeoutSeconds", .integer).notNull()
                t.column("creationTime", .text).notNull()
                t.column("runnerPid", .integer)
                t.column("runnerStartTicks", .integer)
            }
            try db.create(table: "invocationResult") { t in
                t.column("invokeId", .text).notNull().references("invocation", onDelete: .cascade)
                t.column("instanceId", .text).notNull().indexed()
                t.column("status", .text).notNull()
                t.column("recordStatus", .text).notNull()
                t.column("exitCode", .integer)
                t.column("output", .blob).notNull()
                t.column("dropped", .integer).notNull().defaults(to: 0)
                t.column("errorCode", .text).notNull().defaults(to: "")
                t.column("errorInfo", .text).notNull().defaults(to: "")
                t.column("startTime", .text).notNull().defaults(to: "")
                t.column("finishedTime", .text).notNull().defaults(to: "")
                t.primaryKey(["invokeId", "instanceId"])
            }
        }
        // The enrolled host (`appsnap cloud host enroll`): an instance whose root is `/`,
        // and how each of its disks is made into a mounted file system.
        migrator.registerMigration("v2-host") { db in
            try db.alter(table: "instance") { t in
                t.add(column: "isHost", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "hostDisk") { t in
                t.primaryKey("diskId", .text).references("disk", onDelete: .cascade)
                t.column("fsType", .text).notNull().defaults(to: "ext4")
                t.column("mountPoint", .text).notNull()
            }
        }
        // Access keys for `appsnap serve`: the secret sealed with a key kept in a 0600 file
        // beside the database (HMAC verification needs the secret itself, so a one-way hash
        // cannot serve), and each key's RAM policy.
        migrator.registerMigration("v3-access-keys") { db in
            try db.create(table: "accessKey") { t in
                t.primaryKey("accessKeyId", .text)
                t.column("sealedSecret", .blob).notNull()
                t.column("description", .text).notNull().defaults(to: "")
                t.column("creationTime", .text).notNull()
            }
            try db.create(table: "accessKeyAction") { t in
                t.column("accessKeyId", .text).notNull().references("accessKey", onDelete: .cascade)
                t.column("action", .text).notNull()
                t.primaryKey(["accessKeyId", "action"])
            }
        }
        // The plugin process that made a group: if it dies before tagging, whoever reads the
        // group marks its snapshots interrupted rather than let them look crash-consistent.
        migrator.registerMigration("v4-group-creator") { db in
            try db.alter(table: "snapshotGroup") { t in
                t.add(column: "creatorPid", .integer)
                t.add(column: "creatorStartTicks", .integer)
            }
        }
        // ClientToken idempotency: a CreateSnapshotGroup retried with the same token (a
        // client that lost the first answer) gets the first group, not a second one.
        migrator.registerMigration("v5-client-token") { db in
            try db.create(table: "clientToken") { t in
                t.primaryKey("clientToken", .text)
                t.column("action", .text).notNull()
                t.column("resourceId", .text).notNull()
                t.column("creationTime", .text).notNull()
            }
        }
        return migrator
    }
}
