#!/usr/bin/env bash
# Start a Docker daemon in the background unless one already answers, then wait for it.
#
#   tests/docker/start-dockerd.sh            # uses DOCKERD_FLAGS if set
#   DOCKERD_LOG=/tmp/dockerd.log DOCKERD_WAIT=60 tests/docker/start-dockerd.sh
#
# Exit 0 when `docker info` answers; non-zero with the tail of the daemon log when it never
# does. When the plain daemon fails it retries once with --iptables=false --bridge=none
# (sandboxes without netfilter); that mode has no bridge network, so the bridge tests of
# tests/integration/test_docker_backend.py would fail there.
set -euo pipefail

log=${DOCKERD_LOG:-/tmp/dockerd.log}
wait_s=${DOCKERD_WAIT:-60}

if docker info >/dev/null 2>&1; then
    echo "start-dockerd: a Docker daemon already answers ($(docker version --format '{{.Server.Version}}'))"
    exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
    echo "start-dockerd: dockerd is not installed (apt-get install docker.io)" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "start-dockerd: dockerd must run as root (try: sudo $0)" >&2
    exit 1
fi

wait_for_daemon() {  # $1 = pid, $2 = seconds
    local pid=$1 deadline=$((SECONDS + $2))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if docker info >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            return 1  # dockerd died
        fi
        sleep 0.5
    done
    return 1
}

start() {  # "$@" = dockerd flags
    echo "start-dockerd: starting dockerd${*:+ $*} (log: $log)"
    # setsid: the daemon outlives this script and its process group.
    setsid dockerd "$@" >"$log" 2>&1 < /dev/null &
    local pid=$!
    if wait_for_daemon "$pid" "$wait_s"; then
        echo "start-dockerd: dockerd (pid $pid) answers: server $(docker version --format '{{.Server.Version}}')"
        return 0
    fi
    echo "start-dockerd: dockerd${*:+ $*} did not answer within ${wait_s}s; last log lines:" >&2
    tail -n 25 "$log" >&2 || true
    kill "$pid" 2>/dev/null || true
    return 1
}

# shellcheck disable=SC2086 # DOCKERD_FLAGS is a list of flags on purpose
if [ -n "${DOCKERD_FLAGS:-}" ]; then
    start $DOCKERD_FLAGS
    exit $?
fi
start && exit 0
echo "start-dockerd: retrying without iptables and without the default bridge" >&2
rm -f /var/run/docker.pid
start --iptables=false --bridge=none
