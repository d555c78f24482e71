#!/bin/sh
# appsnap prescript for MariaDB/MySQL: flush InnoDB to a checkpoint, take FLUSH TABLES
# WITH READ LOCK and keep it. The lock lives as long as its session, so a detached
# holder keeps the session open (fed through a FIFO) until postscript.sh asks it to
# unlock, or until the bound passes. stdio of the holder goes to files, never to our
# stdout: appsnap reads our output to its end.
#
# Settings (optional) in /etc/appsnap/mariadb.env, shell assignments:
#   APPSNAP_HOLD_SECONDS=600   the lock lets go by itself after this, postscript or not
#   APPSNAP_FLUSH_SECONDS=30   how long to wait for InnoDB to reach a clean checkpoint
set -eu
state=/run/appsnap-mariadb
if [ -r /etc/appsnap/mariadb.env ]; then . /etc/appsnap/mariadb.env; fi
hold=${APPSNAP_HOLD_SECONDS:-600}
flush=${APPSNAP_FLUSH_SECONDS:-30}
opts=""
if [ -r /etc/appsnap/mariadb.cnf ]; then opts="--defaults-extra-file=/etc/appsnap/mariadb.cnf"; fi
client=$(command -v mariadb || command -v mysql) || { echo "no mariadb/mysql client on PATH"; exit 1; }
sql() { "$client" $opts --batch --skip-column-names -e "$1"; }
# name=value for the InnoDB status counters we watch, on one line.
innodb() {
  sql "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty','Innodb_checkpoint_age','Innodb_history_list_length')" |
    awk '{ sub(/^Innodb_/, "", $1); printf "%s=%s ", tolower($1), $2 }'
}
# True when no page is dirty, purge has nothing left, and nothing but the checkpoint's
# own marker (16 bytes) follows the last checkpoint in the redo log: a copy of the files
# now starts without crash recovery.
clean() {
  s=" $(innodb)"
  dirty=${s##* buffer_pool_pages_dirty=}; dirty=${dirty%% *}
  age=${s##* checkpoint_age=}; age=${age%% *}
  hist=${s##* history_list_length=}; hist=${hist%% *}
  [ "${dirty:-1}" -eq 0 ] && [ "${age:-99}" -le 16 ] && [ "${hist:-1}" -eq 0 ]
}

rm -rf "$state"
mkdir -m 0700 "$state"
mkfifo -m 0600 "$state/sql"

# 1. While the application still writes: make the page cleaner write every dirty page,
#    so little is left to flush once writes stop. The old settings come back below.
sql "SELECT @@GLOBAL.innodb_max_dirty_pages_pct, @@GLOBAL.innodb_max_dirty_pages_pct_lwm" >"$state/dirty-pct"
sql "SET GLOBAL innodb_max_dirty_pages_pct_lwm = 0.001, GLOBAL innodb_max_dirty_pages_pct = 0"
restore_pct() {
  read -r pct lwm <"$state/dirty-pct" || return 0
  sql "SET GLOBAL innodb_max_dirty_pages_pct = $pct, GLOBAL innodb_max_dirty_pages_pct_lwm = $lwm" || true
}

# 2. The session: reads SQL from the FIFO, prints results to $state/out.
setsid "$client" $opts --batch --skip-column-names --unbuffered <"$state/sql" >"$state/out" 2>&1 &
echo $! >"$state/session.pid"
# The holder: keeps the FIFO open (so the session lives) until released or $hold passes.
setsid sh -c '
  exec 3>"$1/sql"
  printf "FLUSH TABLES WITH READ LOCK;\nSELECT \"appsnap-locked\";\n" >&3
  n=0
  while [ ! -e "$1/release" ] && [ "$n" -lt "$(($2 * 10))" ]; do sleep 0.1; n=$((n + 1)); done
  printf "UNLOCK TABLES;\nSELECT \"appsnap-unlocked\";\n" >&3
' appsnap-hold "$state" "$hold" </dev/null >/dev/null 2>&1 &
echo $! >"$state/holder.pid"

# 3. Wait until the lock is really held (or the session failed).
i=0
while ! grep -q appsnap-locked "$state/out" 2>/dev/null; do
  if ! kill -0 "$(cat "$state/session.pid")" 2>/dev/null; then
    echo "MariaDB: the locking session ended: $(cat "$state/out" 2>/dev/null)"
    restore_pct; exit 1
  fi
  i=$((i + 1))
  if [ $i -ge 600 ]; then
    echo "MariaDB: FLUSH TABLES WITH READ LOCK did not complete within 60s"
    touch "$state/release"; restore_pct; exit 1
  fi
  sleep 0.1
done

# 4. No table changes now: wait for InnoDB's last dirty page and its checkpoint, so a
#    server started on the snapshot finds a clean redo log (no crash recovery).
i=0
while ! clean; do
  i=$((i + 1))
  if [ $i -ge $((flush * 10)) ]; then
    echo "MariaDB: InnoDB did not reach a clean checkpoint within ${flush}s ($(innodb)); a restored copy will run crash recovery"
    break
  fi
  sleep 0.1
done
restore_pct
if [ $i -lt $((flush * 10)) ]; then echo "MariaDB: InnoDB flushed to a checkpoint ($(innodb))"; fi
echo "MariaDB: tables flushed and read-locked (lock held until postscript, at most ${hold}s)"
