#!/bin/sh
# appsnap prescript for PostgreSQL: CHECKPOINT before the freeze, so a restored copy
# starts with almost no WAL to replay. The freeze then makes the data directory and
# its WAL one atomic point in time, which PostgreSQL starts from cleanly.
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
run psql -X -q -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" -c CHECKPOINT
lsn=$(run psql -X -At -d "${PGDATABASE:-postgres}" -c "SELECT pg_current_wal_lsn()")
# The checkpoint a restored copy starts from (pg_controldata there shows it, or a later
# one): reading pg_control_checkpoint() needs a superuser or pg_monitor, so it is optional.
at=$(run psql -X -At -F ' ' -d "${PGDATABASE:-postgres}" -c "SELECT checkpoint_lsn, redo_lsn FROM pg_control_checkpoint()" 2>/dev/null) || at=""
if [ -n "$at" ]; then
  echo "PostgreSQL: checkpoint done, WAL at $lsn (checkpoint ${at% *}, redo ${at#* })"
else
  echo "PostgreSQL: checkpoint done, WAL at $lsn"
fi
