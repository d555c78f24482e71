#!/bin/sh
# appsnap postscript for PostgreSQL: nothing was paused, so nothing to resume; report
# where WAL stands, so the log shows how much was written during the snapshot.
set -eu
if [ -r /etc/appsnap/postgresql.env ]; then . /etc/appsnap/postgresql.env; fi
for v in PGHOST PGPORT PGUSER PGDATABASE; do
  if eval "[ -n \"\${$v:-}\" ]"; then export "$v"; fi
done
# As root without PGUSER, speak as the postgres superuser over its local socket.
# runuser lives in sbin, which the PATH that Cloud Assistant gives scripts may lack;
# from / so the postgres user never starts in a directory it cannot read (e.g. /root).
PATH=$PATH:/usr/sbin:/sbin
cd /
if [ -n "${PGUSER:-}" ] || [ "$(id -un)" = postgres ]; then
  run() { "$@"; }
else
  run() { runuser -u postgres -- "$@"; }
fi
lsn=$(run psql -X -At -d "${PGDATABASE:-postgres}" -c "SELECT pg_current_wal_lsn()")
echo "PostgreSQL: snapshot taken; WAL now at $lsn"
