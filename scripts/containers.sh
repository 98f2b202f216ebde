#!/usr/bin/env bash
# Build and run the airq container stack with whichever engine answers: Docker where an engine runs,
# otherwise Podman (installed from Debian's packages when missing, always with the runc runtime).
#
#   scripts/containers.sh engine          print the engine that will be used (docker | podman)
#   scripts/containers.sh images          build the four service images and the two stand-ins
#   scripts/containers.sh up [SERVICE..]  build, start the stack, wait until it answers, print URLs
#   scripts/containers.sh down            stop and remove the stack's containers (volumes are kept)
#   scripts/containers.sh logs [SERVICE]  follow the logs
#   scripts/containers.sh ingest [ARGS]   run the ingest service once in the stack (airq-ingest --once)
#   scripts/containers.sh compose ARGS    any compose command with this stack's files and settings
#
# Base images: each Dockerfile takes its base from a build argument whose default is the official
# image a user would pull (python:3.11-slim-bookworm, nginx:1.27-alpine, node:20-bookworm-slim,
# prom/prometheus). When such an image cannot be pulled (no registry reachable), an equivalent base is
# built once from Debian's packages with debootstrap and imported as localhost/airq-<name>-base:bookworm.
#
# Networking: with Podman (and with AIRQ_HOSTNET=1) the stack runs with host networking
# (compose.hostnet.yaml): every service listens on 127.0.0.1 on its own port (AIRQ_PORT_* below), so
# no traffic ever goes to container bridge addresses. With Docker the default is a bridge network.
#
# Settings (environment):
#   AIRQ_CONTAINER_ENGINE   docker | podman (default: docker if `docker info` answers, else podman)
#   AIRQ_HOSTNET            1: host networking (default 1 with podman, 0 with docker)
#   AIRQ_PROJECT            compose project name (default airq)
#   AIRQ_TAG                tag of the images built here (default local)
#   AIRQ_COMPOSE_FILES      extra compose files, colon-separated (the e2e test adds its own)
#   AIRQ_REBUILD_BASES      1: rebuild the debootstrap bases even if they exist
#   AIRQ_PORT_WEB 8080, AIRQ_PORT_API 8000, AIRQ_PORT_WORKER 9101, AIRQ_PORT_WORKER2 9103,
#   AIRQ_PORT_INGEST 9102, AIRQ_PORT_DYNALITE 4567, AIRQ_PORT_MOTO 5000, AIRQ_PORT_PROMETHEUS 9090,
#   AIRQ_PORT_GRAFANA 3000  (host networking: the port of each service on 127.0.0.1)
#   PIP_CERT / SSL_CERT_FILE  a CA bundle that the builds must trust (a TLS-inspecting proxy): passed
#                             to the builds as a build secret, never stored in an image
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STATE="$ROOT/build/containers"
mkdir -p "$STATE"

export AIRQ_PROJECT="${AIRQ_PROJECT:-airq}"
export AIRQ_TAG="${AIRQ_TAG:-local}"
export AIRQ_PORT_WEB="${AIRQ_PORT_WEB:-8080}" AIRQ_PORT_API="${AIRQ_PORT_API:-8000}"
export AIRQ_PORT_WORKER="${AIRQ_PORT_WORKER:-9101}" AIRQ_PORT_WORKER2="${AIRQ_PORT_WORKER2:-9103}"
export AIRQ_PORT_INGEST="${AIRQ_PORT_INGEST:-9102}" AIRQ_PORT_DYNALITE="${AIRQ_PORT_DYNALITE:-4567}"
export AIRQ_PORT_MOTO="${AIRQ_PORT_MOTO:-5000}" AIRQ_PORT_PROMETHEUS="${AIRQ_PORT_PROMETHEUS:-9090}"
export AIRQ_PORT_GRAFANA="${AIRQ_PORT_GRAFANA:-3000}"

