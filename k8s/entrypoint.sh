#!/bin/sh
# The medusa-ts image's entrypoint: one image for the two containers of a k8ssandra / Mission
# Control Cassandra pod, chosen by MEDUSA_MODE as in Medusa's own image:
#   MEDUSA_MODE=GRPC     the `medusa` side-car: the gRPC agent (`medusa grpc-server`), which re-reads
#                        /etc/medusa/medusa.ini between requests, so no restart-on-change loop here;
#   MEDUSA_MODE=RESTORE  the `medusa-restore` init container: `medusa k8s-restore` restores
#                        BACKUP_NAME once per RESTORE_KEY (RESTORE_MAPPING, POD_NAME; .last-restore);
#   anything else        exits 1 with one line saying what is expected.
# DEBUG_SLEEP (seconds, default 0) is slept first, so a pod can be entered before it does anything.
# `medusa` is found on PATH and reads /etc/medusa/medusa.ini, as Medusa does.
set -eu

mode="${MEDUSA_MODE:-}"
echo "MEDUSA_MODE = $mode"

pause="${DEBUG_SLEEP:-0}"
case "$pause" in
  '' | *[!0-9.]* | *.*.* | .)
    echo "DEBUG_SLEEP must be a number of seconds, got '$pause'" >&2
    exit 1
    ;;
esac
if [ "$pause" != 0 ]; then
  echo "sleeping for $pause sec"
  sleep "$pause"
fi

case "$mode" in
  GRPC) exec medusa grpc-server ;;
  RESTORE) exec medusa k8s-restore ;;
  *)
    echo "MEDUSA_MODE must be GRPC (the gRPC agent) or RESTORE (the restore init container), got '$mode'" >&2
    exit 1
    ;;
esac
