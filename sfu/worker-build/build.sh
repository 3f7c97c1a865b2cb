#!/usr/bin/env bash
# Builds mediasoup-worker from the sources shipped in the mediasoup npm package,
# against Debian's libraries, without downloading anything but the npm tarball.
#
# Usage: bash sfu/worker-build/build.sh [MEDIASOUP_VERSION]
#   export MEDIASOUP_WORKER_BIN=$(bash sfu/worker-build/build.sh | tail -1)
#
# The last line of stdout is the absolute path of the worker binary (empty when
# the prebuilt worker is chosen, see PLENARY_MEDIASOUP_WORKER); progress and
# errors go to stderr. See README.md beside this file.
#
# Environment:
#   PLENARY_CACHE_DIR         cache root (default: $HOME/.cache/plenary)
#   PLENARY_MEDIASOUP_WORKER  auto (default) | source | prebuilt
#                             auto: the cached build if there is one, else
#                             mediasoup's prebuilt worker when its download
#                             address answers, else a build from source.
#   PLENARY_AUTO_APT=1        as root, apt-get install missing build packages
#   PLENARY_BUILD_JOBS        ninja -j value (default: ninja's own)
#   PLENARY_KEEP_BUILD=1      keep the build directory after a success
set -euo pipefail

# Everything but the final result goes to stderr.
exec 3>&1 1>&2

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/../.." && pwd)"
default_version="3.27.1"
build_packages=(
	g++ meson ninja-build pkg-config patch
	libuv1-dev libssl-dev libsrtp2-dev libflatbuffers-dev flatbuffers-compiler libabsl-dev
)

log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { printf '[mediasoup-worker] error: %s\n' "$*" >&2; exit 1; }
result() { printf '%s\n' "$1" >&3; exit 0; }

supported_versions() {
	local dir names=()

	for dir in "${script_dir}"/patches/*/; do
		[[ -d "${dir}" ]] && names+=("$(basename "${dir}")")
	done
	printf '%s' "${names[*]:-none}"
}

# The version npm will install: the lockfile's, else package.json's range with
# its operator stripped (pin the exact version there: the worker must match the
# mediasoup package it serves), else the default.
detect_version() {
	local found=""

	if command -v node >/dev/null 2>&1; then
		# shellcheck disable=SC2015 # any failure means "not found"
		found="$(cd "${repo_root}" && node -e '
			const fs = require("fs");
			const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return null; } };
			const lock = read("package-lock.json");
			const pkg = read("package.json");
			const locked = lock?.packages?.["node_modules/mediasoup"]?.version;
			const wanted = pkg?.dependencies?.mediasoup ?? pkg?.optionalDependencies?.mediasoup;
			process.stdout.write(locked ?? (wanted ? wanted.replace(/^[\^~=v\s]+/, "") : ""));
		' 2>/dev/null || true)"
	elif [[ -f "${repo_root}/package.json" ]]; then
		found="$(sed -n 's/.*"mediasoup"[[:space:]]*:[[:space:]]*"[\^~=v]*\([0-9][0-9.]*\)".*/\1/p' \
			"${repo_root}/package.json" | head -n 1)"
	fi
	printf '%s' "${found:-${default_version}}"
}

version="${1:-$(detect_version)}"
[[ "${version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
	die "'${version}' is not an exact mediasoup version (x.y.z); supported: $(supported_versions)"

mode="${PLENARY_MEDIASOUP_WORKER:-auto}"
cache_root="${PLENARY_CACHE_DIR:-${HOME}/.cache/plenary}"
version_dir="${cache_root}/mediasoup-worker/${version}"
binary="${version_dir}/mediasoup-worker"

# Whether mediasoup's own postinstall would find a prebuilt worker for this
# host (same address and file name as getWorkerPrebuildTarName() in
# mediasoup's npm-scripts.mjs).
prebuilt_reachable() {
	local arch base url

	case "$(uname -m)" in
		x86_64) arch="x64" ;;
		aarch64 | arm64) arch="arm64" ;;
		*) return 1 ;;
	esac
	[[ "$(uname -s)" == "Linux" ]] || return 1
	base="${MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL:-https://github.com/versatica/mediasoup/releases/download}"
	url="${base}/${version}/mediasoup-worker-${version}-linux-${arch}-kernel$(uname -r | cut -d. -f1).tgz"
	command -v curl >/dev/null 2>&1 || return 1
	curl --silent --fail --location --head --max-time 8 --output /dev/null "${url}"
}

case "${mode}" in
	source | auto | prebuilt) ;;
	*) die "PLENARY_MEDIASOUP_WORKER must be auto, source or prebuilt (got '${mode}')" ;;
esac

if [[ -x "${binary}" && "${mode}" != "prebuilt" ]]; then
	result "${binary}"
fi

if [[ "${mode}" == "prebuilt" ]] || { [[ "${mode}" == "auto" ]] && prebuilt_reachable; }; then
	log "using mediasoup's prebuilt worker ${version}: leave MEDIASOUP_WORKER_BIN empty and let npm install download it"
	result ""
fi

