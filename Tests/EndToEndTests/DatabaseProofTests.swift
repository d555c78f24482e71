import Foundation
import Glibc
import Testing

extension HostInstanceTests {
    /// The databases' proof at scale (issue 11, item 9): ten application-consistent groups
    /// of a PostgreSQL under pgbench and of a MariaDB under an insert loop, each taken with
    /// the scripts of examples/, each restored to a new disk where a second server starts
    /// and must need no crash recovery, pass its integrity checks and hold every transaction
    /// acknowledged before the freeze began (so every one acknowledged before prescript
    /// returned). Then the same with the scripts removed: FsConsistent with its reason. One
    /// original server per database serves all its groups. Root only; nested in
    /// HostInstanceTests so it is serialized with the other users of /tmp/prescript.sh.
    /// APPSNAP_DB_GROUPS sets the number of groups a mode (default 10).
    @Suite struct DatabaseProofTests {
        static let groups = max(1, Int(ProcessInfo.processInfo.environment["APPSNAP_DB_GROUPS"] ?? "") ?? 10)

        @Test func postgreSQLUnderPgbenchTenAppConsistentGroupsRestoreFromTheirCheckpointThenTenFileSystemConsistent() throws {
            let test = "PostgreSQL proof at scale"
            let bin: String
            switch PostgresServer.tools() {
            case .success(let b): bin = b
            case .failure(let why): print("skipped \(test): \(why)"); return
            }
            guard FileManager.default.isExecutableFile(atPath: bin + "/pgbench") else { print("skipped \(test): no pgbench in \(bin)"); return }
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
            try original.query("CREATE EXTENSION amcheck")
            let connect = ["-h", original.socketDirectory, "-p", String(original.port), "-U", "postgres"]
            let initialized = try runTool([bin + "/pgbench", "-i", "-s", "1", "-q"] + connect + ["appsnaptest"])
            try #require(initialized.status == 0, "pgbench -i: \(initialized.stderr)")
            try env.write("PGHOST=\(original.socketDirectory)\nPGPORT=\(original.port)\n")
            try placeExampleScripts(scripts, "postgresql")

            // Every pgbench transaction of the runs before this one was acknowledged before
            // this group's freeze: they count too.
            var acknowledgedEarlier = 0
            for appConsistent in [true, false] {
                if !appConsistent { scripts.remove() }
                for k in 1...Self.groups {
                    let label = "\(appConsistent ? "app" : "fs") \(k)/\(Self.groups)"
                    let bench = try Pgbench(bin: bin, connect: connect, logPrefix: work.path + "/pgbench-\(appConsistent ? "app" : "fs")-\(k)")
                    undo.append(bench.kill)
                    try bench.waitForFirstTransactions(original)
                    let run = try snapshotUnderLoad(host, disk: disk.id, writer: nil, name: "PgProof\(k)")
                    #expect(bench.wait() == 0, "pgbench (\(label)): \(bench.errors)")
                    let completions = bench.completions()
                    let acknowledged = acknowledgedEarlier + completions.filter { $0 < run.freezeNotBegunAt }.count
                    let total = acknowledgedEarlier + completions.count
                    acknowledgedEarlier = total
                    #expect(run.exitCode == 0, "\(label): \(run.output)")
                    if appConsistent {
                        #expect(run.tags["APPConsistent"] == "True", "\(label): \(run.tags)\n\(run.output)")
                        #expect(inOrder(run.output, ["prescript.sh: PostgreSQL: checkpoint done, WAL at ", "Prepare to Thaw FileSystem or Applications",
                                                     "postscript.sh: PostgreSQL: snapshot taken; WAL now at "]), "\(label): \(run.output)")
                    } else {
                        #expect(run.tags["FsConsistent"] == "True" && run.tags["APPConsistent"] == nil, "\(label): \(run.tags)")
                        #expect(run.tags["appsnap:consistency-reason"] == "script-missing", "\(label): \(run.tags)")
                    }

