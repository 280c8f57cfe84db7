#!/usr/bin/env bash
# ensure-pulumi.sh - make sure a Pulumi CLI and its Node.js language host exist,
# and print the directory that holds `pulumi` and `pulumi-language-nodejs`
# (stdout, last line). Progress and errors go to stderr.
#
# Order:
#   0. $PULUMI_CLI_DIR set      -> use that directory, nothing else is tried.
#   1. `pulumi` on PATH, version >= $PULUMI_MIN_VERSION, with
#      `pulumi-language-nodejs` beside it or on PATH  -> use it
#      (skip this step with PULUMI_CLI_IGNORE_PATH=1).
#   2. A cached build whose stamp matches the pins  -> use it.
#   3. Build both binaries with `go build` from the pinned modules in this
#      directory (go.mod/go.sum and nodejs-host/go.mod/go.sum) into the cache.
#   4. No usable Go toolchain -> explain how to install Pulumi, exit 1.
#
# The dynamic-provider plugin `pulumi-resource-pulumi-nodejs` is NOT handled
# here: it is a script shipped in node_modules/@pulumi/pulumi; put that
# directory on PATH next to the directory printed by this script.
set -euo pipefail

# ---- pins (keep in step with go.mod and nodejs-host/go.mod; see README.md) ----
PULUMI_VERSION=3.276.0       # github.com/pulumi/pulumi/pkg/v3 + sdk/v3
NODEJS_HOST_VERSION=3.68.0   # github.com/pulumi/pulumi/sdk/v3 (last release containing the host)
BUILD_RECIPE=1               # bump when the build command below changes
PULUMI_MIN_VERSION=${PULUMI_MIN_VERSION:-$PULUMI_VERSION}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-intune-domain-join/pulumi-cli"
CACHE_DIR="$CACHE_ROOT/$PULUMI_VERSION"

