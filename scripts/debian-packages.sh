#!/usr/bin/env bash
# Installs the Debian packages Plenary's tests and media stack need, when any is missing.
# As root it installs them; otherwise it prints the command to run and fails.
set -euo pipefail

packages=(
  # Browser tests (driven by playwright-core) and screenshots.
  chromium fonts-liberation
  # Media: test sources, recording, probing.
  ffmpeg
  # Building mediasoup-worker from the sources in its npm package (sfu/worker-build).
  g++ make meson ninja-build pkg-config patch
  libuv1-dev libssl-dev libsrtp2-dev libflatbuffers-dev flatbuffers-compiler libabsl-dev
  # Checkers for deploy/ (test/deploy/*.test.ts).
  caddy coturn yamllint python3-yaml groovy systemd
  # The TURN-over-TLS test's self-signed certificate (test/e2e/turn-relay.test.ts).
  openssl
  # PostgreSQL, the second database: tests start throwaway clusters (test/support/postgres.ts).
  postgresql
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "plenary: these Debian packages are missing: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "[plenary setup] installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
