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