patch_dir="${script_dir}/patches/${version}"
[[ -d "${patch_dir}" ]] ||
	die "no patch set for mediasoup ${version} (looked in ${patch_dir}); supported versions: $(supported_versions). Pin one of them in package.json, or add patches/${version}/ (see README.md)."

missing=()
if ! command -v dpkg-query >/dev/null 2>&1; then
	for tool in c++ meson ninja pkg-config patch flatc; do
		command -v "${tool}" >/dev/null 2>&1 || missing+=("${tool}")
	done
	((${#missing[@]} == 0)) ||
		die "not a Debian system and missing: ${missing[*]}; install those and the development files of libuv, OpenSSL 3, libsrtp2, flatbuffers and abseil"
else
	for pkg in "${build_packages[@]}"; do
		[[ "$(dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null)" == *"install ok installed"* ]] ||
			missing+=("${pkg}")
	done
fi
if ((${#missing[@]} > 0)); then
	if [[ "${PLENARY_AUTO_APT:-0}" == "1" && "$(id -u)" == "0" ]]; then
		log "installing missing build packages: ${missing[*]}"
		# To stderr: callers read this script's stdout for the binary's path.
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
	else
		die "missing build packages: ${missing[*]}
  install them with:
    apt-get install -y --no-install-recommends ${missing[*]}
  (or rerun as root with PLENARY_AUTO_APT=1)"
	fi
fi
command -v npm >/dev/null 2>&1 || die "npm not found on PATH"

mkdir -p "${version_dir}"

# One build per version at a time; a second caller waits, then finds the cache.
if command -v flock >/dev/null 2>&1; then
	exec 9>"${version_dir}/.lock"
	flock 9
	if [[ -x "${binary}" ]]; then
		result "${binary}"
	fi
	# Holding the lock, any build directory left is from a failed run.
	rm -rf "${version_dir}"/build.*
fi

# Built beside the cached binary, so that moving it in place is one rename.
work="$(mktemp -d "${version_dir}/build.XXXXXX")"
built=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [[ "${built}" == "1" && "${PLENARY_KEEP_BUILD:-0}" != "1" ]]; then
		rm -rf "${work}"
	else
		log "build directory kept: ${work}"
	fi
}
trap cleanup EXIT

log "fetching mediasoup@${version} from the npm registry"
(cd "${work}" && npm pack --silent "mediasoup@${version}" >/dev/null) ||
	die "npm pack mediasoup@${version} failed"
tarball="${work}/mediasoup-${version}.tgz"
[[ -f "${tarball}" ]] || die "npm pack did not produce ${tarball}"

src="${work}/src"
mkdir -p "${src}"
tar -xzf "${tarball}" -C "${src}" --strip-components=1 package/worker package/package.json
packed_version="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "${src}/package.json" | head -n 1)"
[[ "${packed_version}" == "${version}" ]] ||
	die "the tarball holds mediasoup ${packed_version}, expected ${version}"

shopt -s nullglob
patches=("${patch_dir}"/*.patch)
shopt -u nullglob
for patch_file in "${patches[@]}"; do
	log "applying $(basename "${patch_file}")"
	patch -p1 --batch --forward --silent -d "${src}" <"${patch_file}" ||
		die "$(basename "${patch_file}") does not apply to mediasoup ${version}"
done
if [[ -d "${patch_dir}/compat" ]]; then
	log "adding compatibility headers"
	cp -R "${patch_dir}/compat/." "${src}/worker/plenary-compat/"
fi

log "configuring with $(meson --version 2>/dev/null | head -n 1 | sed 's/^/meson /')"
meson setup "${work}/build" "${src}/worker" \
	--wrap-mode=nodownload \
	--buildtype=release \
	>"${work}/meson-setup.log" 2>&1 || {
	tail -n 40 "${work}/meson-setup.log" >&2
	die "meson setup failed (log above)"
}

log "building (ninja mediasoup-worker, several minutes; progress below)"
jobs_args=()
[[ -n "${PLENARY_BUILD_JOBS:-}" ]] && jobs_args=(-j "${PLENARY_BUILD_JOBS}")
started=${SECONDS}
# Progress from ninja's [n/m] lines (ninja-progress.sh); the full output goes to ninja.log.
ninja -C "${work}/build" "${jobs_args[@]}" mediasoup-worker 2>&1 | bash "${script_dir}/ninja-progress.sh" "${work}/ninja.log" || {
	grep -E -A5 'error|FAILED' "${work}/ninja.log" | head -n 60 >&2 || tail -n 40 "${work}/ninja.log" >&2
	die "ninja failed (full log: ${work}/ninja.log)"
}
log "built in $((SECONDS - started)) s"

# Without MEDIASOUP_VERSION the worker exits 41 before doing anything else:
# that proves it loads (shared libraries found) and runs on this host.
status=0
env -i "${work}/build/mediasoup-worker" >/dev/null 2>&1 || status=$?
[[ "${status}" == "41" ]] || die "the built worker does not start on this host (exit ${status}, expected 41)"

# Same file system, so the rename is atomic: a reader sees no binary or a whole one.
mv -f "${work}/build/mediasoup-worker" "${binary}"
built=1
log "cached ${binary}"
result "${binary}"
