#!/usr/bin/env bash
# Installs the Debian packages appsnap builds, tests and benchmarks with, only those missing.
# Usage: scripts/install-deps.sh [build|test|bench]
set -euo pipefail
# ncurses-term: the -direct terminfo entries the console uses for 24-bit colour (COLORTERM=truecolor).
need=(pkg-config libsqlite3-dev libncurses-dev ncurses-term)
case "${1:-build}" in
  test)  need+=(tmux xfsprogs btrfs-progs e2fsprogs util-linux locales postgresql mariadb-server) ;;
  bench) need+=(tmux xfsprogs e2fsprogs util-linux hyperfine python3 postgresql) ;;
esac
# The vendor's Python SDKs for the `appsnap serve` tests, in their own virtual environment.
if [ "${1:-build}" = test ]; then "$(dirname "$0")/install-sdk-venv.sh"; fi
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "appsnap needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
# The database tests run servers of their own (own data directory, socket and port), so
# a default service that a package just installed may have started is not needed: stop
# it, and where systemd runs keep it from starting at boot. One that was already
# installed is the machine's own and left alone.
for pair in mariadb-server:mariadb postgresql:postgresql; do
  case " ${missing[*]} " in *" ${pair%%:*} "*) ;; *) continue ;; esac
  service "${pair#*:}" stop >/dev/null 2>&1 || true
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable --quiet "${pair#*:}" 2>/dev/null || true; fi
done