# Official images a user pulls; replaced below by debootstrap bases where they cannot be pulled.
export PYTHON_IMAGE="${PYTHON_IMAGE:-python:3.11-slim-bookworm}"
export NGINX_IMAGE="${NGINX_IMAGE:-nginx:1.27-alpine}"
export NODE_IMAGE="${NODE_IMAGE:-node:20-bookworm-slim}"
export PROMETHEUS_IMAGE="${PROMETHEUS_IMAGE:-prom/prometheus:v2.53.2}"
export GRAFANA_IMAGE="${GRAFANA_IMAGE:-grafana/grafana-oss:11.2.2}"
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NPM_FOR_NODE_BASE="npm@10.9.2"   # Debian's npm package does not install in a minbase; npm's own tarball does

log() { printf 'containers: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------- engine
choose_engine() {
    if [ -n "${AIRQ_CONTAINER_ENGINE:-}" ]; then
        ENGINE="$AIRQ_CONTAINER_ENGINE"
    elif command -v docker >/dev/null 2>&1 && timeout 15 docker info >/dev/null 2>&1; then
        ENGINE=docker
    else
        ENGINE=podman
    fi
    case "$ENGINE" in
        docker) : ;;
        podman) ensure_podman ;;
        *) die "AIRQ_CONTAINER_ENGINE must be docker or podman, not $ENGINE" ;;
    esac
    if [ -z "${AIRQ_HOSTNET:-}" ]; then
        if [ "$ENGINE" = podman ]; then AIRQ_HOSTNET=1; else AIRQ_HOSTNET=0; fi
    fi
    export AIRQ_HOSTNET
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "please install: $* (no apt-get here)"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    if ! apt-cache show "$@" >/dev/null 2>&1; then $sudo apt-get update -qq; fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_podman() {
    local missing=()
    command -v podman >/dev/null 2>&1 || missing+=(podman)
    command -v runc >/dev/null 2>&1 || missing+=(runc)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
    # crun cannot set rlimits here, and runc cannot raise them to podman's defaults (nproc 4194304,
    # nofile 1048576) without CAP_SYS_RESOURCE: use runc with limits the machine allows.
    local nofile nproc
    nofile="$(ulimit -Hn)"; [ "$nofile" = unlimited ] && nofile=65536
    [ "$nofile" -gt 65536 ] && nofile=65536
    nproc="$(ulimit -Hu)"; [ "$nproc" = unlimited ] && nproc=16384
    [ "$nproc" -gt 16384 ] && nproc=16384
    cat >"$STATE/containers.conf" <<EOF
# written by scripts/containers.sh
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
EOF
    export CONTAINERS_CONF="$STATE/containers.conf"
    # podman-compose (PyPI) reads compose.yaml; kept in its own venv, like the other tools' venvs.
    local venv="$ROOT/.venv-containers"
    if [ ! -x "$venv/bin/podman-compose" ]; then
        log "installing podman-compose into $venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet podman-compose==1.6.0
    fi
    PODMAN_COMPOSE="$venv/bin/podman-compose"
}

# ---------------------------------------------------------------------------------------------- bases
# Can the engine use this image (present, or pulled now)? A registry that cannot be reached fails fast.
image_usable() {
    "$ENGINE" image inspect "$1" >/dev/null 2>&1 && return 0
    log "pulling $1"
    timeout 300 "$ENGINE" pull -q "$1" >/dev/null 2>&1
}

