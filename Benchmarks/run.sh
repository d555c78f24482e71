#!/usr/bin/env bash
# `make bench`: every figure side by side with its baseline, in one run. Results go to
# stdout as Markdown rows; the README's table is copied from here.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.build/release/appsnap
work=$(mktemp -d /var/tmp/appsnap-bench.XXXXXX)
mnt=""; loop=""
cleanup() {
  if [ -n "$mnt" ]; then umount "$mnt" 2>/dev/null || true; fi
  if [ -n "$loop" ]; then losetup -d "$loop" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "## appsnap benchmarks ($(date -u +%F), $(nproc) cores)"
echo
echo "| what | median |"
echo "|---|---|"
python3 Benchmarks/total_cost.py --bin "$BIN" --work "$work/ext" --runs "${RUNS:-3}"

# The same on an XFS pool with reflink, where the copies are FICLONE clones.
if [ "$(id -u)" -eq 0 ] && command -v mkfs.xfs >/dev/null; then
  truncate -s 8G "$work/xfs-pool.img"
  mkfs.xfs -q -m reflink=1 "$work/xfs-pool.img"
  loop=$(losetup --find --show "$work/xfs-pool.img")
  mnt="$work/xfs"; mkdir -p "$mnt"; mount "$loop" "$mnt"
  python3 Benchmarks/total_cost.py --bin "$BIN" --work "$mnt" --runs "${RUNS:-3}"
else
  echo "(XFS reflink pool skipped: needs root and xfsprogs)" >&2
fi

# The I/O suspension window (appsnap:freeze-ms) of 4 ext4 host disks on an XFS reflink
# pool, next to the floor (freeze + FICLONE + thaw only) and the naive way (full copies
# while frozen), for 1 GiB and 4 GiB disks.
floor=""
for f in ../shared/bench/freeze-floor.py "${FREEZE_FLOOR:-}"; do
  [ -f "$f" ] && { floor=$f; break; }
done
if [ "$(id -u)" -eq 0 ] && command -v mkfs.xfs >/dev/null && [ -n "$floor" ]; then
  fwimg="$work/fw-pool.img"; fwmnt="$work/fw"
  truncate -s 24G "$fwimg"
  mkfs.xfs -q -m reflink=1 "$fwimg"
  fwloop=$(losetup --find --show "$fwimg")
  mkdir -p "$fwmnt"; mount "$fwloop" "$fwmnt"
  trap 'umount "$fwmnt" 2>/dev/null || true; losetup -d "$fwloop" 2>/dev/null || true; cleanup' EXIT
  echo
  echo "| disks | appsnap freeze-ms (median) | floor | naive | appsnap / floor |"
  echo "|---|---|---|---|---|"
  python3 Benchmarks/freeze_window.py --bin "$BIN" --work "$fwmnt" --floor "$floor" --runs "${FW_RUNS:-5}" --sizes "${FW_SIZES:-1,4}"
else
  echo "(freeze window skipped: needs root, xfsprogs and freeze-floor.py)" >&2
fi

# What consistency costs the application: pgbench's TPS and p99 latency in a 10-second
# window around each application-consistent snapshot (examples/postgresql), beside the
# same window with no snapshot and the freeze window, in one pgbench run. Root only (the
# script says why it skips otherwise); it removes everything it makes.
echo
python3 Benchmarks/pgbench_window.py --bin "$BIN" --work "$work"

# `appsnap serve` under a bounded load of signed DescribeDisks from a second process on
# loopback: signature checking on and off, beside the in-process floor.
echo
python3 Benchmarks/serve_load.py --bin "$BIN" --bench "$PWD/.build/release/appsnap-bench" --work "$work"

# The cost of isolating emulated instances: RunCommand start latency and the seed's run,
# sandboxed beside no namespaces.
echo; python3 Benchmarks/isolation.py --bin "$BIN" --work "$work" --runs "${ISO_RUNS:-20}"

# The console's hot paths, headless and in-process: first frame, filter keystroke and log ingest.
echo; .build/release/appsnap-bench

# The console with 1,000 instances over the wire (`--cloud aliyun` against the endpoint of
# `appsnap serve`, loopback) beside the same inventory in-process: wall time and requests.
echo; echo "| what | over the wire | in-process |"; echo "|---|---|---|"
.build/release/appsnap-bench console-wire 1000
