#!/usr/bin/env bash
# A real multi-service Temporal cluster on PostgreSQL: frontend, history, matching and worker as
# four separate `temporal-server` processes from one generated config. Used by the cluster test
# suite (test/cluster), the benches and by hand:
#
#   scripts/temporal-cluster.sh build                 # builds + caches temporal-server and temporal-sql-tool in .tools/bin
#   scripts/temporal-cluster.sh up DIR                # schemas, config, four services, namespace; prints TEMPORAL_ADDRESS=…
#   scripts/temporal-cluster.sh start-service DIR S   # (re)starts one service (frontend|history|matching|worker)
#   scripts/temporal-cluster.sh stop-service DIR S    # stops one service by its PID (SIGTERM, then SIGKILL)
#   scripts/temporal-cluster.sh down DIR              # stops the four services (and the PostgreSQL `up` started) by PID
#
# `up` uses the PostgreSQL in TEMPORAL_PG_URL (postgres://user:password@host:port/anydb, a role allowed to
# CREATE DATABASE) or, without it, starts a throwaway one in DIR (Debian's binaries; as root via runuser).
# Databases are named ${TEMPORAL_DB_PREFIX:-temporal}{,_visibility}. DIR/cluster.env holds what `up` chose
# (ports, address, pids in DIR/pids/). TEMPORAL_NAMESPACE (default `default`) is registered.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="v1.29.1"
tools="${TEMPORAL_SERVER_TOOLS:-$root/.tools/bin}"
services=(frontend history matching worker)

die() { echo "temporal-cluster: $*" >&2; exit 1; }

# A process that exists and is not a zombie (a SIGKILLed service nobody reaped yet runs nothing).
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }

# The server's PostgreSQL schemas, copied next to the binaries: `up` needs them even where the Go module
# cache is gone (a CI cache that restores .tools/ only).
schema_dir="$tools/temporal-server-$version-schema"

build() {
  if [ -x "$tools/temporal-server" ] && [ -x "$tools/temporal-sql-tool" ] && [ -d "$schema_dir/postgresql/v12" ]; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "Go (>= 1.25) is needed once to build the Temporal server $version (go install)"
  mkdir -p "$tools"
  if ! [ -x "$tools/temporal-server" ] || ! [ -x "$tools/temporal-sql-tool" ]; then
    echo "temporal-cluster: building temporal-server and temporal-sql-tool $version (first run only, ~2 min)" >&2
    GOTOOLCHAIN=local GOBIN="$tools" GOFLAGS=-buildvcs=false go install \
      "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version" >&2
    mv -f "$tools/server" "$tools/temporal-server"
    mv -f "$tools/sql" "$tools/temporal-sql-tool"
  fi
  local module; module="$(module_dir)"
  if ! [ -d "$module/schema/postgresql/v12" ]; then
    (cd "$(mktemp -d)" && GOTOOLCHAIN=local go mod download "go.temporal.io/server@$version" >&2)
  fi
  [ -d "$module/schema/postgresql/v12" ] || die "no schema in $module after go mod download"
  rm -rf "$schema_dir.tmp" && mkdir -p "$schema_dir.tmp"
  cp -R "$module/schema/postgresql" "$schema_dir.tmp/" && chmod -R u+w "$schema_dir.tmp"
  rm -rf "$schema_dir" && mv "$schema_dir.tmp" "$schema_dir"
}

module_dir() { echo "$(GOTOOLCHAIN=local go env GOMODCACHE)/go.temporal.io/server@$version"; }

# N distinct free loopback ports below 32768 (membership ports are stored as smallint).
free_ports() {
  node -e '
    const net = require("node:net");
    const want = Number(process.argv[1]); const got = new Set();
    const tryPort = () => {
      if (got.size === want) { console.log([...got].join(" ")); return; }
      const port = 20000 + Math.floor(Math.random() * 12000);
      if (got.has(port)) return tryPort();
      const server = net.createServer();
      server.once("error", tryPort);
      server.listen(port, "127.0.0.1", () => server.close(() => { got.add(port); tryPort(); }));
    };
    tryPort();' "$1"
}