# debootstrap_base NAME PACKAGES [post-step function]: a minimal Debian root with PACKAGES, imported
# as localhost/airq-NAME-base:bookworm. Downloads are cached in build/containers/debs for the next base.
debootstrap_base() {
    local name="$1" packages="$2" post="${3:-}"
    local image="localhost/airq-$name-base:$DEBIAN_SUITE"
    if [ "${AIRQ_REBUILD_BASES:-0}" != 1 ] && "$ENGINE" image inspect "$image" >/dev/null 2>&1; then
        echo "$image"; return 0
    fi
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
    local rootfs="$STATE/rootfs-$name"
    rm -rf "$rootfs"; mkdir -p "$STATE/debs"
    log "building $image from Debian packages ($packages), about a minute"
    local start=$SECONDS
    debootstrap --variant=minbase --cache-dir="$STATE/debs" --include="$packages" \
        "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$STATE/debootstrap-$name.log" 2>&1 \
        || die "debootstrap of $name failed: see $STATE/debootstrap-$name.log"
    [ -z "$post" ] || "$post" "$rootfs"
    # No package caches, lists or docs in a base.
    rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
        "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
        "$rootfs"/var/log/*.log "$rootfs"/debootstrap
    tar -C "$rootfs" -c . | "$ENGINE" import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' \
        - "$image" >/dev/null 2>"$STATE/import-$name.log"
    rm -rf "$rootfs"
    log "built $image in $((SECONDS - start)) s"
    echo "$image"
}

node_base_post() {  # npm from the npm registry (its own client), unpacked beside Debian's nodejs
    local rootfs="$1" tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$NPM_FOR_NODE_BASE" >/dev/null)
    mkdir -p "$rootfs/usr/lib/node_modules/npm"
    tar -xzf "$tmp"/npm-*.tgz -C "$rootfs/usr/lib/node_modules/npm" --strip-components=1
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/bin/npx"
    rm -rf "$tmp"
}

prometheus_base_post() {  # the official image's layout: /prometheus writable by nobody
    mkdir -p "$1/prometheus" && chown 65534:65534 "$1/prometheus"
}

# Point PYTHON_IMAGE etc. at bases that the engine can use. Cached within a run (build/containers/bases.env
# is rewritten by each run that builds images, so a later `make up` uses the same bases).
resolve_bases() {
    local want="${1:-python nginx node prometheus}" b
    for b in $want; do
        case "$b" in
            python) image_usable "$PYTHON_IMAGE" ||
                PYTHON_IMAGE="$(debootstrap_base python python3,python3-venv,ca-certificates)" ;;
            nginx) image_usable "$NGINX_IMAGE" ||
                NGINX_IMAGE="$(debootstrap_base nginx nginx,gettext-base,wget,ca-certificates)" ;;
            node) image_usable "$NODE_IMAGE" ||
                NODE_IMAGE="$(debootstrap_base node nodejs,ca-certificates node_base_post)" ;;
            prometheus) image_usable "$PROMETHEUS_IMAGE" ||
                PROMETHEUS_IMAGE="$(debootstrap_base prometheus prometheus,ca-certificates prometheus_base_post)" ;;
        esac
    done
    export PYTHON_IMAGE NGINX_IMAGE NODE_IMAGE PROMETHEUS_IMAGE
    printf 'PYTHON_IMAGE=%s\nNGINX_IMAGE=%s\nNODE_IMAGE=%s\nPROMETHEUS_IMAGE=%s\n' \
        "$PYTHON_IMAGE" "$NGINX_IMAGE" "$NODE_IMAGE" "$PROMETHEUS_IMAGE" >"$STATE/bases.env"
}

load_bases() {  # the bases of the last `images` run, for commands that do not build
    if [ -f "$STATE/bases.env" ]; then
        set -a; . "$STATE/bases.env"; set +a
    fi
}

# ---------------------------------------------------------------------------------------------- build
ca_bundle() {
    local f
    for f in "${PIP_CERT:-}" "${SSL_CERT_FILE:-}"; do
        if [ -n "$f" ] && [ -s "$f" ]; then echo "$f"; return 0; fi
    done
    return 1
}

build_image() {  # build_image NAME DOCKERFILE [--build-arg K=V ...]
    local name="$1" dockerfile="$2"; shift 2
    local args=(build -f "$dockerfile" -t "airq-$name:$AIRQ_TAG" --network=host)
    local ca
    # The CA bundle reaches RUN steps at /run/secrets/cacert: a BuildKit secret with Docker; with
    # Podman a read-only build volume at the same path, since podman 4.3 never caches a RUN step
    # that has a secret mount (the volume is not part of any layer either).
    if [ "$ENGINE" = docker ]; then
        export DOCKER_BUILDKIT=1
        if ca="$(ca_bundle)"; then args+=(--secret "id=cacert,src=$ca"); fi
    else
        args+=(--format docker)  # the OCI format would drop HEALTHCHECK
        if ca="$(ca_bundle)"; then args+=(-v "$ca:/run/secrets/cacert:ro"); fi
    fi
    local start=$SECONDS
    log "building airq-$name:$AIRQ_TAG ($dockerfile)"
    if ! "$ENGINE" "${args[@]}" "$@" . >"$STATE/build-$name.log" 2>&1; then
        tail -n 40 "$STATE/build-$name.log" >&2
        die "build of airq-$name failed: see $STATE/build-$name.log"
    fi
    log "built airq-$name:$AIRQ_TAG in $((SECONDS - start)) s"
}

build_images() {
    resolve_bases
    local py=(--build-arg "BASE_IMAGE=$PYTHON_IMAGE")
    build_image dynalite services/standins/dynalite/Dockerfile --build-arg "NODE_IMAGE=$NODE_IMAGE"
    build_image moto services/standins/moto/Dockerfile "${py[@]}"
    build_image ingest services/ingest/Dockerfile "${py[@]}"
    build_image api services/api/Dockerfile "${py[@]}"
    build_image worker services/worker/Dockerfile "${py[@]}"
    build_image web services/web/Dockerfile --build-arg "NGINX_IMAGE=$NGINX_IMAGE" \
        --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE"
    # No `image prune` here: the untagged builder stages are the layer cache of the next build.
    "$ENGINE" images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "airq-[a-z0-9]+:$AIRQ_TAG " >&2 || true
}

# ---------------------------------------------------------------------------------------------- compose
compose_files() {
    local files=(-f compose.yaml) extra
    [ "$AIRQ_HOSTNET" = 1 ] && files+=(-f compose.hostnet.yaml)
    if [ -n "${AIRQ_COMPOSE_FILES:-}" ]; then
        IFS=: read -r -a extra <<<"$AIRQ_COMPOSE_FILES"
        for f in "${extra[@]}"; do files+=(-f "$f"); done
    fi
    printf '%s\n' "${files[@]}"
}

# Prometheus on the host network finds the services through file_sd target files with their ports.
write_prometheus_targets() {
    local dir="$STATE/prometheus-targets"
    mkdir -p "$dir"
    local workers="\"127.0.0.1:$AIRQ_PORT_WORKER\""
    [ "${AIRQ_WORKERS:-1}" -ge 2 ] && workers="$workers, \"127.0.0.1:$AIRQ_PORT_WORKER2\""
    printf '[{"targets": ["127.0.0.1:%s"]}]\n' "$AIRQ_PORT_API" >"$dir/api.json"
    printf '[{"targets": [%s]}]\n' "$workers" >"$dir/worker.json"
    printf '[{"targets": ["127.0.0.1:%s"]}]\n' "$AIRQ_PORT_INGEST" >"$dir/ingest.json"
    printf '[{"targets": ["127.0.0.1:%s"]}]\n' "$AIRQ_PORT_PROMETHEUS" >"$dir/prometheus.json"
    chmod 0755 "$dir"; chmod 0644 "$dir"/*.json
    export AIRQ_PROMETHEUS_TARGETS="$dir"
}

compose() {
    local files profile=()
    mapfile -t files < <(compose_files)
    if [ "$AIRQ_HOSTNET" = 1 ]; then
        write_prometheus_targets
        profile=(--profile scale)  # worker-2 is known to every command (down removes it too)
    fi
    if [ "$ENGINE" = docker ]; then
        docker compose -p "$AIRQ_PROJECT" "${files[@]}" "${profile[@]}" "$@"
    else
        "$PODMAN_COMPOSE" -p "$AIRQ_PROJECT" "${files[@]}" "${profile[@]}" "$@"
    fi
}

# wait_http NAME URL [SECONDS] [any]: until URL answers 2xx (with `any`: answers at all).
wait_http() {
    local name="$1" url="$2" limit="${3:-120}" accept="${4:-2xx}" start=$SECONDS code
    while :; do
        code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 3 "$url" 2>/dev/null || true)"
        case "$accept:$code" in
            2xx:2??) break ;;
            any:[1-5]??) break ;;
        esac
        if [ $((SECONDS - start)) -ge "$limit" ]; then die "$name did not answer on $url within ${limit}s"; fi
        sleep 1
    done
    log "$name answers on $url"
}

grafana_usable() {
    [ "${AIRQ_GRAFANA:-auto}" = 0 ] && return 1
    image_usable "$GRAFANA_IMAGE"
}

# Start in dependency order and wait for each tier ourselves: podman-compose ignores
# `condition: service_healthy` with podman < 4.6, and Docker needs no help but gets the same steps.
stack_up() {
    local services=("$@")
    if [ ${#services[@]} -eq 0 ]; then
        services=(api worker ingest web prometheus)
        [ "${AIRQ_WORKERS:-1}" -ge 2 ] && [ "$AIRQ_HOSTNET" = 1 ] && services+=(worker-2)
        if grafana_usable; then services+=(grafana); else
            log "Grafana image $GRAFANA_IMAGE cannot be pulled here: starting the stack without Grafana"
        fi
    fi
    local scale=()
    [ "$AIRQ_HOSTNET" = 0 ] && [ "${AIRQ_WORKERS:-1}" -ge 2 ] && scale=(--scale "worker=$AIRQ_WORKERS")
    if [ "$AIRQ_HOSTNET" = 0 ]; then
        # Bridge network (Docker): only web, moto, Prometheus and Grafana are published, so let
        # compose wait on the images' HEALTHCHECKs.
        compose up -d --no-build --wait dynalite moto
        log "creating tables, queues and bucket (setup job)"
        compose run --rm -T --no-deps setup
        compose up -d --no-build --no-deps --wait "${scale[@]}" "${services[@]}"
    else
        compose up -d --no-build dynalite moto
        wait_http dynalite "http://127.0.0.1:$AIRQ_PORT_DYNALITE/" 60 any
        wait_http moto "http://127.0.0.1:$AIRQ_PORT_MOTO/moto-api/" 60
        log "creating tables, queues and bucket (setup job)"
        compose run --rm -T --no-deps setup
        compose up -d --no-build --no-deps "${services[@]}"
        wait_http api "http://127.0.0.1:$AIRQ_PORT_API/healthz" 120
        wait_http worker "http://127.0.0.1:$AIRQ_PORT_WORKER/healthz" 60
    fi
    wait_http web "http://127.0.0.1:$AIRQ_PORT_WEB/nginx-healthz" 60
    wait_http prometheus "http://127.0.0.1:$AIRQ_PORT_PROMETHEUS/-/ready" 60
}

print_urls() {
    cat <<EOF

  airq is up ($ENGINE, $([ "$AIRQ_HOSTNET" = 1 ] && echo "host networking" || echo "bridge network")):
    web page     http://127.0.0.1:$AIRQ_PORT_WEB/
    API          http://127.0.0.1:$AIRQ_PORT_WEB/api/readings   (OpenAPI: /api/openapi.json)
    Prometheus   http://127.0.0.1:$AIRQ_PORT_PROMETHEUS/
    Grafana      http://127.0.0.1:$AIRQ_PORT_GRAFANA/d/airq   (admin/admin; only if its image could be pulled)
  make ingest   ingest a feed once;  make logs;  make down

EOF
}

main() {
    local cmd="${1:-}"; shift || true
    choose_engine
    case "$cmd" in
        engine) echo "$ENGINE" ;;
        bases) resolve_bases "$@" ;;
        images) build_images ;;
        up)
            [ "${AIRQ_SKIP_BUILD:-0}" = 1 ] && load_bases || build_images
            stack_up "$@"
            print_urls ;;
        down) load_bases; compose down "$@" ;;
        logs) load_bases; compose logs -f "$@" ;;
        ingest) load_bases; compose run --rm -T --no-deps ingest airq-ingest --once "$@" ;;
        compose) load_bases; compose "$@" ;;
        *) sed -n '2,12p' "$0" >&2; exit 2 ;;
    esac
}

main "$@"
