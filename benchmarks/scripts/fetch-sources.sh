#!/usr/bin/env bash
# fetch-sources.sh DEST
#
# Downloads and unpacks the Debian source packages of zlib, lua5.4 and git into DEST,
# for the real-project tests and benchmarks (real-project.sh, git-rebuild.sh, ...).
# DEST is a scratch directory: never point it at a tracked part of the repository
# (third-party sources must not be committed). Callers use <repo>/work/corpus, which .gitignore ignores (work/).
#
# What it does, in order:
#   1. makes sure APT knows Debian's source indexes ("deb-src"):
#        - deb822 style: /etc/apt/sources.list.d/debian.sources gets
#          "Types: deb deb-src" on every stanza whose Types lacks deb-src;
#        - classic style: /etc/apt/sources.list gets a "deb-src" twin for every
#          active "deb" line of a Debian mirror that has none (commented-out
#          "# deb-src" lines are simply re-enabled when present);
#      the original file is saved once as /etc/apt/<name>.before-deb-src
#      (outside sources.list.d, so APT does not read the copy);
#   2. runs `apt-get update` only if step 1 changed something (or, later, if
#      `apt-get source` fails, in case the source lists are merely stale);
#   3. installs dpkg-dev when dpkg-source (needed to unpack) is missing;
#   4. `apt-get source zlib`, `apt-get source lua5.4` and `apt-get source git` in
#      DEST, skipping a package whose unpacked directory is already there; when the
#      mirror does not serve the newest listed version, each older listed version is
#      tried in turn.
#
# Output: all progress goes to stderr; stdout gets exactly three lines at the end,
# the unpacked zlib, lua5.4 and git directories (absolute paths), in that order.
# (Until issue 22 it printed two; callers read the lines by position.)
# Needs root (it edits APT's configuration and may install a package).
set -euo pipefail

readonly DEB822_FILE=/etc/apt/sources.list.d/debian.sources
readonly CLASSIC_FILE=/etc/apt/sources.list
readonly PACKAGES=(zlib lua5.4 git)

log() { printf 'fetch-sources: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	printf 'usage: %s DEST\n' "${0##*/}" >&2
	exit 2
}

