#!/usr/bin/env bash
# Run a command against a real, throw-away S3-compatible server.
#
#   bash scripts/s3-server.sh [--if-needed] <command...>     e.g. bash scripts/s3-server.sh vitest run
#
# Exports to the command: S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_REGION S3_VHOST_DOMAIN
# (the DNS name the server accepts for virtual-hosted style: bucket `b` is `b.$S3_VHOST_DOMAIN:PORT`)
# and S3_SERVER_KIND (external | minio | ceph-rgw); and for the second server, OpenStack Swift with
# its s3api middleware (started beside Ceph RGW, or given by the caller): S3_SWIFT_ENDPOINT
# S3_SWIFT_ACCESS_KEY S3_SWIFT_SECRET_KEY S3_SWIFT_REGION S3_SWIFT_VHOST_DOMAIN. Exits with the
# command's exit code and stops the servers it started whatever happens: success, failure, Ctrl-C;
# a SIGTERM sent to this script alone acts when the command has ended; if the script is SIGKILLed,
# a watchdog stops the RGW and Swift daemons.
#
# Which server, first that applies:
#   1. S3_ENDPOINT is set (with S3_ACCESS_KEY, S3_SECRET_KEY): used as is, nothing is started.
#   2. A Docker engine answers: MinIO from docker-compose.yml (`docker compose up -d --wait`).
#   3. Ceph RADOS Gateway from Debian packages, installed on first use (root or passwordless sudo):
#      one ceph-mon, one in-memory (memstore) ceph-osd, radosgw on 127.0.0.1. Ready in ~1-2 s.
#      Beside it, OpenStack Swift (proxy with s3api + tempauth, account, container and object
#      servers, memcached) on 127.0.0.1, from the same apt-get call. Ready in ~5-9 s, started in
#      parallel with RGW. S3_SWIFT=0 leaves it out (the Swift runs of the tests then say so).
# S3_SERVER_KIND=minio|ceph-rgw forces 2 or 3. --if-needed is accepted for `npm run demo`: it is
# what the script always does (reuse S3_ENDPOINT when set, else start a server).
#
# Tuning (environment):
#   S3_SERVER_PORT            preferred port (default 7480 for RGW, 9000 for MinIO; the next free
#                             port is taken when it is busy)
#   S3_SWIFT_PORT             preferred port of Swift's S3 API (default 8080; next free if busy)
#   S3_SWIFT_BACKEND_PORT     first port searched for Swift's account, container, object servers
#                             and memcached (default 6200)
#   S3_SERVER_MEMSTORE_BYTES  RGW store capacity in bytes (default 4 GiB). Objects live in RAM, taken
#                             as data is written (about 2x the stored bytes), not reserved up front;
#                             a PUT past 90% of it gets 403 QuotaExceeded.
#   S3_SERVER_START_TIMEOUT   seconds to wait for readiness (default 90)
#   S3_SERVER_KEEP_DIR=1      keep the RGW temp dir (config, logs) after the run, for debugging
#   S3_SERVER_DEBUG=1         print each start-up step with its time, and the daemons' memory
#   S3_SERVER_STS=1           RGW only: also serve STS (AssumeRole) and the IAM role API; the test
#                             user may create roles (caps roles=*). Only for the STS test (npm run
#                             test:sts): with STS on, RGW answers AccessDenied instead of
#                             SignatureDoesNotMatch / InvalidAccessKeyId to a bad signature
set -euo pipefail

# Fixed test credentials (AWS's documentation example key pair); docker-compose.yml has the same.
readonly TEST_ACCESS_KEY=AKIAIOSFODNN7EXAMPLE
readonly TEST_SECRET_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
readonly TEST_REGION=us-east-1
readonly VHOST_DOMAIN=localhost
# Swift's tempauth user `test:tester` (an S3 access key is tempauth's account:user).
readonly SWIFT_ACCESS_KEY=test:tester
readonly SWIFT_SECRET_KEY=testing
# Every Debian package the test run needs, installed by one apt-get call. Append to it (e.g. a
# browser or terminal test's packages); test_packages_installed and install_packages cover the whole list.
# chromium: the browser test (test/integration/browser.test.ts) drives Debian's Chromium; tmux: the CLI's terminal test.
TEST_PACKAGES=(radosgw ceph-mon ceph-osd curl swift swift-proxy swift-account swift-container swift-object memcached chromium tmux)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T0=$(date +%s%N)

