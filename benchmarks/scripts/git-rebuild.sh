#!/usr/bin/env bash
# git-rebuild.sh [--rounds N] [other interleaved-rebuild.sh options]
#
# Issue 22's benchmark: warm rebuilds (every object already cached) of Debian's git 2.39
# source, the subset GitProjectIT builds (137 objects, see rebuild-lib.sh), cache against
# Debian's ccache on copies of the same tree, each with its own cache directory, by
# interleaved-rebuild.sh (interleaved rounds, medians, counters checked: only direct hits,
# no miss, no uncacheable call), serial (make -j1) and make -j2, for
#   ccache  Debian's ccache, /usr/lib/ccache first on PATH;
#   cache   dist/bin/cache's masquerade links, a warm daemon (the same daemon all along);
#   new     the same, but a just-started daemon: before each timed build
#           `cache --stop-daemon` (untimed), so the build's first compile starts it.
# Rounds default to 8 (the median is over rounds 3-8). Sources: fetch-sources.sh into
# <repo>/work/corpus (root needed once). Example, as in docs/benchmarks.md:
#   benchmarks/scripts/git-rebuild.sh --rounds 8
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
readonly SCRIPT_DIR
rounds=(--rounds 8)
[[ " $* " != *" --rounds "* ]] || rounds=()
exec "$SCRIPT_DIR/interleaved-rebuild.sh" --project git --jobs 1,2 "${rounds[@]}" "$@" \
	ccache=TOOL=ccache cache= new=FRESH_DAEMON=auto