log() { printf '[ensure-pulumi] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_hint() {
  cat >&2 <<EOF
[ensure-pulumi] No usable Pulumi CLI was found and it cannot be built here.
  Either install the Pulumi CLI (>= $PULUMI_MIN_VERSION, with its
  pulumi-language-nodejs) from https://www.pulumi.com/docs/install/ and put it
  on PATH, or point PULUMI_CLI_DIR at a directory holding both \`pulumi\` and
  \`pulumi-language-nodejs\`, e.g.
      export PULUMI_CLI_DIR=\$HOME/.pulumi/bin
  To build it from source instead, install Go >= $1 (https://go.dev/doc/install)
  and run this script again (the first build takes several minutes).
EOF
}

# version_ge A B: true when version A >= version B (both like 3.276.0, no "v").
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

# ---- 0. explicit override ------------------------------------------------------
if [ -n "${PULUMI_CLI_DIR:-}" ]; then
  dir=$(cd "$PULUMI_CLI_DIR" 2>/dev/null && pwd) || die "PULUMI_CLI_DIR=$PULUMI_CLI_DIR is not a directory"
  [ -x "$dir/pulumi" ] || die "PULUMI_CLI_DIR=$dir has no executable 'pulumi'"
  if [ ! -x "$dir/pulumi-language-nodejs" ] && ! command -v pulumi-language-nodejs >/dev/null 2>&1; then
    log "warning: no pulumi-language-nodejs in $dir or on PATH; directory programs will not run"
  fi
  log "using PULUMI_CLI_DIR=$dir"
  printf '%s\n' "$dir"
  exit 0
fi

# ---- 1. pulumi already on PATH ---------------------------------------------------
if [ "${PULUMI_CLI_IGNORE_PATH:-}" != 1 ] && p=$(command -v pulumi 2>/dev/null); then
  dir=$(cd "$(dirname "$p")" && pwd)
  v=$(PULUMI_SKIP_UPDATE_CHECK=true timeout 60 "$p" version 2>/dev/null | tail -n1 || true)
  v=${v#v}; v=${v%%[-+]*}
  if [ -z "$v" ]; then
    log "ignoring $p: 'pulumi version' printed no version"
  elif ! version_ge "$v" "$PULUMI_MIN_VERSION"; then
    log "ignoring $p: version $v < $PULUMI_MIN_VERSION"
  elif [ -x "$dir/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null 2>&1; then
    log "using pulumi $v from PATH ($dir)"
    printf '%s\n' "$dir"
    exit 0
  else
    log "ignoring $p: no pulumi-language-nodejs beside it or on PATH"
  fi
fi

# ---- 2. cached build ---------------------------------------------------------------
# The stamp ties a build to the exact pins: versions, both go.mod/go.sum pairs
# and the build recipe.
inputs_hash() {
  { printf 'recipe=%s pulumi=%s host=%s\n' "$BUILD_RECIPE" "$PULUMI_VERSION" "$NODEJS_HOST_VERSION"
    cat "$HERE/go.mod" "$HERE/go.sum" "$HERE/nodejs-host/go.mod" "$HERE/nodejs-host/go.sum"
  } | sha256sum | cut -d' ' -f1
}
STAMP="pulumi=v$PULUMI_VERSION nodejs-host=v$NODEJS_HOST_VERSION inputs=$(inputs_hash)"

cache_ok() {
  [ -x "$CACHE_DIR/bin/pulumi" ] && [ -x "$CACHE_DIR/bin/pulumi-language-nodejs" ] &&
    [ -f "$CACHE_DIR/stamp" ] && [ "$(cat "$CACHE_DIR/stamp")" = "$STAMP" ]
}

if cache_ok; then
  log "using cached build $CACHE_DIR/bin"
  printf '%s\n' "$CACHE_DIR/bin"
  exit 0
fi

# ---- 3./4. build from source ---------------------------------------------------------
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
# One build at a time per version; a second caller waits, then reuses it.
exec 9>"$CACHE_ROOT/$PULUMI_VERSION.lock"
if command -v flock >/dev/null 2>&1; then
  flock -n 9 || { log "another build of $PULUMI_VERSION is running; waiting for it..."; flock 9; }
fi
if cache_ok; then
  log "using cached build $CACHE_DIR/bin"
  printf '%s\n' "$CACHE_DIR/bin"
  exit 0
fi

TMP=$(mktemp -d "$CACHE_ROOT/.build-$PULUMI_VERSION.XXXXXX")
BUILD_PID=
cleanup() {
  if [ -n "$BUILD_PID" ]; then kill "$BUILD_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP/bin" "$TMP/logs"
chmod 755 "$TMP"

# Modules come only from go.sum-verified downloads (-mod=readonly: never
# rewrite go.mod/go.sum); no go.work; never switch toolchains behind our back.
export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false"

# go_build LABEL MODULE_DIR VERSION PACKAGE: build one main package into $TMP/bin,
# printing a progress line every 15 s (packages compiled so far, from `go build -v`).
go_build() {
  local label=$1 moddir=$2 ver=$3 pkg=$4 total start rc=0 n last now
  log "resolving $label v$ver (downloads go.sum-pinned modules if needed) ..."
  start=$SECONDS
  total=$(cd "$moddir" && "$GO" list -deps "$pkg" 2>"$TMP/logs/$label.list.log" | wc -l) || total='?'
  log "  resolved in $((SECONDS - start))s"
  log "building $label v$ver ($total packages; only those not in the Go build cache are compiled) ..."
  start=$SECONDS last=$SECONDS
  ( cd "$moddir" && exec "$GO" build -v -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$ver" \
      -o "$TMP/bin/" "$pkg" ) >"$TMP/logs/$label.log" 2>&1 &
  BUILD_PID=$!
  while kill -0 "$BUILD_PID" 2>/dev/null; do
    sleep 1
    now=$SECONDS
    if [ $((now - last)) -ge 15 ]; then
      last=$now
      n=$(grep -vc '^go: downloading' "$TMP/logs/$label.log" || true)
      log "  still building $label... $((now - start))s, $n/$total packages compiled"
    fi
  done
  wait "$BUILD_PID" || rc=$?
  BUILD_PID=
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$TMP/logs/$label.log" >&2
    cp "$TMP/logs/$label.log" "$CACHE_ROOT/last-failed-build-$label.log" 2>/dev/null || true
    die "go build of $label failed (exit $rc); log kept in $CACHE_ROOT/last-failed-build-$label.log"
  fi
  log "  built $label in $((SECONDS - start))s"
}

t0=$SECONDS
log "no usable Pulumi CLI found; building it from Go modules with $GO (go $go_have) into $CACHE_DIR"
log "(first build takes several minutes on 2 cores; later runs reuse the cache)"
go_build pulumi "$HERE" "$PULUMI_VERSION" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
go_build pulumi-language-nodejs "$HERE/nodejs-host" "$NODEJS_HOST_VERSION" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs

got=$(PULUMI_SKIP_UPDATE_CHECK=true "$TMP/bin/pulumi" version 2>/dev/null | tail -n1 || true)
[ "$got" = "v$PULUMI_VERSION" ] || die "built pulumi reports version '$got', expected v$PULUMI_VERSION"
printf '%s\n' "$STAMP" >"$TMP/stamp"

# Move into place atomically: rename the finished directory over the cache slot.
if [ -e "$CACHE_DIR" ]; then
  old="$CACHE_ROOT/.old-$PULUMI_VERSION.$$"
  mv "$CACHE_DIR" "$old"
  mv "$TMP" "$CACHE_DIR"
  rm -rf "$old"
else
  mv "$TMP" "$CACHE_DIR"
fi
log "built Pulumi CLI v$PULUMI_VERSION in $((SECONDS - t0))s -> $CACHE_DIR/bin"
printf '%s\n' "$CACHE_DIR/bin"