log() { printf 's3-server: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# S3_SERVER_DEBUG=1 prints each start-up step with its time since the script started.
step() { [ "${S3_SERVER_DEBUG:-0}" != 1 ] || log "$(elapsed "$T0") $*"; }
elapsed() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100)); }

[ "${1:-}" = --if-needed ] && shift
[ $# -gt 0 ] || die "usage: bash scripts/s3-server.sh [--if-needed] <command...>"

# ---------------------------------------------------------------------------------------------
# 1. An S3 server given by the caller.
if [ -n "${S3_ENDPOINT:-}" ]; then
  [ -n "${S3_ACCESS_KEY:-}" ] && [ -n "${S3_SECRET_KEY:-}" ] ||
    die "S3_ENDPOINT is set ($S3_ENDPOINT) but S3_ACCESS_KEY and S3_SECRET_KEY are not"
  export S3_REGION=${S3_REGION:-$TEST_REGION} S3_VHOST_DOMAIN=${S3_VHOST_DOMAIN:-} S3_SERVER_KIND=external
  [ -n "${S3_SWIFT_ENDPOINT:-}" ] || log "S3_ENDPOINT given and no S3_SWIFT_ENDPOINT: the Swift runs of the tests will say they are left out"
  exec "$@"
fi

# True when nothing accepts connections on 127.0.0.1:$1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# First free port at or above $1 that is not in the list $2 (ports already chosen by this run).
pick_port() {
  local p=$1
  while ! port_free "$p" || [[ " ${2:-} " == *" $p "* ]]; do
    p=$((p + 1))
    [ "$p" -lt $(($1 + 500)) ] || die "no free port in $1..$p"
  done
  echo "$p"
}

TIMEOUT=${S3_SERVER_START_TIMEOUT:-90}

# Run the command with the server's variables; the EXIT trap stops the server.
run_command() {
  export S3_ACCESS_KEY=$TEST_ACCESS_KEY S3_SECRET_KEY=$TEST_SECRET_KEY S3_REGION=$TEST_REGION \
         S3_VHOST_DOMAIN=$VHOST_DOMAIN S3_ENDPOINT S3_SERVER_KIND
  log "$S3_SERVER_KIND ready at $S3_ENDPOINT ($(elapsed "$T0"))"
  if [ -n "${S3_SWIFT_ENDPOINT:-}" ]; then
    export S3_SWIFT_ENDPOINT S3_SWIFT_ACCESS_KEY=$SWIFT_ACCESS_KEY S3_SWIFT_SECRET_KEY=$SWIFT_SECRET_KEY \
           S3_SWIFT_VHOST_DOMAIN=$VHOST_DOMAIN \
           S3_SWIFT_REGION=$TEST_REGION
    log "swift-s3api ready at $S3_SWIFT_ENDPOINT"
  fi
  local rc=0
  "$@" || rc=$?
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------
# 2. MinIO in Docker.
docker_usable() {
  command -v docker >/dev/null 2>&1 && timeout 3 docker info >/dev/null 2>&1 &&
    docker compose version >/dev/null 2>&1
}

start_minio() {
  local port console project
  port=$(pick_port "${S3_SERVER_PORT:-9000}")
  console=$(pick_port 9001 "$port")
  project="s3lane-minio-$$"
  export S3_MINIO_PORT=$port S3_MINIO_CONSOLE_PORT=$console
  COMPOSE=(docker compose -f "$ROOT/docker-compose.yml" -p "$project")
  trap 'stop_minio' EXIT
  if ! timeout "$TIMEOUT" "${COMPOSE[@]}" up -d --wait >"${TMPDIR:-/tmp}/$project.log" 2>&1; then
    cat "${TMPDIR:-/tmp}/$project.log" >&2
    "${COMPOSE[@]}" logs --tail 30 >&2 2>/dev/null || true
    die "MinIO did not become healthy within ${TIMEOUT}s"
  fi
  rm -f "${TMPDIR:-/tmp}/$project.log"
  S3_ENDPOINT="http://127.0.0.1:$port" S3_SERVER_KIND=minio
}

stop_minio() {
  local rc=$?
  "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  rm -f "${TMPDIR:-/tmp}/s3lane-minio-$$.log"
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
# 3. Ceph RADOS Gateway (Debian's Ceph 16 "Pacific"; it has no standalone mode, so a one-OSD
#    cluster is started by hand).
test_packages_installed() {
  local b
  for b in radosgw radosgw-admin ceph-mon ceph-osd monmaptool osdmaptool curl; do
    command -v "$b" >/dev/null 2>&1 || return 1
  done
  # Every package of TEST_PACKAGES, whatever was appended to it (a package dpkg does not know
  # prints no line, so the installed ones are counted).
  command -v dpkg-query >/dev/null 2>&1 || return 0
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}\n' "${TEST_PACKAGES[@]}" 2>/dev/null | grep -c '^ii')" = ${#TEST_PACKAGES[@]} ]
}

install_test_packages() {
  local sudo=() t0 logf
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      cat >&2 <<MSG
s3-server: no S3 server available. The integration tests need one of:
  1. an S3 server of your own, given as
       S3_ENDPOINT=http://host:port S3_ACCESS_KEY=... S3_SECRET_KEY=... [S3_REGION=...] \\
       [S3_VHOST_DOMAIN=...] bash scripts/s3-server.sh <command>
  2. Docker (a running engine and 'docker compose'): MinIO is started from docker-compose.yml;
  3. Ceph RADOS Gateway from Debian packages, which this script installs when run as root or
     with passwordless sudo; or install them once yourself:
       sudo apt-get install --no-install-recommends ${TEST_PACKAGES[*]}
MSG
      exit 1
    fi
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "no S3 server: not a Debian/Ubuntu system (no apt-get), no Docker engine, S3_ENDPOINT not set"
  log "installing ${TEST_PACKAGES[*]} (Debian packages, once)..."
  t0=$(date +%s%N)
  logf=$(mktemp "${TMPDIR:-/tmp}/s3lane-apt.XXXXXX")
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q &&
         "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
           --no-install-recommends "${TEST_PACKAGES[@]}"; } >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2; rm -f "$logf"
    die "apt-get install ${TEST_PACKAGES[*]} failed"
  fi
  rm -f "$logf"
  test_packages_installed || die "installed ${TEST_PACKAGES[*]} but some programs are still missing"
  log "installed in $(elapsed "$t0")"
}

RGW_DIR=
WATCHDOG=

# The daemons run in their own sessions (setsid), so a Ctrl-C reaches the command but not them:
# Ceph answers SIGINT/SIGTERM with a slow clean shutdown in which memstore writes every object to
# disk. They are always stopped here with SIGKILL by PID; the data is throw-away.
kill_rgw_daemons() {
  local f pids=()
  for f in "$RGW_DIR"/pids/*; do [ -f "$f" ] && pids+=("$(cat "$f")"); done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -9 "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  rm -f "$RGW_DIR"/pids/*
}

stop_rgw() {
  local rc=$?
  [ -n "$RGW_DIR" ] || return "$rc"
  kill_rgw_daemons
  kill_swift_daemons
  [ -z "$WATCHDOG" ] || { kill -9 "$WATCHDOG" 2>/dev/null; wait "$WATCHDOG" 2>/dev/null; } || true
  if [ "${S3_SERVER_KEEP_DIR:-0}" = 1 ]; then log "kept $RGW_DIR"; else rm -rf "$RGW_DIR"; fi
  return "$rc"
}

# Should this script die by SIGKILL, a detached watchdog kills the daemons and removes the dir.
start_watchdog() {
  setsid bash -c '
    trap "" INT TERM HUP
    while kill -0 "$1" 2>/dev/null; do sleep 1; done
    for f in "$2"/pids/* "$2"/swift/pids/*; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
    rm -rf "$2"' s3-server-watchdog "$$" "$RGW_DIR" </dev/null >/dev/null 2>&1 &
  WATCHDOG=$!
}

# The end of each log, for a failed start (the mon's RocksDB statistics left out).
rgw_logs() {
  local f
  for f in "$RGW_DIR"/log/*; do
    [ -s "$f" ] || continue
    printf '\n==> %s <==\n' "${f##*/}" >&2
    case $f in
      *.log) awk '/^[0-9][0-9][0-9][0-9]-/ && !/ rocksdb: /' "$f" | tail -n 20 >&2 ;;
      *) tail -n 20 "$f" >&2 ;;
    esac
  done
}

