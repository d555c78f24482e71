#!/usr/bin/env python3
"""appsnap's I/O suspension window next to its floor and the naive way.

For each disk size: a fresh embedded cloud whose pool is --work (an XFS reflink file
system), this machine enrolled as its host instance, --disks ext4 data disks attached.
Each run writes --dirty-mib of fresh data to every disk (left dirty in the page cache),
then runs the plugin (FsConsistent) and reads `appsnap:freeze-ms` (first FIFREEZE to last
FITHAW, as the freezer measures it). The same disks then go through
freeze-floor.py (FIFREEZE, FICLONE, FITHAW and nothing else) and freeze-floor.py
--naive (a full copy while frozen). Prints one Markdown row a size. Needs root.
"""
import argparse, json, os, re, statistics, subprocess, sys

def sh(args, env=None, check=True):
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        sys.exit(f"{' '.join(args)} exited {r.returncode}: {r.stdout}{r.stderr}")
    return r

def median_of(output):
    m = re.search(r"median_window_ms=([0-9.]+)", output)
    return float(m.group(1)) if m else float("nan")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True, help="a directory on an XFS file system with reflink")
    p.add_argument("--floor", required=True, help="freeze-floor.py")
    p.add_argument("--sizes", default="1,4", help="disk sizes in GiB")
    p.add_argument("--disks", type=int, default=4)
    p.add_argument("--dirty-mib", type=int, default=20)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    rows = []
    for size in [int(s) for s in a.sizes.split(",")]:
        state = os.path.join(a.work, f"fw-state-{size}")
        out = os.path.join(a.work, f"fw-floor-{size}")
        os.makedirs(out, exist_ok=True)
        base = [a.bin]
        st = ["--state", state]
        sh(base + ["cloud", "init"] + st)
        enrolled = sh(base + ["cloud", "host", "enroll", "--os-name", "Ubuntu 22.04 64 bit"] + st).stdout
        host = re.search(r"i-[0-9a-z]+", enrolled).group(0)
        disks = []
        try:
            for _ in range(a.disks):
                o = sh(base + ["cloud", "host", "attach", "--new-size-gib", str(size), "--fs", "ext4"] + st).stdout
                disk_id = o.split()[0]
                disks.append((disk_id, o.split("mounted at ")[1].strip(), os.path.join(state, "pool", "disks", disk_id + ".img")))
            env = dict(os.environ, APPSNAP_INSTANCE_ID=host)
            params = ('-RamRoleName="AppSnapshotRoleName",-EnableFsFreeze=true,-TimeoutInSeconds=30,'
                      '-ExcludeDiskId="",-Name="FreezeWindow",-Description="bench"')
            windows = []
            for r in range(a.runs):
                for _, mnt, _ in disks:
                    with open(os.path.join(mnt, "fresh"), "wb") as f:
                        f.write(os.urandom(a.dirty_mib << 20))  # dirty: the freeze must flush it
                res = sh(base + ["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin", f"--params={params}"] + st,
                         env=env, check=False)
                m = re.search(r"FreezeMs=([0-9]+)", res.stdout)
                if res.returncode != 0 or not m:
                    sys.exit(f"plugin run {r} failed ({res.returncode}): {res.stdout[-2000:]}{res.stderr}")
                windows.append(float(m.group(1)))
                print(f"  {size} GiB run {r}: appsnap freeze-ms={m.group(1)}", file=sys.stderr)
            pairs = sum([["--mount", mnt, "--image", img] for _, mnt, img in disks], [])
            common = ["python3", a.floor] + pairs + ["--out", out, "--runs", str(a.runs), "--dirty-mib", str(a.dirty_mib)]
            floor = median_of(sh(common).stdout)
            naive = median_of(sh(common + ["--naive"]).stdout)
            app = statistics.median(windows)
            rows.append((size, app, floor, naive))
            print(f"| {a.disks} × {size} GiB ext4, {a.dirty_mib} MiB dirty each | {app:.0f} ms | {floor:.0f} ms | {naive:.0f} ms | {app / floor:.2f} |", flush=True)
        finally:
            for disk_id, _, _ in reversed(disks):
                sh(base + ["cloud", "host", "detach", disk_id] + st, check=False)
            sh(["rm", "-rf", state, out], check=False)
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        print(f"\ngrowth {last[0]} GiB / {first[0]} GiB: appsnap {last[1] / first[1]:.2f}, floor {last[2] / first[2]:.2f}, naive {last[3] / first[3]:.2f}")

if __name__ == "__main__":
    main()
