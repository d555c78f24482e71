#!/usr/bin/env python3
"""What consistency costs the application: pgbench through appsnap snapshots.

One PostgreSQL on a host disk (ext4, attached to this machine enrolled as the embedded
cloud's host instance, on an XFS reflink pool), under pgbench (TPC-B) for the whole run,
logging every transaction (--log). During that one run the plugin takes --snapshots
application-consistent groups with examples/postgresql (CHECKPOINT in prescript, FIFREEZE,
a reflink clone, FITHAW), --gap seconds apart. From pgbench's per-transaction log:

- TPS and p99 latency in a 10-second window centred on each plugin run;
- the same for a 10-second window centred between two runs (no snapshot);
- beside each snapshot, its I/O suspension window (appsnap:freeze-ms) and the latency
  and TPS inside the plugin run itself (prescript start to postscript end).

Prints Markdown rows. Root only (loop devices, mount, FIFREEZE); otherwise it prints why
it skips and exits 0. Every server, mount, loop device and file it makes is removed on
every path (normal end, error, Ctrl-C, SIGTERM).
"""
import argparse, math, os, pwd, re, shutil, signal, socket, statistics, subprocess, sys, time

PRE, POST, ENV = "/tmp/prescript.sh", "/tmp/postscript.sh", "/etc/appsnap/postgresql.env"


def skip(why):
    print(f"(pgbench under snapshots skipped: {why})", file=sys.stderr)
    sys.exit(0)


