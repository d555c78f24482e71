#!/bin/sh
# appsnap prescript for MariaDB/MySQL: take FLUSH TABLES WITH READ LOCK and keep it.
# The lock lives as long as its session, so a detached holder keeps the session open
# (fed through a FIFO) until postscript.sh asks it to unlock. stdio of the holder goes
# to files, never to our stdout: appsnap reads our output to its end.
set -eu
state=/run/appsnap-mariadb
hold=${APPSNAP_HOLD_SECONDS:-600}
opts=""
if [ -r /etc/appsnap/mariadb.cnf ]; then opts="--defaults-extra-file=/etc/appsnap/mariadb.cnf"; fi
client=$(command -v mariadb || command -v mysql) || { echo "no mariadb/mysql client on PATH"; exit 1; }

rm -rf "$state"
mkdir -m 0700 "$state"
mkfifo -m 0600 "$state/sql"

# The session: reads SQL from the FIFO, prints results to $state/out.
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

# Wait until the lock is really held (or the session failed).
i=0
while [ $i -lt 600 ]; do
  if grep -q appsnap-locked "$state/out" 2>/dev/null; then
    echo "MariaDB: tables flushed and read-locked (lock held until postscript, at most ${hold}s)"
    exit 0
  fi
  if ! kill -0 "$(cat "$state/session.pid")" 2>/dev/null; then
    echo "MariaDB: the locking session ended: $(cat "$state/out" 2>/dev/null)"
    exit 1
  fi
  sleep 0.1; i=$((i + 1))
done
echo "MariaDB: FLUSH TABLES WITH READ LOCK did not complete within 60s"
touch "$state/release"
exit 1
