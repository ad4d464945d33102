#!/usr/bin/env bash
# npm run demo: medusa-ts end to end on a throwaway real Cassandra node (test harness), local storage.
#   1. starts a Cassandra node in a temporary folder (free ports on 127.0.0.1)
#   2. writes sample data (keyspace demo, table users with a secondary index)
#   3. medusa backup, medusa list-backups, medusa verify
#   4. once restore-node exists: empties the table, restores the backup in place, shows the rows are back
# The node is always torn down and the folder removed (set DEMO_KEEP=1 to keep the folder).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# Node 24 for everything below, even when started as plain `npm run demo` on an older node.
PATH="$(scripts/node24.sh):$PATH"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build

DEMO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/medusa-demo-XXXXXX")
teardown() {
  local code=$?
  step "Tearing down the demo node"
  node --import tsx "$ROOT/test/harness/cli.ts" node down --dir "$DEMO_DIR/node1" --grace 20 || true
  if [ "${DEMO_KEEP:-0}" = 1 ]; then echo "kept $DEMO_DIR"; else rm -rf "$DEMO_DIR"; fi
  exit "$code"
}
trap teardown EXIT INT TERM

step "Starting a throwaway Cassandra node (first run downloads Cassandra's jars, a few minutes)"
NODE_JSON=$(node --import tsx "$ROOT/test/harness/cli.ts" node up --dir "$DEMO_DIR/node1")
field() { node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(process.argv[2].split(".").reduce((o, k) => o[k], d))' "$NODE_JSON" "$1"; }
HOST=$(field host)

step "Writing sample data"
node --import tsx "$ROOT/scripts/demo-cql.ts" write "$NODE_JSON"

cat > "$DEMO_DIR/medusa.ini" <<INI
[storage]
storage_provider = local
base_path = $DEMO_DIR/backups
bucket_name = demo-bucket
fqdn = $HOST
concurrent_transfers = 2
use_sudo_for_restore = False

[cassandra]
config_file = $(field cassandraYaml)
nodetool_executable = $(field bin.nodetool)
start_cmd = $(field bin.start) --wait 180
stop_cmd = $(field bin.stop)
resolve_ip_addresses = False
use_sudo = False
INI
medusa() { (set -x; "$ROOT/bin/medusa" --config-file "$DEMO_DIR/medusa.ini" "$@"); }

step "Backing up the node"
medusa backup --backup-name demo1
step "Listing backups"
medusa list-backups
step "Verifying the backup"
medusa verify --backup-name demo1 --enable-md5-checks

if ! "$ROOT/bin/medusa" restore-node --help >/dev/null 2>&1; then
  step "Stopping here: restore-node is not available in this build yet"
  exit 0
fi

step "Emptying demo.users (rows before: $(node --import tsx "$ROOT/scripts/demo-cql.ts" count "$NODE_JSON"))"
node --import tsx "$ROOT/scripts/demo-cql.ts" truncate "$NODE_JSON"
echo "rows now: $(node --import tsx "$ROOT/scripts/demo-cql.ts" count "$NODE_JSON")"
step "Restoring backup demo1 in place"
medusa restore-node --backup-name demo1 --temp-dir "$DEMO_DIR/tmp"
step "Rows after the restore: $(node --import tsx "$ROOT/scripts/demo-cql.ts" count "$NODE_JSON")"
