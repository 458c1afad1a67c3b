#!/usr/bin/env bash
# Build the local image clauderon-test:latest for the Docker integration tests, without any
# registry: a root filesystem made of the host's static busybox (every applet linked in /bin)
# plus /bin/bash and the libraries ldd lists for it, imported with `docker import`.
#
#   tests/docker/build-test-image.sh           # build unless an identical image exists
#   tests/docker/build-test-image.sh --force   # rebuild
#
# Idempotent: the image carries a label with a hash of its inputs (this script, busybox,
# bash and its libraries); when the existing image has the same hash nothing is done.
# Needs: a reachable Docker daemon, busybox-static (/bin/busybox), optionally bash.
set -euo pipefail

image=${CLAUDERON_TEST_IMAGE:-clauderon-test:latest}
busybox=${BUSYBOX:-/bin/busybox}
force=0
[ "${1:-}" = "--force" ] && force=1

die() { echo "build-test-image: $*" >&2; exit 1; }

[ -x "$busybox" ] || die "$busybox not found; install busybox-static (apt-get install busybox-static)"
ldd_out=$(LC_ALL=C ldd "$busybox" 2>&1 || true)
grep -qiE 'not a dynamic|statically linked' <<<"$ldd_out" \
    || die "$busybox is not statically linked; install busybox-static"
docker info >/dev/null 2>&1 || die "no Docker daemon answers; run tests/docker/start-dockerd.sh first"

# Files to copy besides busybox: bash and the shared objects it needs (loader included).
extras=()
if [ -x /bin/bash ]; then
    extras+=("$(readlink -f /bin/bash)")
    while read -r lib; do
        extras+=("$lib")
    done < <(ldd /bin/bash | grep -oE '/[^ )]+' | sort -u)
fi

hash=$( { cat "$0"; for f in "$busybox" "${extras[@]}"; do echo "$f"; cat "$(readlink -f "$f")"; done; } \
        | sha256sum | cut -c1-16)

if [ "$force" -eq 0 ]; then
    have=$(docker image inspect --format '{{index .Config.Labels "dev.clauderon.test-image"}}' "$image" 2>/dev/null || true)
    if [ "$have" = "$hash" ]; then
        echo "build-test-image: $image is up to date (inputs $hash); nothing to do"
        exit 0
    fi
fi

start=$(date +%s.%N)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,work}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
cp "$busybox" "$root/bin/busybox"
count=0
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] && continue
    [ -e "$root/bin/$applet" ] && continue
    ln -s busybox "$root/bin/$applet"
    count=$((count + 1))
done
ln -sf ../../bin/env "$root/usr/bin/env"

with_bash=no
if [ "${#extras[@]}" -gt 0 ]; then
    for f in "${extras[@]}"; do
        real=$(readlink -f "$f")
        mkdir -p "$root$(dirname "$f")"
        cp "$real" "$root$f"
        # Keep the name the loader and the binary ask for (e.g. /lib64 -> /lib/x86_64...).
        [ "$f" != "$real" ] && { mkdir -p "$root$(dirname "$real")"; cp "$real" "$root$real"; }
    done
    if [ ! -e "$root/bin/bash" ]; then
        cp "$(readlink -f /bin/bash)" "$root/bin/bash"
    fi
    rm -f "$root/bin/sh"; ln -s busybox "$root/bin/sh"
    with_bash=yes
fi

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo "hosts: files dns" >"$root/etc/nsswitch.conf"

tar --numeric-owner --owner=0 --group=0 -C "$root" -c . \
    | docker import \
        --change 'CMD ["/bin/sh"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change "LABEL dev.clauderon.test-image=$hash" \
        --message "clauderon test image (busybox$( [ "$with_bash" = yes ] && echo ' + bash'))" \
        - "$image" >/dev/null

# Prove it runs.
out=$(docker run --rm --pull never --network none "$image" /bin/sh -c 'echo ok')
[ "$out" = ok ] || die "the new image does not run /bin/sh (got: $out)"
if [ "$with_bash" = yes ]; then
    docker run --rm --pull never --network none "$image" /bin/bash -c 'true' \
        || die "the new image does not run /bin/bash"
fi
end=$(date +%s.%N)
size=$(docker image inspect --format '{{.Size}}' "$image")
printf 'build-test-image: built %s (inputs %s): busybox with %d applets, bash: %s, %s bytes, %.1fs\n' \
    "$image" "$hash" "$count" "$with_bash" "$size" "$(awk "BEGIN { print $end - $start }")"