# Start a daemon in the background, in its own session, and remember its PID.
spawn() {
  local name=$1; shift
  setsid "$@" </dev/null >>"$RGW_DIR/log/$name.out" 2>&1 &
  echo $! >"$RGW_DIR/pids/$name"
}

# Run a setup command while watching the daemons: fail as soon as one dies or time runs out.
bounded() {
  local deadline=$1 pid; shift
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if ! alive || [ $SECONDS -ge "$deadline" ]; then kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; return 1; fi
    sleep 0.05
  done
  wait "$pid"
}

# True while every daemon started so far runs; else DEAD names the one that exited.
alive() {
  local f
  for f in "$RGW_DIR"/pids/*; do
    [ -f "$f" ] || continue
    kill -0 "$(cat "$f")" 2>/dev/null || { DEAD=${f##*/}; return 1; }
  done
}

write_ceph_conf() {
  cat >"$RGW_DIR/ceph.conf" <<CONF
# Single-host throw-away cluster: no auth, no replication, no ceph-mgr, everything on 127.0.0.1.
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
# Fail fast on a port taken since it was chosen (default: 3 tries 5 s apart); we pick anew.
ms bind retry count = 1
ms bind retry delay = 1
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0
# Without these, the first start waits ~10 s for paxos rounds.
paxos propose interval = 0.05
paxos min wait = 0.01
run dir = $RGW_DIR/run
log file = $RGW_DIR/log/\$name.log
admin socket = $RGW_DIR/run/\$name.asok
mon cluster log file = $RGW_DIR/log/cluster.log
log to stderr = false
err to stderr = true
# When memstore fills up, the OSD marks itself full and radosgw waits for space forever: a test
# would hang. A user quota below capacity makes such a PUT fail at once (403 QuotaExceeded).
# Here, not under [client.rgw.a], because radosgw-admin applies it when it creates the user.
rgw user default quota max size = $((MEMSTORE_BYTES / 10 * 9))

[mon]
mon data = $RGW_DIR/mon.\$id

[osd]
osd data = $RGW_DIR/osd.\$id
osd objectstore = memstore
# Capacity reported to the cluster; memstore allocates as objects are written (RAM), nothing up
# front. Deleted objects' data is freed when RGW's garbage collector removes it (see below).
memstore device bytes = $MEMSTORE_BYTES
osd class load list = *
osd class default list = *

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
# Virtual-hosted style: Host: <bucket>.localhost:PORT
rgw dns name = $VHOST_DOMAIN
rgw data = $RGW_DIR/rgw.a
# Default 512 threads; 128 is plenty for tests on a 2-core machine.
rgw thread pool size = 128
# radosgw hangs in "get_initial_auth_request returned -13" without these two.
ms mon client mode = crc
auth client required = none
# Data of deleted/overwritten objects and aborted uploads is reclaimed by the garbage collector,
# by default after 2 h; objects live in RAM, so reclaim within seconds.
rgw gc obj min wait = 5
rgw gc processor period = 5
# One index shard per bucket (default 11): tests make many small buckets.
rgw override bucket index max shards = 1
rgw dynamic resharding = false
# Allow SSE-C over plain HTTP (AWS requires HTTPS); the test server has no TLS.
rgw crypt require ssl = false
# SSE-KMS against RGW's built-in 'testing' key store (no Vault): key id testkey-1, a fixed
# throw-away 256-bit key (base64). Pacific has no SSE-S3; see README's feature table.
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = testkey-1=YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=
CONF
  # Appended to [client.rgw.a]. The key encrypts session tokens and must be 16 characters.
  [ "${S3_SERVER_STS:-0}" != 1 ] || printf 'rgw s3 auth use sts = true\nrgw sts key = s3laneStsKey0001\n' >>"$RGW_DIR/ceph.conf"
}