[[ $# -eq 1 && -n $1 ]] || usage
[[ $(id -u) -eq 0 ]] || die "must run as root (it edits APT sources and may install dpkg-dev)"

mkdir -p -- "$1"
DEST=$(cd -- "$1" && pwd -P)
readonly DEST

# Non-interactive apt everywhere; -q keeps the logs short.
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -q -y "$@" >&2; }

# Saves a pristine copy of an APT source file before its first edit.
backup_once() {
	local file=$1 copy
	copy=/etc/apt/$(basename -- "$file").before-deb-src
	[[ -e $copy ]] || cp -p -- "$file" "$copy"
}

# --- step 1: deb-src entries ---------------------------------------------------

# deb822: appends " deb-src" to every "Types:" line that names deb but not deb-src.
# Returns 0 when the file was changed.
enable_deb822_sources() {
	local file=$1
	[[ -f $file ]] || return 1
	# Is there a Types line without deb-src?
	if ! grep -E '^Types:' "$file" | grep -Eqv '[[:space:]]deb-src([[:space:]]|$)'; then
		return 1 # every stanza already has deb-src
	fi
	backup_once "$file"
	sed -E -i '/^Types:/{/[[:space:]]deb-src([[:space:]]|$)/!s/[[:space:]]*$/ deb-src/}' "$file"
	log "enabled deb-src in $file"
	return 0
}

# Classic one-line format. Returns 0 when the file was changed.
enable_classic_sources() {
	local file=$1 line uri_rest tmp changed=1
	[[ -f $file ]] || return 1
	# Already has an active deb-src line: nothing to do.
	if grep -Eq '^[[:space:]]*deb-src[[:space:]]' "$file"; then
		return 1
	fi
	# Commented-out deb-src lines (Debian's installer writes them): re-enable.
	if grep -Eq '^[[:space:]]*#[[:space:]]*deb-src[[:space:]]' "$file"; then
		backup_once "$file"
		sed -E -i 's/^[[:space:]]*#[[:space:]]*(deb-src[[:space:]])/\1/' "$file"
		log "re-enabled commented deb-src lines in $file"
		return 0
	fi
	# Otherwise add a deb-src twin after every active Debian "deb" line. The loop
	# is bounded by the file's length.
	tmp=$(mktemp)
	while IFS= read -r line || [[ -n $line ]]; do
		printf '%s\n' "$line" >>"$tmp"
		if [[ $line =~ ^[[:space:]]*deb[[:space:]]+(.*)$ ]]; then
			uri_rest=${BASH_REMATCH[1]}
			# Only Debian's own archives are sure to carry sources.
			if [[ $uri_rest == *debian* ]]; then
				printf 'deb-src %s\n' "$uri_rest" >>"$tmp"
				changed=0
			fi
		fi
	done <"$file"
	if [[ $changed -eq 0 ]]; then
		backup_once "$file"
		cat -- "$tmp" >"$file" # keeps the file's owner and mode
		log "added deb-src lines to $file"
	fi
	rm -f -- "$tmp"
	return "$changed"
}

need_update=false
if enable_deb822_sources "$DEB822_FILE"; then need_update=true; fi
if enable_classic_sources "$CLASSIC_FILE"; then need_update=true; fi
if [[ ! -f $DEB822_FILE && ! -f $CLASSIC_FILE ]]; then
	log "warning: neither $DEB822_FILE nor $CLASSIC_FILE exists; assuming deb-src is configured elsewhere"
fi

# --- step 2: apt-get update when needed -------------------------------------

updated=false
apt_update() {
	if [[ $updated == false ]]; then
		log "running apt-get update"
		apt_get update
		updated=true
	fi
}
if [[ $need_update == true ]]; then apt_update; fi

# --- step 3: dpkg-source ------------------------------------------------------

if ! command -v dpkg-source >/dev/null 2>&1; then
	log "installing dpkg-dev (for dpkg-source)"
	if ! apt_get install --no-install-recommends dpkg-dev; then
		apt_update
		apt_get install --no-install-recommends dpkg-dev
	fi
fi

# --- step 4: the sources --------------------------------------------------------

# Newest unpacked directory of a source package in DEST ("" when none). apt-get
# source unpacks <pkg>-<upstream version>/ next to <pkg>_<version>.* files.
unpacked_dir() {
	local pkg=$1 d best=""
	for d in "$DEST/$pkg"-*/; do
		[[ -d $d ]] || continue
		if [[ -z $best ]] || [[ $(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n 1) == "$d" ]]; then
			best=$d
		fi
	done
	printf '%s' "${best%/}"
}

# apt-get source runs as root here; -o APT::Sandbox::User=root avoids the
# "download is performed unsandboxed" warning about the _apt user.
fetch_one() {
	local pkg=$1
	(cd -- "$DEST" && apt-get -q -y -o APT::Sandbox::User=root source "$pkg" >&2)
}

# Every version of a source package the indexes list, newest first. A mirror can list a
# version whose files it does not serve (seen: bookworm-security's zlib
# 1:1.2.13.dfsg-1+deb12u1 answered 404 while bookworm's 1:1.2.13.dfsg-1 was there), so
# the fallback walks down this list.
source_versions() {
	apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -u -r -V
}

# The newest listed version that can be downloaded, trying each in turn (bounded by the
# number of versions listed); APT's own choice when the indexes list none.
fetch_any_version() {
	local pkg=$1 version tried=false
	while IFS= read -r version; do
		tried=true
		log "$pkg: apt-get source $pkg=$version"
		fetch_one "$pkg=$version" && return 0
	done < <(source_versions "$pkg")
	[[ $tried == true ]] || fetch_one "$pkg"
}

for pkg in "${PACKAGES[@]}"; do
	if [[ -n $(unpacked_dir "$pkg") ]]; then
		log "$pkg: already unpacked in $(unpacked_dir "$pkg"), skipping"
		continue
	fi
	if ! fetch_any_version "$pkg"; then
		if [[ $updated == true ]]; then
			die "apt-get source $pkg failed for every listed version"
		fi
		log "$pkg: apt-get source failed; updating the package lists and retrying once"
		apt_update
		fetch_any_version "$pkg" || die "apt-get source $pkg failed for every listed version"
	fi
	[[ -n $(unpacked_dir "$pkg") ]] || die "$pkg: no unpacked directory in $DEST after apt-get source"
done

for pkg in "${PACKAGES[@]}"; do
	unpacked_dir "$pkg"
	printf '\n'
done