wait_port() { # port seconds what
  local deadline=$(( $(date +%s) + $2 ))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$3 did not listen on port $1 within $2 s (logs in $dir/logs)"
    sleep 0.2
  done
}

start_postgres() {
  local pg_bin; pg_bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
  [ -x "$pg_bin/initdb" ] || die "no PostgreSQL server binaries: apt-get install postgresql, set PG_BIN or TEMPORAL_PG_URL"
  local pg="$dir/postgres" password="temporal-cluster" port as=()
  mkdir -p "$pg"; echo "$password" >"$pg/pw"; chmod 700 "$pg"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$pg"; as=(runuser -u postgres --); fi
  "${as[@]}" "$pg_bin/initdb" -D "$pg/data" -U postgres --auth=scram-sha-256 --pwfile="$pg/pw" -E UTF8 --no-sync >/dev/null
  port=$(free_ports 1)
  setsid "${as[@]}" "$pg_bin/postgres" -D "$pg/data" -p "$port" -c listen_addresses=127.0.0.1 \
    -c "unix_socket_directories=$pg" -c fsync=off -c max_connections=300 >"$dir/logs/postgres.log" 2>&1 &
  echo $! >"$dir/pids/postgres"
  wait_port "$port" 30 PostgreSQL
  TEMPORAL_PG_URL="postgres://postgres:$password@127.0.0.1:$port/postgres"
}

sql_tool() { # db args...
  local db="$1"; shift
  SQL_PASSWORD="$pg_password" "$tools/temporal-sql-tool" --plugin postgres12 --ep "$pg_host" -p "$pg_port" \
    -u "$pg_user" --db "$db" "$@" >>"$dir/logs/schema.log" 2>&1 || die "temporal-sql-tool $* failed: see $dir/logs/schema.log"
}

