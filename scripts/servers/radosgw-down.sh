#!/usr/bin/env bash
# Stops the one-node Ceph started by radosgw-up.sh DIR (radosgw, then OSD, then monitor), waits up
# to 10 s for each to exit (SIGKILL after that), then removes DIR. Safe after a partial start.
set -u
C=${1:?usage: radosgw-down.sh DIR}
for n in rgw osd mon; do
  f="$C/$n.pid"
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null
done
rm -rf "$C"
exit 0