# True when process $1 listens on 127.0.0.1:$2. Checked by socket inode in /proc, so that a server
# of another run that took the same port in the meantime is never mistaken for ours.
listens_on() {
  local pid=$1 inode
  for inode in $(awk -v a="$(printf '0100007F:%04X' "$2")" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp); do
    [ -n "$(find "/proc/$pid/fd" -lname "socket:\[$inode\]" -print -quit 2>/dev/null)" ] && return 0
  done
  return 1
}

# Poll until the command succeeds; fail when a daemon has died or the deadline has passed.
wait_until() {
  local deadline=$1; shift
  until "$@"; do
    alive && [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.03
  done
}

# SigV4-signed ListBuckets with the test key. curl 7.88 signs no x-amz-content-sha256 unless it is
# given, and RGW wants it: the SHA-256 of the empty body.
signed_request_ok() {
  curl -fs -o /dev/null --aws-sigv4 "aws:amz:$TEST_REGION:s3" --user "$TEST_ACCESS_KEY:$TEST_SECRET_KEY" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "http://127.0.0.1:$RGW_PORT/"
}

# One attempt at starting mon + osd + radosgw; fails (1) when a daemon dies or time runs out.
# $2 shifts the ports searched from, so that runs that collided part ways on the next attempt.
try_start_rgw() {
  local deadline=$1 spread=$2 osd_uuid osd_id
  RGW_PORT=$(pick_port $((${S3_SERVER_PORT:-7480} + spread))) || return 1
  MON_PORT=$(pick_port $((3300 + spread)) "$RGW_PORT") || return 1
  FSID=$(cat /proc/sys/kernel/random/uuid)
  rm -rf "${RGW_DIR:?}"/{mon.a,osd.0,rgw.a,run,log,monmap,osdmap,ceph.conf}
  mkdir -p "$RGW_DIR"/{mon.a,osd.0,rgw.a,run,log,pids}
  write_ceph_conf || return 1
  local C=(-c "$RGW_DIR/ceph.conf") out="$RGW_DIR/log/setup.out"

  # The monitor starts with an OSD map that already has osd.0 (instead of `ceph osd new`, whose
  # Python start-up costs ~0.5 s). The OSD id exists once that OSD boots, which records its uuid
  # (a transient OSD_ORPHAN health warning until then is expected).
  step "mkfs"
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=0
  monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$RGW_DIR/monmap" >"$out" 2>&1 &&
    osdmaptool "${C[@]}" --createsimple 1 --clobber "$RGW_DIR/osdmap" >>"$out" 2>&1 &&
    ceph-mon "${C[@]}" --mkfs -i a --monmap "$RGW_DIR/monmap" --osdmap "$RGW_DIR/osdmap" >>"$out" 2>&1 &&
    bounded "$deadline" ceph-osd "${C[@]}" --no-mon-config -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" \
      >>"$out" 2>&1 || return 1
  step "mon start"
  spawn mon.a ceph-mon "${C[@]}" -f -i a
  wait_until "$deadline" listens_on "$(cat "$RGW_DIR/pids/mon.a")" "$MON_PORT" || return 1
  step "osd start"
  spawn osd.0 ceph-osd "${C[@]}" -f -i "$osd_id"
  # radosgw creates its pools at once; before the OSD is up that stalls ~5 s (1 start in 4).
  wait_until "$deadline" grep -qs 'state: booting -> active' "$RGW_DIR/log/osd.$osd_id.log" || return 1

  step "radosgw start"
  spawn rgw.a radosgw "${C[@]}" -n client.rgw.a -f
  # It listens once its pools, zone and zonegroup exist.
  wait_until "$deadline" listens_on "$(cat "$RGW_DIR/pids/rgw.a")" "$RGW_PORT" || return 1

  step "user create"
  bounded "$deadline" radosgw-admin "${C[@]}" user create --uid=s3lane-test --display-name="s3lane tests" \
    --access-key="$TEST_ACCESS_KEY" --secret-key="$TEST_SECRET_KEY" >>"$out" 2>&1 || return 1
  [ "${S3_SERVER_STS:-0}" != 1 ] ||
    bounded "$deadline" radosgw-admin "${C[@]}" caps add --uid=s3lane-test --caps='roles=*' >>"$out" 2>&1 || return 1
  step "signed request"
  wait_until "$deadline" signed_request_ok
}

start_rgw() {
  local attempt deadline=$((SECONDS + TIMEOUT))
  test_packages_installed || install_test_packages
  MEMSTORE_BYTES=${S3_SERVER_MEMSTORE_BYTES:-$((4 * 1024 * 1024 * 1024))}
  RGW_DIR=$(mktemp -d "${TMPDIR:-/tmp}/s3lane-rgw.XXXXXX")
  trap stop_rgw EXIT
  start_watchdog
  [ "${S3_SWIFT:-1}" = 0 ] || start_swift
  for attempt in 1 2 3 4 5; do
    DEAD=
    # The first attempt takes the default ports when free; a retry spreads out at random.
    try_start_rgw "$deadline" $(((attempt > 1) * (RANDOM % 200))) && break
    # Another run took a port between our choice and the daemon's bind: start over, elsewhere.
    if [ "$attempt" -lt 5 ] && [ $SECONDS -lt "$deadline" ] &&
       grep -qsi 'address already in use' "$RGW_DIR"/log/*; then
      kill_rgw_daemons
      continue
    fi
    rgw_logs
    die "Ceph RADOS Gateway did not start: ${DEAD:-no answer within ${TIMEOUT}s}${DEAD:+ exited}; logs above"
  done
  S3_ENDPOINT="http://127.0.0.1:$RGW_PORT" S3_SERVER_KIND=ceph-rgw
  [ "${S3_SWIFT:-1}" = 0 ] || swift_ready
  if [ "${S3_SERVER_DEBUG:-0}" = 1 ]; then
    step "memory (RSS): $(for f in "$RGW_DIR"/pids/*; do
      printf '%s %s MiB, ' "${f##*/}" $(($(awk '/^VmRSS/ { print $2 }' "/proc/$(cat "$f")/status") / 1024)); done)"
  fi
}