def sh(args, env=None, check=True, timeout=600):
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {r.returncode}: {r.stdout[-3000:]}{r.stderr[-3000:]}")
    return r


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pctl(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


class Bench:
    def __init__(self, a):
        self.a = a
        self.bin = a.bin
        self.work = os.path.join(a.work, "pgbench-window")
        self.state = os.path.join(self.work, "state")
        self.undo = []  # run in reverse on every path

    def cleanup(self):
        while self.undo:
            step = self.undo.pop()
            try:
                step()
            except Exception as e:  # keep going: every later step must still run
                print(f"cleanup: {e}", file=sys.stderr)

    def app(self, *args, env=None, check=True):
        return sh([self.bin, *args, "--state", self.state], env=env, check=check)

    def own_file(self, path, text, mode):
        """Writes path only if nobody has it; removed at cleanup."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        self.undo.append(lambda: os.unlink(path))
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chown(path, 0, 0)
        os.chmod(path, mode)

    def stop_pid(self, proc, sig, wait=60):
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def run(self):
        a = self.a
        pgbin = max((d for d in os.listdir("/usr/lib/postgresql") if d.isdigit() and
                     os.access(f"/usr/lib/postgresql/{d}/bin/pgbench", os.X_OK)), key=int, default=None) \
            if os.path.isdir("/usr/lib/postgresql") else None
        if pgbin is None:
            skip("no PostgreSQL server with pgbench in /usr/lib/postgresql (Debian package postgresql)")
        pgbin = f"/usr/lib/postgresql/{pgbin}/bin"
        for p in (PRE, POST, ENV):
            if os.path.lexists(p):
                skip(f"{p} exists on this machine and is not ours")
        if os.path.exists(self.work):
            skip(f"{self.work} exists")
        os.makedirs(self.work)
        self.undo.append(lambda: shutil.rmtree(self.work, ignore_errors=True))
        os.chmod(self.work, 0o755)
        here = os.path.dirname(os.path.abspath(__file__))
        examples = os.path.join(here, "..", "examples", "postgresql")

        # The cloud: an XFS reflink pool, this machine its host, one 2 GiB ext4 disk.
        self.undo.append(lambda: self.app("cloud", "reset", "--yes", check=False))
        self.app("cloud", "init", "--pool-image", "6G")
        host = re.search(r"i-[0-9a-z]+", self.app("cloud", "host", "enroll", "--os-name", "Ubuntu 22.04 64 bit").stdout).group(0)
        out = self.app("cloud", "host", "attach", "--new-size-gib", "2", "--fs", "ext4").stdout
        disk, mnt = out.split()[0], out.split("mounted at ")[1].strip()
        self.undo.append(lambda: self.app("cloud", "host", "detach", disk, check=False))

        # PostgreSQL on it, as the postgres user, on a socket and port of its own.
        pg = pwd.getpwnam("postgres")
        data, sock = os.path.join(mnt, "pgdata"), os.path.join(self.work, "sock")
        for d, m in ((data, 0o700), (sock, 0o755)):
            os.makedirs(d)
            os.chown(d, pg.pw_uid, pg.pw_gid)
            os.chmod(d, m)
        as_pg = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        sh(as_pg + [f"{pgbin}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
        port = free_port()
        log = open(os.path.join(self.work, "postgres.log"), "w")
        server = subprocess.Popen(as_pg + [f"{pgbin}/postgres", "-D", data, "-p", str(port), "-k", sock, "-c", "listen_addresses=",
                                           "-c", "shared_buffers=128MB", "-c", "max_wal_size=1GB"],
                                  stdout=log, stderr=log, stdin=subprocess.DEVNULL, cwd="/")
        self.undo.append(lambda: self.stop_pid(server, signal.SIGINT))
        conn = ["-h", sock, "-p", str(port), "-U", "postgres"]
        for _ in range(300):
            if sh([f"{pgbin}/psql", "-X", "-At", *conn, "-d", "postgres", "-c", "SELECT 1"], check=False).stdout.strip() == "1":
                break
            if server.poll() is not None:
                raise RuntimeError(f"postgres exited {server.returncode}")
            time.sleep(0.1)
        sh([f"{pgbin}/pgbench", "-i", "-q", "-s", str(a.scale), *conn, "postgres"])

        # The examples' scripts as the real /tmp/prescript.sh and /tmp/postscript.sh.
        if not os.path.isdir(os.path.dirname(ENV)):
            os.makedirs(os.path.dirname(ENV))
            self.undo.append(lambda: os.rmdir(os.path.dirname(ENV)))
        self.own_file(ENV, f"PGHOST={sock}\nPGPORT={port}\n", 0o600)
        for src, dst in (("prescript.sh", PRE), ("postscript.sh", POST)):
            with open(os.path.join(examples, src)) as f:
                self.own_file(dst, f.read(), 0o700)

        # pgbench for the whole run; the snapshots at lead, lead + gap, …
        duration = int(math.ceil(a.lead + a.gap * a.snapshots))
        prefix = os.path.join(self.work, "pgbench")
        bench = subprocess.Popen([f"{pgbin}/pgbench", "-n", "-T", str(duration), "-c", str(a.clients), "-j", str(a.threads),
                                  "--log", f"--log-prefix={prefix}", *conn, "postgres"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd="/")
        self.undo.append(lambda: self.stop_pid(bench, signal.SIGKILL))
        start = time.time()
        env = dict(os.environ, APPSNAP_INSTANCE_ID=host)
        params = ('-RamRoleName="AppSnapshotRoleName",-EnableFsFreeze=true,-TimeoutInSeconds=30,'
                  '-PreScriptPath="/tmp/prescript.sh",-PostScriptPath="/tmp/postscript.sh",'
                  '-ExcludeDiskId="",-Name="PgbenchWindow",-Description="bench"')
        runs = []
        for k in range(a.snapshots):
            time.sleep(max(0, start + a.lead + k * a.gap - time.time()))
            t0 = time.time()
            r = self.app("plugin-manager", "--exec", "--plugin", "app-snapshot-plugin", f"--params={params}", env=env, check=False)
            t1 = time.time()
            m = re.search(r"FreezeMs=([0-9]+)", r.stdout)
            if r.returncode != 0 or not m or "Tag snapshots with AppConsistent" not in r.stdout:
                raise RuntimeError(f"plugin run {k} exited {r.returncode}: {r.stdout[-3000:]}{r.stderr}")
            runs.append((t0, t1, int(m.group(1))))
            print(f"  snapshot {k + 1}: plugin run {t1 - t0:.2f} s, freeze-ms {m.group(1)}", file=sys.stderr)
        summary, _ = bench.communicate(timeout=duration + 120)
        if bench.returncode != 0:
            raise RuntimeError(f"pgbench exited {bench.returncode}: {summary[-3000:]}")

        # Every transaction: (end time, latency in ms), from pgbench's --log files.
        tx = []
        for f in os.listdir(self.work):
            if f.startswith("pgbench."):
                for line in open(os.path.join(self.work, f)):
                    w = line.split()
                    if len(w) >= 6:
                        tx.append((int(w[4]) + int(w[5]) / 1e6, int(w[2]) / 1000))
        tx.sort()

        def window(a_, b_):
            lat = [l for t, l in tx if a_ <= t < b_]
            return len(lat) / (b_ - a_), pctl(lat, 0.99), max(lat, default=float("nan"))

        half = a.window / 2
        rows_snap, rows_none = [], []
        print(f"| pgbench window ({a.window:g} s, scale {a.scale}, {a.clients} clients) | TPS | p99 latency | max latency | freeze-ms (appsnap:freeze-ms) | plugin run: TPS / p99 |")
        print("|---|---|---|---|---|---|")
        for k, (t0, t1, fms) in enumerate(runs):
            mid = (t0 + t1) / 2
            tps, p99, mx = window(mid - half, mid + half)
            rtps, rp99, _ = window(t0, t1)
            rows_snap.append((tps, p99, mx, fms))
            print(f"| around snapshot {k + 1} (APPConsistent) | {tps:.0f} | {p99:.1f} ms | {mx:.1f} ms | {fms} ms | {rtps:.0f} / {rp99:.1f} ms ({t1 - t0:.2f} s) |")
        for k in range(len(runs) - 1):
            mid = (runs[k][1] + runs[k + 1][0]) / 2
            tps, p99, mx = window(mid - half, mid + half)
            rows_none.append((tps, p99, mx))
            print(f"| between snapshots {k + 1} and {k + 2} (no snapshot) | {tps:.0f} | {p99:.1f} ms | {mx:.1f} ms | — | — |")
        if rows_snap and rows_none:
            ms = [statistics.median(x[i] for x in rows_snap) for i in range(4)]
            mn = [statistics.median(x[i] for x in rows_none) for i in range(3)]
            print(f"| **median, around a snapshot** | **{ms[0]:.0f}** | **{ms[1]:.1f} ms** | **{ms[2]:.1f} ms** | **{ms[3]:.0f} ms** | |")
            print(f"| **median, no snapshot** | **{mn[0]:.0f}** | **{mn[1]:.1f} ms** | **{mn[2]:.1f} ms** | — | |")
            print(f"\nTPS around a snapshot / without: {ms[0] / mn[0]:.2f}; p99 around a snapshot / without: {ms[1] / mn[1]:.2f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True, help="the appsnap binary")
    p.add_argument("--work", required=True, help="a scratch directory (on the root file system)")
    p.add_argument("--snapshots", type=int, default=5)
    p.add_argument("--gap", type=float, default=15, help="seconds between two snapshots")
    p.add_argument("--lead", type=float, default=10, help="seconds of pgbench before the first snapshot")
    p.add_argument("--window", type=float, default=10)
    p.add_argument("--scale", type=int, default=10)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    if os.geteuid() != 0:
        skip("needs root (loop devices, mount, FIFREEZE)")
    for tool in ("mkfs.xfs", "losetup", "setpriv"):
        if shutil.which(tool) is None:
            skip(f"no {tool} (xfsprogs, util-linux)")
    b = Bench(a)
    # SIGTERM and SIGHUP end the run like Ctrl-C does, through the same cleanup.
    def stop(signum, _):
        raise KeyboardInterrupt(f"signal {signum}")
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, stop)
    try:
        b.run()
    except KeyboardInterrupt as e:
        print(f"interrupted ({e}); cleaning up", file=sys.stderr)
        sys.exit(130)
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()
