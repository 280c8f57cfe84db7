#!/usr/bin/env bash
# ensure-pulumi-yaml.sh - make sure the Pulumi YAML language host
# `pulumi-language-yaml` exists, and print the directory that holds it
# (stdout, last line). Progress and errors go to stderr.
#
# Order:
#   0. $PULUMI_YAML_HOST_DIR set -> use that directory (it must hold an
#      executable `pulumi-language-yaml`), nothing else is tried.
#   1. A cached build whose stamp matches the pins  -> use it.
#   2. Build it with `go build` from the pinned module in this directory
#      (go.mod/go.sum: github.com/pulumi/pulumi-yaml) into the cache.
#   3. No usable Go toolchain -> explain how to get the YAML host, exit 1.
#
# A `pulumi-language-yaml` on PATH is deliberately NOT used: put the printed
# directory on PATH (before the Pulumi CLI's) so the engine runs the pinned one.
set -euo pipefail

# ---- pins (keep in step with go.mod; see README.md) ----
PULUMI_YAML_VERSION=1.25.0   # github.com/pulumi/pulumi-yaml
BUILD_RECIPE=1               # bump when the build command below changes

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG_NAME=ensure-pulumi-yaml CACHE_NAME=pulumi-yaml VERSION=$PULUMI_YAML_VERSION
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"

install_hint() {
  cat >&2 <<HINT
[ensure-pulumi-yaml] No pulumi-language-yaml was found and it cannot be built here.
  Either point PULUMI_YAML_HOST_DIR at a directory holding a
  pulumi-language-yaml v$PULUMI_YAML_VERSION executable, e.g.
      export PULUMI_YAML_HOST_DIR=\$HOME/.pulumi/bin
  (the official Pulumi CLI download ships it), or install Go >= $1
  (https://go.dev/doc/install) and run this script again (the first build
  takes a few minutes; later runs reuse the cache).
HINT
}

# ---- 0. explicit override ----
if [ -n "${PULUMI_YAML_HOST_DIR:-}" ]; then
  dir=$(cd "$PULUMI_YAML_HOST_DIR" 2>/dev/null && pwd) || die "PULUMI_YAML_HOST_DIR=$PULUMI_YAML_HOST_DIR is not a directory"
  [ -x "$dir/pulumi-language-yaml" ] || die "PULUMI_YAML_HOST_DIR=$dir has no executable 'pulumi-language-yaml'"
  log "using PULUMI_YAML_HOST_DIR=$dir"
  printf '%s\n' "$dir"
  exit 0
fi

# ---- 1. cached build ----
STAMP="pulumi-yaml=v$PULUMI_YAML_VERSION inputs=$(
  inputs_hash "recipe=$BUILD_RECIPE pulumi-yaml=$PULUMI_YAML_VERSION" "$HERE/go.mod" "$HERE/go.sum"
)"
exit_if_cached "$CACHE_DIR/bin" pulumi-language-yaml

# ---- 2./3. build from source ----
find_go
lock_build "pulumi-language-yaml $PULUMI_YAML_VERSION"
exit_if_cached "$CACHE_DIR/bin" pulumi-language-yaml
start_build

PKG=github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
EXE="$TMP/bin/pulumi-language-yaml"
t0=$SECONDS
log "building pulumi-language-yaml v$PULUMI_YAML_VERSION from Go modules with $GO (go $go_have) into $CACHE_DIR ..."
log "(first build takes a few minutes on 2 cores; later runs reuse the cache)"
# In the background, with a progress line every 15 s (packages compiled so far,
# from `go build -v`); cleanup (lib.sh) stops it if this script is interrupted.
( cd "$HERE" && exec "$GO" build -v -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$PULUMI_YAML_VERSION" \
    -o "$EXE" "$PKG" ) >"$TMP/build.log" 2>&1 &
BUILD_PID=$!
last=$SECONDS
while kill -0 "$BUILD_PID" 2>/dev/null; do
  sleep 1
  if [ $((SECONDS - last)) -ge 15 ]; then
    last=$SECONDS
    n=$(grep -vc '^go: downloading' "$TMP/build.log" || true)
    log "  still building... $((SECONDS - t0))s, $n packages compiled"
  fi
done
rc=0
wait "$BUILD_PID" || rc=$?
BUILD_PID=
[ "$rc" -eq 0 ] || build_failed "$TMP/build.log" last-failed-build.log "go build of pulumi-language-yaml failed (exit $rc)"

# The host has no --version flag (run without flags it starts its gRPC server
# and waits), so check that it runs (`-help` prints its flags and exits 0) and
# that its build info names the pinned module. (The -X version is not in the
# build info: -trimpath leaves -ldflags out of it.)
usage=$("$EXE" -help 2>&1 || true)
case $usage in *-root*) ;; *) die "built pulumi-language-yaml does not run (no usage from -help)" ;; esac
info=$("$GO" version -m "$EXE" 2>/dev/null || true)
grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/pulumi/pulumi-yaml[[:space:]]+v$PULUMI_YAML_VERSION[[:space:]]" <<<"$info" \
  || die "built pulumi-language-yaml is not from github.com/pulumi/pulumi-yaml v$PULUMI_YAML_VERSION"
rm -f "$TMP/build.log"
install_build
log "built pulumi-language-yaml v$PULUMI_YAML_VERSION in $((SECONDS - t0))s -> $CACHE_DIR/bin"
printf '%s\n' "$CACHE_DIR/bin"