# ---------------------------------------------------------------------------------------------
# 4. OpenStack Swift with s3api (Debian's swift 2.30): the second, different S3 implementation.
#    An all-in-one cluster on loopback: one device, one replica, rings built in one Python process
#    (swift-ring-builder costs a Python start per call), servers with `workers = 0` (one process
#    each, so the PID we record is the server). Like RGW's daemons, they are stopped by SIGKILL.
SWIFT_DIR=
SWIFT_LAUNCHER=

kill_swift_daemons() {
  local f pids=()
  [ -n "$SWIFT_DIR" ] || return 0
  # A launcher still building rings (RGW failed first) must not start daemons after this.
  [ -z "$SWIFT_LAUNCHER" ] || { kill -9 "$SWIFT_LAUNCHER" 2>/dev/null; wait "$SWIFT_LAUNCHER" 2>/dev/null; } || true
  for f in "$SWIFT_DIR"/pids/*; do [ -f "$f" ] && pids+=("$(cat "$f")"); done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -9 "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  rm -f "$SWIFT_DIR"/pids/*
}

write_swift_conf() {
  local etc=$SWIFT_DIR/etc name port
  cat >"$etc/swift.conf" <<CONF
[swift-hash]
swift_hash_path_suffix = s3lane-test
swift_hash_path_prefix = s3lane-test
[storage-policy:0]
name = Policy-0
default = yes
CONF
  for name in account container object; do
    case $name in account) port=$SWIFT_ACCOUNT_PORT ;; container) port=$SWIFT_CONTAINER_PORT ;; *) port=$SWIFT_OBJECT_PORT ;; esac
    cat >"$etc/$name-server.conf" <<CONF
[DEFAULT]
swift_dir = $etc
devices = $SWIFT_DIR/srv
mount_check = false
disable_fallocate = true
bind_ip = 127.0.0.1
bind_port = $port
workers = 0
log_level = WARNING
[pipeline:main]
pipeline = $name-server
[app:$name-server]
use = egg:swift#$name
CONF
  done
  # s3api + tempauth: SigV4 is checked by s3api against tempauth's key for test:tester.
  cat >"$etc/proxy-server.conf" <<CONF
[DEFAULT]
swift_dir = $etc
bind_ip = 127.0.0.1
bind_port = $SWIFT_PORT
workers = 0
log_level = WARNING
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
allow_account_management = true
account_autocreate = true
[filter:s3api]
use = egg:swift#s3api
location = $TEST_REGION
storage_domain = $VHOST_DOMAIN
dns_compliant_bucket_names = true
[filter:tempauth]
use = egg:swift#tempauth
user_${SWIFT_ACCESS_KEY%%:*}_${SWIFT_ACCESS_KEY#*:} = $SWIFT_SECRET_KEY .admin
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$SWIFT_MEMCACHED_PORT
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
CONF
}

# Builds the three rings, then starts memcached and the four servers: run in the background, so
# that RGW starts meanwhile. Each daemon's PID is in $SWIFT_DIR/pids, for stop and the watchdog.
launch_swift() {
  local memcached=(memcached -l 127.0.0.1 -p "$SWIFT_MEMCACHED_PORT" -U 0 -m 32)
  [ "$(id -u)" != 0 ] || memcached+=(-u root)
  setsid "${memcached[@]}" </dev/null >>"$SWIFT_DIR/log/memcached.out" 2>&1 &
  echo $! >"$SWIFT_DIR/pids/memcached"
  /usr/bin/python3 - "$SWIFT_DIR/etc" "$SWIFT_ACCOUNT_PORT" "$SWIFT_CONTAINER_PORT" "$SWIFT_OBJECT_PORT" \
    >"$SWIFT_DIR/log/rings.out" 2>&1 <<'PY' || return 1
import sys
from swift.common.ring import RingBuilder
etc, ports = sys.argv[1], dict(zip(('account', 'container', 'object'), map(int, sys.argv[2:5])))
for name, port in ports.items():
    builder = RingBuilder(4, 1, 1)  # 16 partitions, 1 replica, min_part_hours 1
    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 1})
    builder.rebalance()
    builder.get_ring().save(f'{etc}/{name}.ring.gz')
PY
  local name
  for name in account container object proxy; do
    setsid "swift-$name-server" "$SWIFT_DIR/etc/$name-server.conf" </dev/null >>"$SWIFT_DIR/log/$name.out" 2>&1 &
    echo $! >"$SWIFT_DIR/pids/$name"
  done
}

# Starts Swift in the background; swift_ready waits for it. $1 shifts the ports searched from, so
# that runs that collided part ways on the next attempt. Backend ports stay below 6800: Ceph's
# OSDs take the first free ports from 6800 up (ms_bind_port_min), possibly while Swift's rings build.
start_swift() {
  local spread=${1:-0} backend=$((${S3_SWIFT_BACKEND_PORT:-6200} + ${1:-0}))
  SWIFT_DIR=$RGW_DIR/swift
  rm -rf "${SWIFT_DIR:?}"
  mkdir -p "$SWIFT_DIR"/{etc,srv/d1,log,pids}
  [ "$backend" -lt 6800 ] || [ "$backend" -gt 7300 ] ||
    die "S3_SWIFT_BACKEND_PORT=$backend is in Ceph's OSD port range 6800-7300: choose another"
  SWIFT_PORT=$(pick_port $((${S3_SWIFT_PORT:-8080} + spread)) "${RGW_PORT:-}")
  SWIFT_ACCOUNT_PORT=$(pick_port "$backend" "$SWIFT_PORT")
  SWIFT_CONTAINER_PORT=$(pick_port $((SWIFT_ACCOUNT_PORT + 1)) "$SWIFT_PORT $SWIFT_ACCOUNT_PORT")
  SWIFT_OBJECT_PORT=$(pick_port $((SWIFT_CONTAINER_PORT + 1)) "$SWIFT_PORT $SWIFT_ACCOUNT_PORT $SWIFT_CONTAINER_PORT")
  SWIFT_MEMCACHED_PORT=$(pick_port $((SWIFT_OBJECT_PORT + 1)) "$SWIFT_PORT $SWIFT_ACCOUNT_PORT $SWIFT_CONTAINER_PORT $SWIFT_OBJECT_PORT")
  write_swift_conf
  step "swift start (ports $SWIFT_PORT, $SWIFT_ACCOUNT_PORT-$SWIFT_MEMCACHED_PORT)"
  launch_swift &
  SWIFT_LAUNCHER=$!
}

# Every Swift server answers: tempauth hands out a token (memcached keeps it), then a container
# and an object are written and removed (account, container and object servers). Swift's native
# API, because curl's --aws-sigv4 cannot take the access key `test:tester` (--user splits at ':').
swift_round_trip_ok() {
  local base="http://127.0.0.1:$SWIFT_PORT" token
  token=$(curl -fs -D - -o /dev/null -H "X-Auth-User: $SWIFT_ACCESS_KEY" -H "X-Auth-Key: $SWIFT_SECRET_KEY" \
    "$base/auth/v1.0" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-auth-token" { print $2 }') && [ -n "$token" ] &&
    curl -fs -o /dev/null -X PUT -H "X-Auth-Token: $token" "$base/v1/AUTH_${SWIFT_ACCESS_KEY%%:*}/s3lane-ready" &&
    curl -fs -o /dev/null -X PUT -H "X-Auth-Token: $token" --data-binary ok "$base/v1/AUTH_${SWIFT_ACCESS_KEY%%:*}/s3lane-ready/o" &&
    curl -fs -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$base/v1/AUTH_${SWIFT_ACCESS_KEY%%:*}/s3lane-ready/o" &&
    curl -fs -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$base/v1/AUTH_${SWIFT_ACCESS_KEY%%:*}/s3lane-ready"
}

# True while every Swift daemon runs; else DEAD names the one that exited.
swift_alive() {
  local f
  for f in "$SWIFT_DIR"/pids/*; do
    [ -f "$f" ] || continue
    kill -0 "$(cat "$f")" 2>/dev/null || { DEAD=swift-${f##*/}; return 1; }
  done
}

