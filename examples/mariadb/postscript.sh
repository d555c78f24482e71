#!/bin/sh
# appsnap postscript for MariaDB/MySQL: release the read lock prescript.sh holds.
set -eu
state=/run/appsnap-mariadb
if [ ! -d "$state" ]; then
  echo "MariaDB: no lock held by prescript.sh; nothing to release"
  exit 0
fi
touch "$state/release"
i=0
while [ $i -lt 300 ]; do
  if grep -q appsnap-unlocked "$state/out" 2>/dev/null; then
    echo "MariaDB: tables unlocked"
    # Closing the FIFO ends the session.
    while kill -0 "$(cat "$state/holder.pid")" 2>/dev/null; do sleep 0.05; done
    rm -rf "$state"
    exit 0
  fi
  if ! kill -0 "$(cat "$state/session.pid")" 2>/dev/null; then
    echo "MariaDB: the locking session had already ended (the lock went with it)"
    rm -rf "$state"
    exit 0
  fi
  sleep 0.1; i=$((i + 1))
done
echo "MariaDB: UNLOCK TABLES did not complete within 30s"
exit 1
