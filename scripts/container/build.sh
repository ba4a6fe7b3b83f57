#!/bin/sh
# The container image's build step (the Dockerfile's build stage RUNs it), also runnable without Docker:
# test/container runs it in a temporary folder, so what the image does is tested where there is no
# Docker engine.
#
#   scripts/container/build.sh SOURCE_DIR TARGET_PREFIX
#
# Packs the checkout in SOURCE_DIR exactly as a user's `npm pack` does, installs the tarball with
# `npm install -g --prefix TARGET_PREFIX` (production dependencies only, at the versions of the
# lockfile, which the tarball carries as npm-shrinkwrap.json; better-sqlite3 compiled here, where the
# build tools are), trims the compiler's leftovers, adds the container's entry point and health check,
# and smoke-tests the result. The runtime stage copies TARGET_PREFIX and nothing else:
#   TARGET_PREFIX/bin/kanaria               the CLI
#   TARGET_PREFIX/bin/kanaria-start         the entry point (start.sh)
#   TARGET_PREFIX/bin/kanaria-healthcheck   the HEALTHCHECK (healthcheck.mjs)
#
# The dev dependencies the build needs (TypeScript) are installed with `npm ci` unless SOURCE_DIR
# already has a node_modules (a developer's checkout; the image's build context never has one).
#
# Environment:
#   KANARIA_NPM_FLAGS     extra flags for npm ci and npm install (the tests pass --offline)
#   KANARIA_SQLITE_ADDON  a better_sqlite3.node already compiled for this node and this better-sqlite3
#                         version: the install skips scripts and uses it instead of compiling. For tests
#                         on machines where the compile takes minutes; the image never sets it.
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: $0 SOURCE_DIR TARGET_PREFIX" >&2
  exit 2
fi
source_dir=$(cd "$1" && pwd)
mkdir -p "$2"
target=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
flags=${KANARIA_NPM_FLAGS:-}
addon=${KANARIA_SQLITE_ADDON:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$source_dir"
if [ ! -d node_modules ]; then
  # The build needs TypeScript, not the SQLite addon: that is compiled once, in the installed tree.
  # shellcheck disable=SC2086 # flags are words on purpose
  npm ci --ignore-scripts --no-audit --no-fund $flags
fi
# prepack cleans dist/ and writes npm-shrinkwrap.json, prepare builds, postpack removes the copy.
npm pack --pack-destination "$work" >"$work/pack.log"
tarball=$(ls "$work"/kanaria-*.tgz)

if [ -n "$addon" ]; then
  # shellcheck disable=SC2086
  npm install -g --prefix "$target" --no-audit --no-fund --ignore-scripts $flags "$tarball"
else
  # npm 11 warns that it will block dependencies' install scripts unless allowed: better-sqlite3's compiles.
  # shellcheck disable=SC2086
  npm install -g --prefix "$target" --no-audit --no-fund --allow-scripts=better-sqlite3 $flags "$tarball"
fi

sqlite="$target/lib/node_modules/kanaria/node_modules/better-sqlite3"
if [ -n "$addon" ]; then
  mkdir -p "$sqlite/build/Release"
  cp "$addon" "$sqlite/build/Release/better_sqlite3.node"
fi
# Only the compiled addon is loaded at run time; the SQLite sources and object files (~20 MB) are not.
find "$sqlite/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
find "$sqlite/build/Release" -mindepth 1 -maxdepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
rm -rf "$sqlite/deps" "$sqlite/src"

cp "$here/start.sh" "$target/bin/kanaria-start"
cp "$here/healthcheck.mjs" "$target/bin/kanaria-healthcheck"
chmod 0755 "$target/bin/kanaria-start" "$target/bin/kanaria-healthcheck"

# The image must not build if the program cannot start or open a database (addon, migrations).
"$target/bin/kanaria" --version
"$target/bin/kanaria" migrate --db "$work/smoke/kanaria.db"
