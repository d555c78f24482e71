import Foundation
import Glibc
import Testing

extension HostInstanceTests {
    /// Real databases on host disks, under a writer, snapshotted through the seed's Linux
    /// line with the scripts of examples/ in the real /tmp, then restored to a new disk
    /// where a second server must start and hold exactly a prefix of the committed rows:
    /// all that the writer had committed before the freeze began, none that it committed
    /// after postscript. Nested here so it is serialized with the other host tests
    /// (/tmp/prescript.sh is one file for the whole machine). Root only.
    @Suite struct DatabaseConsistencyTests {
        @Test func postgreSQLRestoredFromAnAppConsistentSnapshotStartsAndHoldsEveryRowCommittedBeforeTheFreeze() throws {
            let test = "PostgreSQL consistency"
            let bin: String
            switch PostgresServer.tools() {
            case .success(let b): bin = b
            case .failure(let why): print("skipped \(test): \(why)"); return
            }
            guard let env = OwnConfigFile("/etc/appsnap/postgresql.env") else {
                print("skipped \(test): /etc/appsnap/postgresql.env exists on this machine and is not ours"); return
            }
            guard let host = try HostFixture.make(test), let scripts = HostScripts(test) else { return }
            var undo: [() -> Void] = [host.destroy, scripts.remove, env.remove]
            defer { for u in undo.reversed() { u() } }
            let work = try WorkDirectory()
            undo.append(work.remove)

            let disk = try host.addDisk()
            try PostgresServer.initdb(bin: bin, dataDirectory: disk.mountPoint + "/pgdata")
            let original = try PostgresServer(bin: bin, dataDirectory: disk.mountPoint + "/pgdata", socketDirectory: work.path + "/pg-original",
                                              log: work.path + "/pg-original.log", name: "original PostgreSQL")
            undo.append(original.stop)
            try original.query("CREATE DATABASE appsnaptest", database: "postgres")
            try original.query("""
                CREATE EXTENSION amcheck;
                CREATE TABLE t (id integer PRIMARY KEY, payload text NOT NULL);
                CREATE TABLE counter (n integer NOT NULL);
                INSERT INTO counter VALUES (0);
                """)
            let writer = try RowWriter(directory: work.path, client: original.client + ["-d", "appsnaptest", "-c"], transaction:
                "BEGIN; INSERT INTO t VALUES ($i, repeat('row $i ', 40)); UPDATE counter SET n = n + 1; COMMIT;")
            undo.append { writer.stop() }

            // No PGUSER: the scripts speak as the postgres user through runuser, as they
            // would on a stock server.
            try env.write("PGHOST=\(original.socketDirectory)\nPGPORT=\(original.port)\n")
            try placeExampleScripts(scripts, "postgresql")
            try writer.waitFor(30)
            let run = try snapshotUnderLoad(host, disk: disk.id, writer: writer, name: "PostgresConsistency")
            #expect(run.exitCode == 0, "\(run.output)")
            #expect(run.tags["APPConsistent"] == "True", "\(run.tags)\n\(run.output)")
            #expect(inOrder(run.output, ["prescript.sh: PostgreSQL: checkpoint done, WAL at ", "Prepare to Thaw FileSystem or Applications",
                                         "postscript.sh: PostgreSQL: snapshot taken; WAL now at "]), "\(run.output)")
            #expect(writer.stop() == 0, "writer: \(writer.errorText)")

            let restoredDisk = try restore(host, run.snapshotId)
            let restoredData = restoredDisk.mountPoint + "/pgdata"
            // The snapshot was taken of a running server: its postmaster.pid names the
            // original postmaster, alive on this same machine, which PostgreSQL would take
            // for another server in this directory. On any other machine it is just stale.
            unlink(restoredData + "/postmaster.pid")
            let restored = try PostgresServer(bin: bin, dataDirectory: restoredData, socketDirectory: work.path + "/pg-restored",
                                              log: work.path + "/pg-restored.log", name: "restored PostgreSQL")
            undo.append(restored.stop)
            let log = restored.server.logText
            #expect(log.contains("database system is ready to accept connections"), "\(log)")
            // FATAL lines of our own readiness probes ("starting up", "not yet accepting
            // connections") are expected; any other one is not.
            let fatal = log.split(separator: "\n").filter {
                ($0.contains("FATAL:") && !$0.contains("starting up") && !$0.contains("not yet accepting connections")) || $0.contains("PANIC:")
            }
            #expect(fatal.isEmpty, "\(log)")

            let rows = try restored.query("SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0), count(DISTINCT id) FROM t")
                .split(separator: "|").compactMap { Int($0) }
            let counter = Int(try restored.query("SELECT n FROM counter"))
            try #require(rows.count == 4)
            let (count, low, high, distinct) = (rows[0], rows[1], rows[2], rows[3])
            #expect(low == 1 && high == count && distinct == count, "rows are not ids 1…\(count): min \(low) max \(high) distinct \(distinct)")
            #expect(counter == count, "counter \(counter ?? -1) disagrees with \(count) rows: a transaction is half there")
            #expect(count >= run.committedBeforeFreeze, "\(count) rows, but \(run.committedBeforeFreeze) were committed before the freeze began")
            #expect(count <= run.committedAfterPostscript, "\(count) rows, but only \(run.committedAfterPostscript) were committed when postscript had run")
            #expect((try? restored.query("SELECT bt_index_check('t_pkey', true)")) != nil, "amcheck found the primary key index corrupt")
            #expect(try restored.query("SELECT count(*) FROM verify_heapam('t')") == "0", "amcheck found heap corruption")
            print("""
                PostgreSQL restored: \(count) rows, counter \(counter ?? -1); writer had committed \(run.committedBeforePrescript) \
                before prescript, \(run.committedBeforeFreeze) before the freeze, \
                \(run.committedBetweenScripts.map { "\($0.first)…\($0.last)" } ?? "?") between the scripts, \
                \(run.committedAfterPostscript) after postscript; \
                freeze-ms \(run.tags["appsnap:freeze-ms"] ?? "?")
                restored server log:
                \(log.split(separator: "\n").filter { $0.contains("LOG:") }.joined(separator: "\n"))
                """)
        }

        @Test func mariaDBRestoredFromASnapshotTakenUnderTheReadLockNeedsNoRepairAndHoldsEveryRowCommittedBeforeIt() throws {
            let test = "MariaDB consistency"
            let tools: (server: String, install: String, client: String)
            switch MariaDBServer.tools() {
            case .success(let t): tools = t
            case .failure(let why): print("skipped \(test): \(why)"); return
            }
            guard let cnf = OwnConfigFile("/etc/appsnap/mariadb.cnf") else {
                print("skipped \(test): /etc/appsnap/mariadb.cnf exists on this machine and is not ours"); return
            }
            guard !FileManager.default.fileExists(atPath: "/run/appsnap-mariadb") else {
                print("skipped \(test): /run/appsnap-mariadb exists: another read-lock holder of examples/mariadb may be running"); return
            }
            guard let host = try HostFixture.make(test), let scripts = HostScripts(test) else { return }
            var undo: [() -> Void] = [host.destroy, scripts.remove, cnf.remove, releaseLockHolder]
            defer { for u in undo.reversed() { u() } }
            let work = try WorkDirectory()
            undo.append(work.remove)

            let disk = try host.addDisk()
            try MariaDBServer.installDB(tools.install, dataDirectory: disk.mountPoint + "/mysql")
            let original = try MariaDBServer(tools: tools, dataDirectory: disk.mountPoint + "/mysql", runDirectory: work.path + "/mariadb-original",
                                             log: work.path + "/mariadb-original.log", name: "original MariaDB")
            undo.append(original.stop)
            try original.query("CREATE DATABASE appsnaptest", database: nil)
            try original.query("""
                CREATE TABLE t (id INT PRIMARY KEY, payload VARCHAR(400) NOT NULL) ENGINE=InnoDB;
                CREATE TABLE counter (n INT NOT NULL) ENGINE=InnoDB;
                INSERT INTO counter VALUES (0);
                CREATE TABLE m (id INT PRIMARY KEY) ENGINE=MyISAM;
                """)
            // The MyISAM row follows the InnoDB transaction: only the read lock keeps a
            // MyISAM table closed and consistent in a snapshot of a running server.
            let writer = try RowWriter(directory: work.path, client: original.client + ["appsnaptest", "-e"], transaction:
                "START TRANSACTION; INSERT INTO t VALUES ($i, REPEAT('row $i ', 40)); UPDATE counter SET n = n + 1; COMMIT; INSERT INTO m VALUES ($i);")
            undo.append { writer.stop() }

            try cnf.write("[client]\nsocket=\(original.socket)\nuser=root\n")
            try placeExampleScripts(scripts, "mariadb")
            try writer.waitFor(30)
            let run = try snapshotUnderLoad(host, disk: disk.id, writer: writer, name: "MariaDBConsistency")
            #expect(run.exitCode == 0, "\(run.output)")
            #expect(run.tags["APPConsistent"] == "True", "\(run.tags)\n\(run.output)")
            #expect(inOrder(run.output, ["prescript.sh: MariaDB: tables flushed and read-locked", "Prepare to Thaw FileSystem or Applications",
                                         "postscript.sh: MariaDB: tables unlocked"]), "\(run.output)")
            #expect(!FileManager.default.fileExists(atPath: "/run/appsnap-mariadb"), "postscript left its state behind")
            #expect(writer.stop() == 0, "writer: \(writer.errorText)")

            let restoredDisk = try restore(host, run.snapshotId)
            let restored = try MariaDBServer(tools: tools, dataDirectory: restoredDisk.mountPoint + "/mysql", runDirectory: work.path + "/mariadb-restored",
                                             log: work.path + "/mariadb-restored.log", name: "restored MariaDB")
            undo.append(restored.stop)
            // CHECK TABLE first, before anything else opens (and might auto-repair) a table.
            let checks = try restored.query("CHECK TABLE t, counter, m").split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            #expect(checks.count == 3 && checks.allSatisfy { $0.count == 4 && $0[2] == "status" && $0[3] == "OK" }, "CHECK TABLE: \(checks)")

            let rows = try restored.query("SELECT COUNT(*), COALESCE(MIN(id), 0), COALESCE(MAX(id), 0), COUNT(DISTINCT id) FROM t")
                .split(separator: "\t").compactMap { Int($0) }
            let counter = Int(try restored.query("SELECT n FROM counter"))
            let myisam = try restored.query("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM m").split(separator: "\t").compactMap { Int($0) }
            try #require(rows.count == 4 && myisam.count == 2)
            let (count, low, high, distinct) = (rows[0], rows[1], rows[2], rows[3])
            #expect(low == 1 && high == count && distinct == count, "rows are not ids 1…\(count): min \(low) max \(high) distinct \(distinct)")
            #expect(counter == count, "counter \(counter ?? -1) disagrees with \(count) rows: a transaction is half there")
            #expect(count >= run.committedBeforeFreeze, "\(count) rows, but \(run.committedBeforeFreeze) were committed before the freeze began")
            #expect(count <= run.committedAfterPostscript, "\(count) rows, but only \(run.committedAfterPostscript) were committed when postscript had run")
            // Between the scripts the lock is held: the writer may finish recording the one
            // transaction it had done when the lock came, and commit nothing more.
            if let held = run.committedBetweenScripts {
                #expect(held.last <= held.first + 1, "the writer committed \(held.first)…\(held.last) while the read lock was held")
                #expect(count <= held.first + 1, "\(count) rows, but \(held.first) were recorded once the lock was held")
            }
            // The lock may fall between a transaction's COMMIT and its MyISAM row.
            #expect(myisam[0] == myisam[1] && (count - 1...count).contains(myisam[0]), "MyISAM table m: \(myisam) against \(count) InnoDB rows")

            let log = restored.server.logText
            let errors = log.split(separator: "\n").filter { $0.contains("[ERROR]") || $0.contains("crashed") }
            #expect(errors.isEmpty, "restored server log:\n\(log)")
            print("""
                MariaDB restored: \(count) rows, counter \(counter ?? -1), MyISAM \(myisam[0]); writer had committed \
                \(run.committedBeforePrescript) before prescript, \(run.committedBeforeFreeze) before the freeze, \
                \(run.committedBetweenScripts.map { "\($0.first)…\($0.last)" } ?? "?") between the scripts, \
                \(run.committedAfterPostscript) after postscript; freeze-ms \(run.tags["appsnap:freeze-ms"] ?? "?")
                restored server InnoDB/Aria lines:
                \(log.split(separator: "\n").filter { $0.contains("InnoDB:") || $0.contains("Aria") || $0.contains("recover") }.joined(separator: "\n"))
                """)
        }
    }
}