                    let restoredDisk = try restore(host, run.snapshotId)
                    let data = restoredDisk.mountPoint + "/pgdata"
                    // What the copy starts from, read before anything starts on it.
                    let control = try controlData(bin: bin, dataDirectory: data)
                    let checkpoint = lsn(control["Latest checkpoint location"]) ?? 0, redo = lsn(control["Latest checkpoint's REDO location"]) ?? 0
                    if appConsistent {
                        // prescript's CHECKPOINT is the one the copy starts from (or a later one).
                        let made = firstMatch(#"checkpoint done, WAL at [0-9A-F/]+ \(checkpoint ([0-9A-F]+/[0-9A-F]+), redo"#, in: run.output).flatMap(lsn)
                        #expect(made != nil && checkpoint >= made!, "\(label): the copy's checkpoint \(control["Latest checkpoint location"] ?? "?") is older than prescript's (\(run.output))")
                    }
                    // Same machine: the copy's postmaster.pid names the live original postmaster.
                    unlink(data + "/postmaster.pid")
                    let restored = try PostgresServer(bin: bin, dataDirectory: data, socketDirectory: work.path + "/pg-restored-\(k)",
                                                      log: work.path + "/pg-restored.log", name: "restored PostgreSQL (\(label))")
                    undo.append(restored.stop)
                    let log = restored.server.logText
                    let fatal = log.split(separator: "\n").filter {
                        ($0.contains("FATAL:") && !$0.contains("starting up") && !$0.contains("not yet accepting connections")) || $0.contains("PANIC:")
                    }
                    #expect(fatal.isEmpty, "\(label): \(log)")
                    // Replay begins at that checkpoint's REDO point, and nowhere earlier.
                    let redoStart = firstMatch(#"redo starts at ([0-9A-F]+/[0-9A-F]+)"#, in: log).flatMap(lsn)
                    #expect(redoStart == nil || redoStart! == redo, "\(label): redo started at \(redoStart.map { String($0, radix: 16) } ?? "-"), pg_controldata says REDO \(control["Latest checkpoint's REDO location"] ?? "?")")

                    let amcheck = try runTool([bin + "/pg_amcheck", "--heapallindexed", "--parent-check", "-h", restored.socketDirectory, "-p", String(restored.port),
                                               "-U", "postgres", "appsnaptest"])
                    #expect(amcheck.status == 0, "\(label): pg_amcheck: \(amcheck.stdout)\(amcheck.stderr)")
                    let sums = try restored.query("""
                        SELECT (SELECT count(*) FROM pgbench_history), (SELECT sum(abalance) FROM pgbench_accounts),
                               (SELECT sum(bbalance) FROM pgbench_branches), (SELECT sum(tbalance) FROM pgbench_tellers),
                               (SELECT coalesce(sum(delta), 0) FROM pgbench_history)
                        """).split(separator: "|").compactMap { Int($0) }
                    try #require(sums.count == 5, "\(label): \(sums)")
                    let history = sums[0]
                    // TPC-B: each transaction moves one delta into an account, its teller and
                    // its branch and writes one history row; a half transaction breaks a sum.
                    #expect(sums[1] == sums[4] && sums[2] == sums[4] && sums[3] == sums[4], "\(label): balances \(sums[1...3]) against history \(sums[4])")
                    #expect(history >= acknowledged, "\(label): \(history) transactions in the copy, but \(acknowledged) were acknowledged before the freeze began")
                    #expect(history <= total, "\(label): \(history) transactions in the copy, more than pgbench ever made (\(total))")
                    print("""
                        PostgreSQL \(label): \(history) transactions in the copy; \(acknowledged) acknowledged before the freeze, \(total) by pgbench's end; \
                        \(run.tags.filter { $0.key != "appsnap:freeze-ms" }.map { "\($0.key):\($0.value)" }.sorted().joined(separator: " ")) \
                        freeze-ms \(run.tags["appsnap:freeze-ms"] ?? "?"); copy's checkpoint \(control["Latest checkpoint location"] ?? "?") \
                        REDO \(control["Latest checkpoint's REDO location"] ?? "?"); \
                        \(log.split(separator: "\n").filter { $0.contains("redo ") || $0.contains("recovery") || $0.contains("shut down") }
                            .map { $0.components(separatedBy: "LOG:  ").last ?? String($0) }.joined(separator: "; "))
                        """)
                    restored.stop()
                    try host.detach(restoredDisk.id)
                }
            }
        }