write_config() {
  mkdir -p "$dir/config"
  cat >"$dir/config/development.yaml" <<YAML
# Generated by scripts/temporal-cluster.sh (based on the server module's config/development-postgres12.yaml).
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${TEMPORAL_HISTORY_SHARDS:-4}
  datastores:
    postgres-default:
      sql:
        pluginName: postgres12
        databaseName: "$db_main"
        connectAddr: "$pg_host:$pg_port"
        connectProtocol: tcp
        user: "$pg_user"
        password: "$pg_password"
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
    postgres-visibility:
      sql:
        pluginName: postgres12
        databaseName: "$db_visibility"
        connectAddr: "$pg_host:$pg_port"
        connectProtocol: tcp
        user: "$pg_user"
        password: "$pg_password"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: { grpcPort: $frontend_port, membershipPort: $frontend_membership, httpPort: $frontend_http, bindOnLocalHost: true }
  history:
    rpc: { grpcPort: $history_port, membershipPort: $history_membership, bindOnLocalHost: true }
  matching:
    rpc: { grpcPort: $matching_port, membershipPort: $matching_membership, bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: $worker_port, membershipPort: $worker_membership, bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:$frontend_port
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "$dir/config/dynamic.yaml"
  pollInterval: 10s
YAML
  # Same behaviour as the dev server the product starts (workers/dev-temporal.ts): eager activities,
  # task queues read as soon as tasks arrive (not at most 20 times a second per shard), visibility lists
  # not throttled at 10 a second. (No forced search-attribute cache refresh: the product registers no
  # custom search attributes, and a refresh on every read cost a persistence read per visibility call.)
  cat >"$dir/config/dynamic.yaml" <<'YAML'
system.enableActivityEagerExecution:
  - value: true
history.transferProcessorMaxPollRPS:
  - value: 1000
history.timerProcessorMaxPollRPS:
  - value: 1000
frontend.namespaceRPS.visibility:
  - value: 100
frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.workerVersioningDataAPIs:
  - value: true
frontend.workerVersioningWorkflowAPIs:
  - value: true
YAML
}

start_service() { # service
  # The worker service serves no gRPC: it is up once it listens for membership.
  local service="$1" port_var="${1}_port"
  [ "$service" = worker ] && port_var=worker_membership
  [ -f "$dir/pids/$service" ] && alive "$(cat "$dir/pids/$service")" && die "$service already runs"
  setsid "$tools/temporal-server" --root "$dir" --config config --env development --allow-no-auth start --service="$service" \
    >>"$dir/logs/$service.log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$service"
  wait_port "${!port_var}" 60 "temporal $service"
}

stop_pid() { # pidfile
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
  rm -f "$1"
}

load_env() { [ -f "$dir/cluster.env" ] || die "$dir/cluster.env missing: run up first"; set -a; . "$dir/cluster.env"; set +a; }

up() {
  build
  mkdir -p "$dir/logs" "$dir/pids"
  [ -n "${TEMPORAL_PG_URL:-}" ] || start_postgres
  # postgres://user:password@host:port/db
  local rest="${TEMPORAL_PG_URL#*://}"
  pg_user="${rest%%:*}"; rest="${rest#*:}"
  pg_password="${rest%%@*}"; rest="${rest#*@}"
  pg_host="${rest%%:*}"; rest="${rest#*:}"
  pg_port="${rest%%/*}"
  db_main="${TEMPORAL_DB_PREFIX:-temporal}"; db_visibility="${db_main}_visibility"
  local schema="$schema_dir/postgresql/v12"
  for pair in "$db_main:temporal" "$db_visibility:visibility"; do
    local db="${pair%%:*}" kind="${pair#*:}"
    sql_tool "$db" create-database
    sql_tool "$db" setup-schema -v 0.0
    sql_tool "$db" update-schema -d "$schema/$kind/versioned"
  done
  read -r frontend_port frontend_http history_port matching_port worker_port \
    frontend_membership history_membership matching_membership worker_membership <<<"$(free_ports 9)"
  write_config
  cat >"$dir/cluster.env" <<ENV
TEMPORAL_ADDRESS=127.0.0.1:$frontend_port
frontend_port=$frontend_port
history_port=$history_port
matching_port=$matching_port
worker_port=$worker_port
worker_membership=$worker_membership
TEMPORAL_PG_URL=$TEMPORAL_PG_URL
ENV
  # History first: frontend and matching look it up through membership.
  for service in history matching frontend worker; do start_service "$service"; done
  local cli; cli="$(bash "$root/scripts/temporal-cli.sh")" namespace="${TEMPORAL_NAMESPACE:-default}"
  local deadline=$(( $(date +%s) + 60 ))
  until "$cli" operator namespace describe --address "127.0.0.1:$frontend_port" --namespace "$namespace" >/dev/null 2>&1 \
     || "$cli" operator namespace create --address "127.0.0.1:$frontend_port" --namespace "$namespace" --retention 24h >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "could not register namespace $namespace (logs in $dir/logs)"
    sleep 1
  done
  echo "TEMPORAL_ADDRESS=127.0.0.1:$frontend_port"
}

command="${1:-}"; dir="${2:-}"
case "$command" in
  build) build; echo "$tools" ;;
  up) [ -n "$dir" ] || die "usage: $0 up DIR"; dir="$(mkdir -p "$dir" && cd "$dir" && pwd)"; up ;;
  start-service|stop-service)
    [ -n "$dir" ] && [ -n "${3:-}" ] || die "usage: $0 $command DIR SERVICE"
    dir="$(cd "$dir" && pwd)"; load_env
    [[ " ${services[*]} " == *" $3 "* ]] || die "unknown service $3 (one of ${services[*]})"
    if [ "$command" = start-service ]; then start_service "$3"; else stop_pid "$dir/pids/$3"; fi ;;
  down)
    [ -n "$dir" ] || die "usage: $0 down DIR"; dir="$(cd "$dir" && pwd)"
    for service in worker frontend matching history; do stop_pid "$dir/pids/$service"; done
    stop_pid "$dir/pids/postgres" ;;
  *) die "usage: $0 build | up DIR | start-service DIR SERVICE | stop-service DIR SERVICE | down DIR" ;;
esac
