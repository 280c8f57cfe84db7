#!/usr/bin/env bash
# ensure-actionlint.sh - make sure an actionlint binary exists and print its
# path (stdout, last line). Progress and errors go to stderr.
#
# Order:
#   0. $ACTIONLINT set        -> use that executable, nothing else is tried.
#   1. A cached build whose stamp matches the pins  -> use it.
#   2. Build it with `go build` from the pinned module in this directory
#      (go.mod/go.sum: github.com/rhysd/actionlint) into the cache.
#   3. No usable Go toolchain -> explain how to install actionlint, exit 1.
#
# An `actionlint` on PATH is deliberately NOT used: its version decides which
# findings are reported, and the lint test must give the same answer everywhere.
set -euo pipefail

# ---- pins (keep in step with go.mod) ----
ACTIONLINT_VERSION=1.7.12   # github.com/rhysd/actionlint
BUILD_RECIPE=1              # bump when the build command below changes

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG_NAME=ensure-actionlint CACHE_NAME=actionlint VERSION=$ACTIONLINT_VERSION
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"

install_hint() {
  cat >&2 <<HINT
[ensure-actionlint] No actionlint was found and it cannot be built here.
  Either point ACTIONLINT at an actionlint v$ACTIONLINT_VERSION executable, e.g.
      export ACTIONLINT=\$HOME/go/bin/actionlint
  or install Go >= $1 (https://go.dev/doc/install) and run this script again
  (the build takes about half a minute; later runs reuse the cache).
HINT
}

# ---- 0. explicit override ----
if [ -n "${ACTIONLINT:-}" ]; then
  [ -x "$ACTIONLINT" ] || die "ACTIONLINT=$ACTIONLINT is not an executable file"
  log "using ACTIONLINT=$ACTIONLINT"
  printf '%s\n' "$ACTIONLINT"
  exit 0
fi

# ---- 1. cached build ----
STAMP="actionlint=v$ACTIONLINT_VERSION inputs=$(
  inputs_hash "recipe=$BUILD_RECIPE actionlint=$ACTIONLINT_VERSION" "$HERE/go.mod" "$HERE/go.sum"
)"
exit_if_cached "$CACHE_DIR/bin/actionlint" actionlint

# ---- 2./3. build from source ----
find_go
lock_build "actionlint $ACTIONLINT_VERSION"
exit_if_cached "$CACHE_DIR/bin/actionlint" actionlint
start_build

t0=$SECONDS
log "building actionlint v$ACTIONLINT_VERSION from Go modules with $GO (go $go_have) into $CACHE_DIR ..."
if ! (cd "$HERE" && "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/rhysd/actionlint.version=v$ACTIONLINT_VERSION" \
    -o "$TMP/bin/actionlint" github.com/rhysd/actionlint/cmd/actionlint) >"$TMP/build.log" 2>&1; then
  build_failed "$TMP/build.log" last-failed-build.log "go build of actionlint failed"
fi

got=$("$TMP/bin/actionlint" -version 2>/dev/null | head -n1 || true)
[ "$got" = "v$ACTIONLINT_VERSION" ] || die "built actionlint reports version '$got', expected v$ACTIONLINT_VERSION"
rm -f "$TMP/build.log"
install_build
log "built actionlint v$ACTIONLINT_VERSION in $((SECONDS - t0))s -> $CACHE_DIR/bin/actionlint"
printf '%s\n' "$CACHE_DIR/bin/actionlint"