/// What the writer had committed around one plugin run, and what the run made.
struct RunUnderLoad {
    var exitCode: Int?
    var output: String
    /// Last id recorded while the run had not yet started prescript.
    var committedBeforePrescript: Int
    /// Last id recorded before the run began to freeze: every one of them is in the snapshot.
    var committedBeforeFreeze: Int
    /// Sampled from prescript's end to postscript's start (the first sample taken after
    /// prescript had ended, the last one before postscript began); nil if no sample fell
    /// in that window.
    var committedBetweenScripts: (first: Int, last: Int)?
    /// Last id recorded once the run (postscript included) had finished: none beyond it
    /// can be in the snapshot.
    var committedAfterPostscript: Int
    var snapshotId: String
    var tags: [String: String]
    /// The wall clock just before the last phase read that found the freeze not yet begun:
    /// anything an application acknowledged before it is in the snapshot.
    var freezeNotBegunAt: Double = 0
}

/// The seed's Linux line on the host, every disk but `disk` excluded, while `writer` runs;
/// the committed ids are sampled against the run's phase file until the run ends.
func snapshotUnderLoad(_ host: HostFixture, disk: String, writer: RowWriter?, name: String, scripts: Bool = true) throws -> RunUnderLoad {
    let others = try host.app.disks(of: host.hostId).compactMap { $0["DiskId"] as? String }.filter { $0 != disk }
    // A phase file a previous run left (its PID) is read as no phase: this run has not begun.
    let stale = host.phase()?.1
    let invoke = try host.startPlugin(linuxCommand(name: name, scripts: scripts, exclude: others))
    let finished = Outcome()
    let app = host.app
    Thread.detachNewThread { finished.set(Result { try app.waitFor(invoke, timeout: 300) }) }
    var beforePrescript = 0, beforeFreeze = 0
    var between: (first: Int, last: Int)?
    var notBegun = 0.0
    let scriptsDone = ["after-prescript", "freezing", "frozen", "clone", "captured", "thawed"]
    while finished.value == nil {
        // An id read before a phase was read was recorded before that phase was left;
        // one read after it, recorded once that phase had been reached.
        let clock = Date().timeIntervalSince1970
        let before = writer?.lastCommitted ?? 0
        let read = host.phase()
        let phase = read.flatMap { $0.1 == stale ? nil : $0.0 }
        let after = writer?.lastCommitted ?? 0
        if phase == nil { beforePrescript = before }
        if phase == nil || phase == "prescript" || phase == "after-prescript" { beforeFreeze = before; notBegun = clock }
        if let phase, scriptsDone.contains(phase) { between = (between?.first ?? after, before) }
        usleep(2_000)
    }
    let after = writer?.lastCommitted ?? 0
    let result = try finished.value!.get()
    let output = result["Output"] as? String ?? ""
    guard let gid = groupId(in: output) else { throw E2EError("no snapshot group in the output:\n\(output)") }
    let group = try host.app.group(gid)
    let snaps = ((group["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]]) ?? []
    guard snaps.count == 1, snaps[0]["SourceDiskId"] as? String == disk, let sid = snaps[0]["SnapshotId"] as? String else {
        throw E2EError("the group should hold one snapshot, of \(disk): \(snaps)")
    }
    return RunUnderLoad(exitCode: result["ExitCode"] as? Int, output: output, committedBeforePrescript: beforePrescript,
                        committedBeforeFreeze: beforeFreeze, committedBetweenScripts: between, committedAfterPostscript: after, snapshotId: sid,
                        tags: try host.app.snapshotTags(group: gid)[sid] ?? [:], freezeNotBegunAt: notBegun)
}

/// Whether every one of `lines` occurs in `output`, each after the one before it.
func inOrder(_ output: String, _ lines: [String]) -> Bool {
    var rest = output[...]
    for line in lines {
        guard let r = rest.range(of: line) else { return false }
        rest = rest[r.upperBound...]
    }
    return true
}

/// A new disk from the snapshot, attached to the host at a mount point of its own.
func restore(_ host: HostFixture, _ snapshotId: String) throws -> (id: String, mountPoint: String) {
    let made = try host.app.check(["ecs", "CreateDisk", "--RegionId", "cn-hangzhou", "--SnapshotId", snapshotId, "--DiskName", "restored-db"])
    guard let id = made.json["DiskId"] as? String else { throw E2EError("CreateDisk printed \(made.stdout)") }
    return try host.attach(id)
}

/// examples/<database>/prescript.sh and postscript.sh, unchanged, as /tmp/prescript.sh and
/// /tmp/postscript.sh (root, 0700).
func placeExampleScripts(_ scripts: HostScripts, _ database: String) throws {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/\(database)")
    for (name, target) in [("prescript.sh", HostScripts.pre), ("postscript.sh", HostScripts.post)] {
        let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        try scripts.write(target, text, mode: 0o700)
    }
}

/// If a test ends before postscript could run, the example's lock holder is told to let
/// go (it would on its own after APPSNAP_HOLD_SECONDS); only called by the test that
/// found no /run/appsnap-mariadb before it started.
func releaseLockHolder() {
    let state = "/run/appsnap-mariadb"
    guard FileManager.default.fileExists(atPath: state) else { return }
    _ = FileManager.default.createFile(atPath: state + "/release", contents: nil)
    for _ in 0..<50 {
        let holder = (try? String(contentsOfFile: state + "/holder.pid", encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if holder.map({ kill($0, 0) != 0 }) ?? true { break }
        usleep(100_000)
    }
    try? FileManager.default.removeItem(atPath: state)
}

/// /var/tmp/appsnap-dbtest-XXXXXXXX: logs, sockets and the writer's ids, on the root file
/// system (never on a disk the run freezes); readable by the database users.
final class WorkDirectory {
    let path = "/var/tmp/appsnap-dbtest-\(UUID().uuidString.prefix(8))"
    init() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, 0o755)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The waitFor result, handed from its thread to the sampling loop.
final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<[String: Any], Error>?
    var value: Result<[String: Any], Error>? { lock.withLock { stored } }
    func set(_ r: Result<[String: Any], Error>) { lock.withLock { stored = r } }
}
