#!/usr/bin/env bash
# Starts a one-node Ceph (monitor + in-memory OSD + radosgw) on 127.0.0.1 in DIR: real S3 with
# SigV4 checks and real multipart ETags. The project's own copy of the recipe in
# ../shared/test-infra.md, so CI depends on nothing outside the repository.
#
# Usage: radosgw-up.sh DIR. Needs the Debian packages ceph-mon ceph-osd radosgw (installed by the
# caller: test/environments/object-stores/radosgw.ts). Environment, all optional:
#   RGW_PORT (7480)  MON_PORT (3300, msgr v2)  MON_V1_PORT (6789)
#   S3_ACCESS_KEY (MEDUSAAK)  S3_SECRET_KEY (MEDUSASECRET)
#   MEMSTORE_BYTES (4 GiB): the OSD keeps every object in RAM, so this caps what the store holds.
#   READY_TIMEOUT (120 s) for each wait.
# Writes DIR/{mon,osd,rgw}.pid as it starts each daemon; radosgw-down.sh DIR stops them.
# Exits non-zero with a message naming the step that did not finish in time.
set -euo pipefail
C=${1:?usage: radosgw-up.sh DIR}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${MON_PORT:-3300}
MON_V1_PORT=${MON_V1_PORT:-6789}
MEMSTORE_BYTES=${MEMSTORE_BYTES:-4294967296}
READY_TIMEOUT=${READY_TIMEOUT:-120}

# Prints the last lines of each daemon log, so a failed start says why (the folder is removed after).
show_logs() {
  local f
  for f in "$C"/log/*.out "$C"/log/*.log; do
    [ -s "$f" ] && { echo "--- $(basename "$f"), last lines:"; tail -n 15 "$f"; } >&2
  done
  return 0
}

# Runs "$@" every 0.2 s until it succeeds; fails after READY_TIMEOUT seconds naming WHAT, or at once
# when the daemon DAEMON (mon, osd, rgw: its pid file) has exited.
wait_for() {
  local what=$1 daemon=$2; shift 2
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$daemon" ] && ! kill -0 "$(cat "$C/$daemon.pid")" 2>/dev/null; then
      echo "radosgw-up: $what: the $daemon daemon exited" >&2
      show_logs
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "radosgw-up: $what not ready after ${READY_TIMEOUT}s" >&2
      show_logs
      exit 1
    fi
    sleep 0.2
  done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
osd_up() { ceph -c "$C/ceph.conf" osd stat 2>/dev/null | grep -q '1 up'; }

rm -rf "$C"; mkdir -p "$C"/{mon,osd0,rgw,run,log}
fsid=$(cat /proc/sys/kernel/random/uuid)
mon_addr="[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_V1_PORT]"
cat > "$C/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = $mon_addr
public network = 127.0.0.0/8
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
keyring = $C/keyring
run dir = $C/run
log file = $C/log/\$name.log
admin socket = $C/run/\$name.asok
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
[mon.a]
mon data = $C/mon
[osd.0]
osd data = $C/osd0
keyring = $C/osd0/keyring
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $C/rgw
keyring = $C/rgw/keyring
# SSE-C over plain http (tests only; real deployments keep the TLS requirement).
rgw crypt require ssl = false
CONF

ceph-authtool --create-keyring "$C/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$C/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --addv a "$mon_addr" --fsid "$fsid" "$C/monmap" >/dev/null
ceph-mon -c "$C/ceph.conf" --mkfs -i a --monmap "$C/monmap" --keyring "$C/keyring"
ceph-mon -f -c "$C/ceph.conf" -i a >"$C/log/mon.out" 2>&1 &
echo $! >"$C/mon.pid"
# `ceph` is a Python program: on a busy 2-core machine one call can take well over 10 s.
wait_for "ceph monitor" mon timeout 45 ceph -c "$C/ceph.conf" mon stat

uuid=$(cat /proc/sys/kernel/random/uuid)
id=$(timeout 60 ceph -c "$C/ceph.conf" osd new "$uuid")
ceph-authtool --create-keyring "$C/osd0/keyring" --gen-key -n "osd.$id" >/dev/null
timeout 60 ceph -c "$C/ceph.conf" auth add "osd.$id" osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' \
  -i "$C/osd0/keyring" >/dev/null 2>&1
ceph-osd -c "$C/ceph.conf" -i "$id" --mkfs --osd-uuid "$uuid" --no-mon-config >/dev/null 2>&1
ceph-osd -f -c "$C/ceph.conf" -i "$id" >"$C/log/osd.out" 2>&1 &
echo $! >"$C/osd.pid"
wait_for "ceph OSD" osd osd_up

timeout 60 ceph -c "$C/ceph.conf" auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' -o "$C/rgw/keyring"
radosgw -f -c "$C/ceph.conf" -n client.rgw.a >"$C/log/rgw.out" 2>&1 &
echo $! >"$C/rgw.pid"
wait_for "radosgw port $RGW_PORT" rgw port_open "$RGW_PORT"
timeout 60 radosgw-admin -c "$C/ceph.conf" user create --uid=medusa --display-name=medusa \
  --access-key="${S3_ACCESS_KEY:-MEDUSAAK}" --secret-key="${S3_SECRET_KEY:-MEDUSASECRET}" >/dev/null
echo "radosgw ready on http://127.0.0.1:$RGW_PORT"