        @Test func mariaDBUnderAnInsertLoopTenGroupsUnderTheReadLockStartWithoutCrashRecoveryThenTenFileSystemConsistent() throws {
            let test = "MariaDB proof at scale"
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
                """)
            let writer = try RowWriter(directory: work.path, client: original.client + ["appsnaptest", "-e"], transaction:
                "START TRANSACTION; INSERT INTO t VALUES ($i, REPEAT('row $i ', 40)); UPDATE counter SET n = n + 1; COMMIT;")
            undo.append { writer.stop() }
            try cnf.write("[client]\nsocket=\(original.socket)\nuser=root\n")
            try placeExampleScripts(scripts, "mariadb")
            try writer.waitFor(20)

            for appConsistent in [true, false] {
                if !appConsistent { scripts.remove() }
                for k in 1...Self.groups {
                    let label = "\(appConsistent ? "app" : "fs") \(k)/\(Self.groups)"
                    let from = writer.lastCommitted
                    try writer.waitFor(from + 5)
                    let run = try snapshotUnderLoad(host, disk: disk.id, writer: writer, name: "MariaDBProof\(k)")
                    #expect(run.exitCode == 0, "\(label): \(run.output)")
                    #expect(writer.isRunning, "\(label): the writer stopped: \(writer.errorText)")
                    if appConsistent {
                        #expect(run.tags["APPConsistent"] == "True", "\(label): \(run.tags)\n\(run.output)")
                        // The script flushes InnoDB to a checkpoint within its bound, or says it could not.
                        #expect(inOrder(run.output, ["prescript.sh: MariaDB: InnoDB ", "prescript.sh: MariaDB: tables flushed and read-locked",
                                                     "Prepare to Thaw FileSystem or Applications", "postscript.sh: MariaDB: tables unlocked"]), "\(label): \(run.output)")
                        #expect(!FileManager.default.fileExists(atPath: "/run/appsnap-mariadb"), "\(label): postscript left its state behind")
                    } else {
                        #expect(run.tags["FsConsistent"] == "True" && run.tags["APPConsistent"] == nil, "\(label): \(run.tags)")
                        #expect(run.tags["appsnap:consistency-reason"] == "script-missing", "\(label): \(run.tags)")
                    }

                    let restoredDisk = try restore(host, run.snapshotId)
                    let restored = try MariaDBServer(tools: tools, dataDirectory: restoredDisk.mountPoint + "/mysql",
                                                     runDirectory: work.path + "/mariadb-restored-\(k)", log: work.path + "/mariadb-restored.log",
                                                     name: "restored MariaDB (\(label))")
                    undo.append(restored.stop)
                    let checks = try restored.query("CHECK TABLE t, counter").split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
                    #expect(checks.count == 2 && checks.allSatisfy { $0.count == 4 && $0[2] == "status" && $0[3] == "OK" }, "\(label): CHECK TABLE: \(checks)")
                    let rows = try restored.query("SELECT COUNT(*), COALESCE(MIN(id), 0), COALESCE(MAX(id), 0), COUNT(DISTINCT id) FROM t")
                        .split(separator: "\t").compactMap { Int($0) }
                    let counter = Int(try restored.query("SELECT n FROM counter"))
                    try #require(rows.count == 4)
                    let (count, low, high, distinct) = (rows[0], rows[1], rows[2], rows[3])
                    #expect(low == 1 && high == count && distinct == count, "\(label): rows are not ids 1…\(count): min \(low) max \(high) distinct \(distinct)")
                    #expect(counter == count, "\(label): counter \(counter ?? -1) disagrees with \(count) rows: a transaction is half there")
                    #expect(count >= run.committedBeforeFreeze, "\(label): \(count) rows, but \(run.committedBeforeFreeze) were acknowledged before the freeze began")
                    #expect(count <= run.committedAfterPostscript, "\(label): \(count) rows, but only \(run.committedAfterPostscript) when the run ended")
                    let log = restored.server.logText
                    let errors = log.split(separator: "\n").filter { $0.contains("[ERROR]") || $0.contains("crashed") }
                    #expect(errors.isEmpty, "\(label): restored server log:\n\(log)")
                    let recovery = log.split(separator: "\n").filter { $0.contains("crash recovery") || $0.contains("To recover:") || $0.contains("Aria") && $0.contains("recover") }
                    // A copy needs no crash recovery whenever prescript said InnoDB reached its
                    // checkpoint; when the flush ran out of its bound the script says so, and the
                    // checks above still hold after recovery.
                    if appConsistent && run.output.contains("prescript.sh: MariaDB: InnoDB flushed to a checkpoint") {
                        #expect(recovery.isEmpty, "\(label): InnoDB ran crash recovery on a copy made under the examples' scripts:\n\(log)")
                    }
                    print("""
                        MariaDB \(label): \(count) rows in the copy; \(run.committedBeforePrescript) acknowledged before prescript, \
                        \(run.committedBeforeFreeze) before the freeze, \(run.committedAfterPostscript) when the run ended; \
                        \(run.tags.filter { $0.key != "appsnap:freeze-ms" }.map { "\($0.key):\($0.value)" }.sorted().joined(separator: " ")) \
                        freeze-ms \(run.tags["appsnap:freeze-ms"] ?? "?"); recovery: \(recovery.isEmpty ? "none" : recovery.map { $0.components(separatedBy: "] ").last ?? String($0) }.joined(separator: "; "))
                        """)
                    restored.stop()
                    try host.detach(restoredDisk.id)
                }
            }
            #expect(writer.stop() == 0, "writer: \(writer.errorText)")
        }

        /// The example's read lock outlives neither its bound nor a run that never comes back:
        /// with the plugin and its guardian killed (so postscript never runs), the holder
        /// unlocks by itself after APPSNAP_HOLD_SECONDS and the writer goes on.
        @Test func mariaDBReadLockReleasesItselfAfterItsBoundWhenThePluginAndItsGuardianAreKilled() throws {
            let test = "MariaDB lock bound"
            let tools: (server: String, install: String, client: String)
            switch MariaDBServer.tools() {
            case .success(let t): tools = t
            case .failure(let why): print("skipped \(test): \(why)"); return
            }
            guard let cnf = OwnConfigFile("/etc/appsnap/mariadb.cnf"), let settings = OwnConfigFile("/etc/appsnap/mariadb.env") else {
                print("skipped \(test): /etc/appsnap/mariadb.cnf or mariadb.env exists on this machine and is not ours"); return
            }
            let state = "/run/appsnap-mariadb"
            guard !FileManager.default.fileExists(atPath: state) else {
                print("skipped \(test): \(state) exists: another read-lock holder of examples/mariadb may be running"); return
            }
            guard let host = try HostFixture.make(test), let scripts = HostScripts(test) else { return }
            var undo: [() -> Void] = [host.destroy, scripts.remove, cnf.remove, settings.remove, releaseLockHolder]
            defer { for u in undo.reversed() { u() } }
            let work = try WorkDirectory()
            undo.append(work.remove)

            let disk = try host.addDisk()
            try MariaDBServer.installDB(tools.install, dataDirectory: disk.mountPoint + "/mysql")
            let original = try MariaDBServer(tools: tools, dataDirectory: disk.mountPoint + "/mysql", runDirectory: work.path + "/mariadb-original",
                                             log: work.path + "/mariadb-original.log", name: "original MariaDB")
            undo.append(original.stop)
            try original.query("CREATE DATABASE appsnaptest", database: nil)
            try original.query("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
            let writer = try RowWriter(directory: work.path, client: original.client + ["appsnaptest", "-e"], transaction: "INSERT INTO t VALUES ($i)")
            undo.append { writer.stop() }
            let hold = 5
            try cnf.write("[client]\nsocket=\(original.socket)\nuser=root\n")
            try settings.write("APPSNAP_HOLD_SECONDS=\(hold)\n")
            try placeExampleScripts(scripts, "mariadb")
            try writer.waitFor(10)

            let others = try host.app.disks(of: host.hostId).compactMap { $0["DiskId"] as? String }.filter { $0 != disk.id }
            let stale = host.phase()?.1
            let invoke = try host.startPlugin(linuxCommand(name: "MariaDBLockBound", timeout: 60, exclude: others))
            // Prescript has returned: the lock is held. Kill the guardian first (it would run
            // postscript when the plugin dies), then the plugin.
            var killed: [String] = []
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, killed.isEmpty {
                if let (phase, plugin) = host.phase(), plugin != stale, ["after-prescript", "freezing", "frozen", "clone"].contains(phase) {
                    for child in descendants(of: plugin) where commandLine(child).contains("_guardian") {
                        if Glibc.kill(child, SIGKILL) == 0 { killed.append("guardian \(child)") }
                    }
                    if Glibc.kill(plugin, SIGKILL) == 0 { killed.append("plugin \(plugin) in \(phase)") }
                }
                usleep(1_000)
            }
            try #require(killed.contains { $0.hasPrefix("guardian") } && killed.contains { $0.hasPrefix("plugin") }, "killed: \(killed)")
            let lockedAt = writer.lastCommitted
            let out = { (try? String(contentsOfFile: state + "/out", encoding: .utf8)) ?? "" }
            #expect(out().contains("appsnap-locked") && !out().contains("appsnap-unlocked"), "the lock was not held when the plugin died: \(out())")
            _ = try? host.app.waitFor(invoke, timeout: 120)

            // Nobody asks for the release; the holder's own bound ends the lock.
            let until = Date().addingTimeInterval(Double(hold) + 120)
            while Date() < until, !(out().contains("appsnap-unlocked") && writer.lastCommitted > lockedAt + 5) { usleep(100_000) }
            #expect(!FileManager.default.fileExists(atPath: state + "/release"), "something asked the holder to release: postscript ran after all")
            #expect(out().contains("appsnap-unlocked"), "the read lock was never released: \(out())")
            #expect(writer.lastCommitted > lockedAt + 5, "the writer did not go on after the bound: \(lockedAt) then \(writer.lastCommitted)")
            let holder = (try? String(contentsOfFile: state + "/holder.pid", encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            var holderGone = false
            for _ in 0..<100 where !holderGone { holderGone = holder.map { Glibc.kill($0, 0) != 0 } ?? true; if !holderGone { usleep(100_000) } }
            #expect(holderGone, "the lock holder is still there")
            #expect(writable(disk.mountPoint), "the disk is still frozen")
            #expect(writer.stop() == 0, "writer: \(writer.errorText)")
            print("MariaDB lock bound: killed \(killed.joined(separator: ", ")); writer at \(lockedAt) then \(writer.lastCommitted); holder said: \(out().split(separator: "\n").joined(separator: " "))")
        }
    }
}

/// pgbench (TPC-B, two clients, `transactions` each: about five seconds here) against a
/// test's server, logging each transaction (--log) so that what it was told was committed,
/// and when, is known. A transaction count rather than -T: a child of the test process
/// inherits its blocked signals, SIGALRM among them, and pgbench's -T timer is an alarm.
final class Pgbench {
    private let process: Process
    private let logPrefix: String
    private let errorFile: String

    init(bin: String, connect: [String], logPrefix: String, transactions: Int = 800) throws {
        self.logPrefix = logPrefix
        errorFile = logPrefix + ".err"
        process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/pgbench")
        process.arguments = ["-n", "-t", String(transactions), "-c", "2", "-j", "1", "--log", "--log-prefix=" + logPrefix] + connect + ["appsnaptest"]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        guard FileManager.default.createFile(atPath: errorFile, contents: nil), let err = FileHandle(forWritingAtPath: errorFile) else {
            throw E2EError("cannot create \(errorFile)")
        }
        process.standardError = err
        process.standardOutput = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var errors: String { (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "" }

    /// Until the first transactions are in pgbench_history (so the run starts under load).
    func waitForFirstTransactions(_ server: PostgresServer) throws {
        let before = Int(try server.query("SELECT count(*) FROM pgbench_history")) ?? 0
        for _ in 0..<200 {
            if (Int(try server.query("SELECT count(*) FROM pgbench_history")) ?? 0) > before + 10 { return }
            guard process.isRunning else { throw E2EError("pgbench ended: \(errors)") }
            usleep(20_000)
        }
        throw E2EError("pgbench made no transaction in 4 s: \(errors)")
    }

    func wait() -> Int32 { process.waitUntilExit(); return process.terminationStatus }

    /// Ends it by its PID if it still runs (a test that failed half-way).
    func kill() { if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

    /// The completion time of every transaction pgbench logged (after it exited): the
    /// fifth and sixth fields are the Unix time of the end, seconds and microseconds.
    func completions() -> [Double] {
        let dir = (logPrefix as NSString).deletingLastPathComponent, base = (logPrefix as NSString).lastPathComponent + "."
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(base) && !$0.hasSuffix(".err") }
        var out: [Double] = []
        for f in files {
            let text = (try? String(contentsOfFile: dir + "/" + f, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                let w = line.split(separator: " ")
                if w.count >= 6, let s = Double(w[4]), let us = Double(w[5]) { out.append(s + us / 1e6) }
            }
        }
        return out
    }
}

/// pg_controldata of a data directory no server runs on, as name → value.
func controlData(bin: String, dataDirectory: String) throws -> [String: String] {
    let r = try runTool(PostgresServer.asPostgres([bin + "/pg_controldata", dataDirectory]))
    guard r.status == 0 else { throw E2EError("pg_controldata \(dataDirectory): \(r.stderr)") }
    var out: [String: String] = [:]
    for line in r.stdout.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        out[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return out
}

/// A PostgreSQL LSN ("16/B374D848") as a number; nil if it is not one.
func lsn(_ text: String?) -> UInt64? {
    guard let parts = text?.split(separator: "/"), parts.count == 2, let hi = UInt64(parts[0], radix: 16), let lo = UInt64(parts[1], radix: 16) else { return nil }
    return hi << 32 | lo
}

/// The first capture group of `pattern` in `text`.
func firstMatch(_ pattern: String, in text: String) -> String? {
    guard let re = try? NSRegularExpression(pattern: pattern),
          let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
          let r = Range(m.range(at: 1), in: text) else { return nil }
    return String(text[r])
}
