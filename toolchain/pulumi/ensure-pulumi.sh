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
LOG_NAME=ensure-pulumi CACHE_NAME=pulumi-cli VERSION=$PULUMI_VERSION
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"

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
STAMP="pulumi=v$PULUMI_VERSION nodejs-host=v$NODEJS_HOST_VERSION inputs=$(
  inputs_hash "recipe=$BUILD_RECIPE pulumi=$PULUMI_VERSION host=$NODEJS_HOST_VERSION" \
    "$HERE/go.mod" "$HERE/go.sum" "$HERE/nodejs-host/go.mod" "$HERE/nodejs-host/go.sum"
)"
exit_if_cached "$CACHE_DIR/bin" pulumi pulumi-language-nodejs

# ---- 3./4. build from source ---------------------------------------------------------
find_go
lock_build "$PULUMI_VERSION"
exit_if_cached "$CACHE_DIR/bin" pulumi pulumi-language-nodejs
start_build
mkdir -p "$TMP/logs"

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
    build_failed "$TMP/logs/$label.log" "last-failed-build-$label.log" "go build of $label failed (exit $rc)"
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
install_build
log "built Pulumi CLI v$PULUMI_VERSION in $((SECONDS - t0))s -> $CACHE_DIR/bin"
printf '%s\n' "$CACHE_DIR/bin"
