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
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-intune-domain-join/actionlint"
CACHE_DIR="$CACHE_ROOT/$ACTIONLINT_VERSION"

log() { printf '[ensure-actionlint] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_hint() {
  cat >&2 <<HINT
[ensure-actionlint] No actionlint was found and it cannot be built here.
  Either point ACTIONLINT at an actionlint v$ACTIONLINT_VERSION executable, e.g.
      export ACTIONLINT=\$HOME/go/bin/actionlint
  or install Go >= $1 (https://go.dev/doc/install) and run this script again
  (the build takes about half a minute; later runs reuse the cache).
HINT
}

version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

# ---- 0. explicit override ----
if [ -n "${ACTIONLINT:-}" ]; then
  [ -x "$ACTIONLINT" ] || die "ACTIONLINT=$ACTIONLINT is not an executable file"
  log "using ACTIONLINT=$ACTIONLINT"
  printf '%s\n' "$ACTIONLINT"
  exit 0
fi

# ---- 1. cached build ----
inputs_hash() {
  { printf 'recipe=%s actionlint=%s\n' "$BUILD_RECIPE" "$ACTIONLINT_VERSION"
    cat "$HERE/go.mod" "$HERE/go.sum"
  } | sha256sum | cut -d' ' -f1
}
STAMP="actionlint=v$ACTIONLINT_VERSION inputs=$(inputs_hash)"

cache_ok() {
  [ -x "$CACHE_DIR/bin/actionlint" ] && [ -f "$CACHE_DIR/stamp" ] && [ "$(cat "$CACHE_DIR/stamp")" = "$STAMP" ]
}

if cache_ok; then
  log "using cached build $CACHE_DIR/bin/actionlint"
  printf '%s\n' "$CACHE_DIR/bin/actionlint"
  exit 0
fi

# ---- 2./3. build from source ----
GO_REQ=$(awk '$1 == "go" { print $2; exit }' "$HERE/go.mod")
GO=$(command -v go 2>/dev/null || true)
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
if [ -z "$GO" ]; then
  install_hint "$GO_REQ"; exit 1
fi
go_have=$(GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null || true); go_have=${go_have#go}
if [ -z "$go_have" ] || ! version_ge "$go_have" "$GO_REQ"; then
  log "found $GO (go ${go_have:-unknown}), but go.mod needs go >= $GO_REQ"
  install_hint "$GO_REQ"; exit 1
fi

mkdir -p "$CACHE_ROOT"
# One build at a time; a second caller waits, then reuses it.
exec 9>"$CACHE_ROOT/$ACTIONLINT_VERSION.lock"
if command -v flock >/dev/null 2>&1; then
  flock -n 9 || { log "another build of actionlint $ACTIONLINT_VERSION is running; waiting for it..."; flock 9; }
fi
if cache_ok; then
  log "using cached build $CACHE_DIR/bin/actionlint"
  printf '%s\n' "$CACHE_DIR/bin/actionlint"
  exit 0
fi

TMP=$(mktemp -d "$CACHE_ROOT/.build-$ACTIONLINT_VERSION.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP/bin"
chmod 755 "$TMP"

# Modules come only from go.sum-verified downloads (-mod=readonly: never
# rewrite go.mod/go.sum); no go.work; never switch toolchains behind our back.
export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false"

t0=$SECONDS
log "building actionlint v$ACTIONLINT_VERSION from Go modules with $GO (go $go_have) into $CACHE_DIR ..."
if ! (cd "$HERE" && "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/rhysd/actionlint.version=v$ACTIONLINT_VERSION" \
    -o "$TMP/bin/actionlint" github.com/rhysd/actionlint/cmd/actionlint) >"$TMP/build.log" 2>&1; then
  tail -n 40 "$TMP/build.log" >&2
  cp "$TMP/build.log" "$CACHE_ROOT/last-failed-build.log" 2>/dev/null || true
  die "go build of actionlint failed; log kept in $CACHE_ROOT/last-failed-build.log"
fi

got=$("$TMP/bin/actionlint" -version 2>/dev/null | head -n1 || true)
[ "$got" = "v$ACTIONLINT_VERSION" ] || die "built actionlint reports version '$got', expected v$ACTIONLINT_VERSION"
printf '%s\n' "$STAMP" >"$TMP/stamp"
rm -f "$TMP/build.log"

if [ -e "$CACHE_DIR" ]; then
  old="$CACHE_ROOT/.old-$ACTIONLINT_VERSION.$$"
  mv "$CACHE_DIR" "$old"
  mv "$TMP" "$CACHE_DIR"
  rm -rf "$old"
else
  mv "$TMP" "$CACHE_DIR"
fi
trap - EXIT
log "built actionlint v$ACTIONLINT_VERSION in $((SECONDS - t0))s -> $CACHE_DIR/bin/actionlint"
printf '%s\n' "$CACHE_DIR/bin/actionlint"