swift_logs() {
  local f
  for f in "$SWIFT_DIR"/log/*; do
    [ -s "$f" ] || continue
    printf '\n==> swift/%s <==\n' "${f##*/}" >&2
    tail -n 20 "$f" >&2
  done
}

# One wait for the Swift started last; 1 when a daemon died or time ran out (DEAD says which).
wait_for_swift() {
  local deadline=$1
  DEAD=
  if ! wait "$SWIFT_LAUNCHER"; then
    SWIFT_LAUNCHER= DEAD="the ring builder"
    return 1
  fi
  SWIFT_LAUNCHER=
  until swift_round_trip_ok; do
    swift_alive && [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

swift_ready() {
  local attempt deadline=$((SECONDS + TIMEOUT))
  for attempt in 1 2 3 4 5; do
    wait_for_swift "$deadline" && break
    # Another run took a port between our choice and the daemon's bind: start over, elsewhere.
    if [ "$attempt" -lt 5 ] && [ $SECONDS -lt "$deadline" ] && grep -qsi 'address already in use' "$SWIFT_DIR"/log/*; then
      kill_swift_daemons
      start_swift $((RANDOM % 200))
      continue
    fi
    swift_logs
    die "OpenStack Swift (s3api) did not start: ${DEAD:-no answer within ${TIMEOUT}s}${DEAD:+ exited}; logs above (S3_SWIFT=0 leaves it out)"
  done
  S3_SWIFT_ENDPOINT="http://127.0.0.1:$SWIFT_PORT"
  step "swift ready"
}

# ---------------------------------------------------------------------------------------------
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

case "${S3_SERVER_KIND:-}" in
  minio) docker_usable || die "S3_SERVER_KIND=minio but no Docker engine with 'docker compose'"; start_minio ;;
  ceph-rgw) start_rgw ;;
  ''|external)
    if docker_usable; then start_minio; else start_rgw; fi ;;
  *) die "S3_SERVER_KIND must be minio or ceph-rgw (or unset), not '$S3_SERVER_KIND'" ;;
esac
run_command "$@"
