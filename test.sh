#!/usr/bin/env bash
# Runs every test: unit tests (surefire) and integration tests with the real gcc, clang,
# RocksDB and daemon (failsafe, *IT), including the real-project builds of Debian's zlib,
# lua5.4 and git sources. Builds dist/ on the way (the integration tests drive dist/bin/cache).
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B verify "$@"
