#!/bin/sh
# The container's entry point (installed as bin/kanaria-start by build.sh; the Dockerfile's ENTRYPOINT):
# before a command that writes the database (serve, migrate) it checks that the data folder, where
# kanaria.yaml's store.path should point, is there and writable by this user, and says what to mount
# when it is not, instead of SQLite's "unable to open database file". Then it becomes `kanaria`
# (exec: the process receives ECS's SIGTERM itself and shuts down cleanly).
#
# KANARIA_DATA: the data folder (the image sets /data, its VOLUME).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${KANARIA_DATA:-/data}

case "${1:-}" in
serve | migrate)
  if [ ! -d "$data" ]; then
    echo "kanaria-start: the data folder $data does not exist; mount a volume there (KANARIA_DATA names it), and point kanaria.yaml's store.path into it" >&2
    exit 1
  fi
  probe="$data/.kanaria-write-check.$$"
  if ! (umask 077 && : >"$probe") 2>/dev/null; then
    echo "kanaria-start: the data folder $data is not writable by uid $(id -u), so the database cannot live there; mount a volume this user can write (on EFS, an access point with uid $(id -u)), or set KANARIA_DATA to one" >&2
    exit 1
  fi
  rm -f "$probe"
  ;;
esac

exec "$here/kanaria" "$@"
