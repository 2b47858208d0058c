# Shared by scripts/up, scripts/down and scripts/test: starts and stops the project-local stack
# (PostgreSQL, Redis, NATS JetStream, the services, nginx) with its data under $STACK_DIR.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_DIR=${STACK_DIR:-$ROOT/.stack}
BUILD_DIR=${BUILD_DIR:-$ROOT/build/release}
export TODO_PG_PORT=${TODO_PG_PORT:-55432}
export TODO_REDIS_PORT=${TODO_REDIS_PORT:-56379}
export TODO_NATS_PORT=${TODO_NATS_PORT:-54222}
export TODO_HTTP_PORT=${TODO_HTTP_PORT:-8080}
export TODO_IDENTITY_PORT=${TODO_IDENTITY_PORT:-8081}
export TODO_TASKS_PORT=${TODO_TASKS_PORT:-8082}
export TODO_PROGRESS_PORT=${TODO_PROGRESS_PORT:-8083}
PG_BIN=/usr/lib/postgresql/15/bin
# Daemons that drop root (PostgreSQL's account, nginx's workers) must reach their files.
umask 022
# PostgreSQL refuses to run as root: when we are root it runs as this unprivileged account.
PG_OS_USER=${PG_OS_USER:-todo-stack}
DATABASES=(todo_identity todo_tasks todo_progress todo_test)

# True when every directory from $1 up to / lets other users through (o+x).
world_traversable() {
  local d=$1 perm
  while [ "$d" != / ]; do
    perm=$(stat -c %A "$d") || return 1
    case ${perm:9:1} in x | t) ;; *) return 1 ;; esac
    d=$(dirname "$d")
  done
}

# RUN_DIR holds what unprivileged daemons write (PostgreSQL's data and log, nginx's temp
# files): the stack directory itself, unless the checkout sits somewhere they cannot enter.
if [ "$(id -u)" -ne 0 ] || world_traversable "$ROOT"; then
  RUN_DIR=$STACK_DIR
else
  RUN_DIR=/var/tmp/todo-stack-$(printf %s "$STACK_DIR" | md5sum | cut -c1-12)
fi

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_running PID [PROGRAM]: true when process PID runs and, given PROGRAM, is that program.
# kill -0 alone is not enough: it succeeds on a zombie (a process that exited and that its
# parent has not reaped yet, for seconds where PID 1 reaps late, as in containers), and a pid
# file outliving its process may name a pid reused by another program.
pid_running() {
  local pid=$1 program=${2:-} stat state comm
  [[ $pid =~ ^[1-9][0-9]*$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ -d /proc/self ] || return 0 # no procfs (not Linux): kill -0 is all there is to ask
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) } # the name, in parentheses, may hold spaces; the state follows it
  case ${state:0:1} in Z | X | x) return 1 ;; esac
  [ -z "$program" ] && return 0
  # comm is the name the program was started by (at most 15 characters), also when the binary
  # is a symlink (redis-server) or was rebuilt since (exe then reads "... (deleted)").
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [ "$comm" = "${program:0:15}" ]
}

# Seconds since the epoch at which process $1 started (procfs only).
pid_started_at() {
  local stat fields btime
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  read -ra fields <<<"${stat##*) }" # from the state on: the start time is the 20th field
  btime=$(awk '$1 == "btime" { print $2 }' /proc/stat) || return 1
  echo $((btime + fields[19] / $(getconf CLK_TCK)))
}

# pid_alive PIDFILE [PROGRAM]: true when the process named on the pid file's first line runs
# (see pid_running) and is the one that file was written for: a process that started after the
# file was last written reuses the pid of the one that wrote it (2 s of slack: boot time and
# file times are whole seconds).
pid_alive() {
  local pid started
  [ -f "$1" ] || return 1
  pid=$(head -n 1 "$1" 2>/dev/null)
  pid_running "$pid" "${2:-}" || return 1
  [ -d /proc/self ] || return 0
  started=$(pid_started_at "$pid") || return 1
  [ "$started" -le $(($(stat -c %Y "$1") + 2)) ]
}

# claim_port NAME PORT PIDFILE PROGRAM: refuses a port that something outside this stack holds,
# naming the part that wanted it.
claim_port() {
  local name=$1 port=$2 pidfile=$3 program=$4
  if port_busy "$port" && ! pid_alive "$pidfile" "$program"; then
    die "port $port for $name is already taken by a process this stack did not start (set the matching TODO_*_PORT to move it)"
  fi
}

wait_port() {
  local name=$1 port=$2 tries=${3:-200}
  for _ in $(seq "$tries"); do
    port_busy "$port" && return 0
    sleep 0.05
  done
  die "$name did not start listening on port $port (see $STACK_DIR/logs)"
}

as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

start_postgres() {
  local data=$RUN_DIR/pg pidfile=$RUN_DIR/pg/postmaster.pid pglog=$RUN_DIR/pg-log/postgres.log
  claim_port PostgreSQL "$TODO_PG_PORT" "$pidfile" postgres
  if [ "$(id -u)" -eq 0 ] && ! id "$PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
  mkdir -p "$data" "$RUN_DIR/pg-log"
  [ "$(id -u)" -eq 0 ] && chown "$PG_OS_USER" "$data" "$RUN_DIR/pg-log"
  if [ ! -f "$data/PG_VERSION" ]; then
    # trust on loopback only: a developer stack; production uses scram and its own cluster.
    as_pg_user "$PG_BIN/initdb" -D "$data" -U todo --auth=trust -E UTF8 --no-locale >"$STACK_DIR/logs/initdb.log" 2>&1 ||
      die "initdb failed (see $STACK_DIR/logs/initdb.log)"
  fi
  if ! pid_alive "$pidfile" postgres; then
    [ "$pglog" -ef "$STACK_DIR/logs/postgres.log" ] || ln -sfn "$pglog" "$STACK_DIR/logs/postgres.log"
    as_pg_user "$PG_BIN/pg_ctl" -D "$data" -l "$pglog" -w -t 30 \
      -o "-p $TODO_PG_PORT -c listen_addresses=127.0.0.1 -k '' -c max_connections=200 -c shared_buffers=256MB -c wal_buffers=16MB -c max_wal_size=4GB -c checkpoint_timeout=15min -c track_commit_timestamp=on -c log_error_verbosity=terse ${TODO_PG_EXTRA_OPTIONS:-}" \
      start >/dev/null || die "PostgreSQL did not start (see $STACK_DIR/logs/postgres.log)"
  fi
  for db in "${DATABASES[@]}"; do
    if ! psql -h 127.0.0.1 -p "$TODO_PG_PORT" -U todo -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      createdb -h 127.0.0.1 -p "$TODO_PG_PORT" -U todo "$db"
    fi
  done
}

start_redis() {
  local pidfile=$STACK_DIR/redis/redis.pid
  claim_port Redis "$TODO_REDIS_PORT" "$pidfile" redis-server
  mkdir -p "$STACK_DIR/redis"
  pid_alive "$pidfile" redis-server && return 0
  redis-server --port "$TODO_REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$pidfile" \
    --dir "$STACK_DIR/redis" --logfile "$STACK_DIR/logs/redis.log" --save "" --appendonly no \
    || die "Redis did not start"
  wait_port Redis "$TODO_REDIS_PORT"
}

start_nats() {
  local pidfile=$STACK_DIR/nats/nats.pid
  claim_port NATS "$TODO_NATS_PORT" "$pidfile" nats-server
  mkdir -p "$STACK_DIR/nats"
  pid_alive "$pidfile" nats-server && return 0
  setsid nats-server -a 127.0.0.1 -p "$TODO_NATS_PORT" -js -sd "$STACK_DIR/nats/js" \
    -P "$pidfile" -l "$STACK_DIR/logs/nats.log" </dev/null >/dev/null 2>&1 &
  wait_port NATS "$TODO_NATS_PORT"
}

start_infra() {
  mkdir -p "$STACK_DIR/logs" "$STACK_DIR/run" "$STACK_DIR/keys"
  start_postgres
  start_redis
  start_nats
}

pg_conninfo() { echo "host=127.0.0.1 port=$TODO_PG_PORT user=todo dbname=$1 connect_timeout=3"; }

# start_service NAME PORT_VAR_VALUE BINARY
start_service() {
  local name=$1 port=$2 binary=$3 pidfile=$STACK_DIR/run/$1.pid
  claim_port "$name service" "$port" "$pidfile" "${binary##*/}"
  pid_alive "$pidfile" "${binary##*/}" && return 0
  [ -x "$binary" ] || die "$binary is missing: build first"
  TODO_PG="$(pg_conninfo "todo_$name")" \
    TODO_REDIS_URL="127.0.0.1:$TODO_REDIS_PORT" \
    TODO_NATS_URL="nats://127.0.0.1:$TODO_NATS_PORT" \
    TODO_KEY_DIR="$STACK_DIR/keys" \
    TODO_TRUSTED_PROXIES=127.0.0.1 \
    setsid "$binary" </dev/null >>"$STACK_DIR/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 300); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    pid_alive "$pidfile" || die "$name exited during start-up (see $STACK_DIR/logs/$name.log)"
    sleep 0.05
  done
  die "$name did not become ready on port $port (see $STACK_DIR/logs/$name.log)"
}

# The web app's files (web/dist, see scripts/build-web), where nginx's workers can read them:
# in place, unless the checkout is closed to other users (then RUN_DIR is elsewhere, and so is
# a copy of the app).
web_root() {
  local dist=$ROOT/web/dist
  if [ "$RUN_DIR" = "$STACK_DIR" ]; then
    echo "$dist"
    return 0
  fi
  rm -rf "$RUN_DIR/web"
  mkdir -p "$RUN_DIR/web"
  if [ -d "$dist" ]; then cp -R "$dist/." "$RUN_DIR/web/"; fi
  chmod -R a+rX "$RUN_DIR/web"
  echo "$RUN_DIR/web"
}

# The gateway's per-address limits (TODO_GATEWAY_RATE requests/s with a burst of twice that,
# TODO_GATEWAY_CONN open connections; 0 turns one off): the http-level zones with $1 = zones,
# the server-level directives with $1 = directives. A limit that is off has no directive at all.
gateway_limits() {
  local rate=${TODO_GATEWAY_RATE:-500} conn=${TODO_GATEWAY_CONN:-100} out=""
  [[ $rate =~ ^[0-9]+$ ]] || die "TODO_GATEWAY_RATE must be a whole number of requests per second (0 = off), not '$rate'"
  [[ $conn =~ ^[0-9]+$ ]] || die "TODO_GATEWAY_CONN must be a whole number of connections (0 = off), not '$conn'"
  rate=$((10#$rate)) conn=$((10#$conn))
  if [ "$1" = zones ]; then
    [ "$rate" -gt 0 ] && out+="limit_req_zone \$binary_remote_addr zone=per_address:10m rate=${rate}r/s; "
    [ "$conn" -gt 0 ] && out+="limit_conn_zone \$binary_remote_addr zone=connections_per_address:10m; "
  else
    [ "$rate" -gt 0 ] && out+="limit_req zone=per_address burst=$((rate * 2)) nodelay; "
    [ "$conn" -gt 0 ] && out+="limit_conn connections_per_address $conn; "
  fi
  printf '%s' "$out"
}

start_gateway() {
  local pidfile=$RUN_DIR/nginx/nginx.pid web zones limits
  claim_port "gateway (nginx)" "$TODO_HTTP_PORT" "$pidfile" nginx
  mkdir -p "$RUN_DIR/nginx"
  web=$(web_root)
  [ -f "$web/index.html" ] || log "warning: the web app is not built ($ROOT/web/dist): run scripts/build-web"
  zones=$(gateway_limits zones) && limits=$(gateway_limits directives) || exit 1
  sed -e "s|@HTTP_PORT@|$TODO_HTTP_PORT|g" -e "s|@IDENTITY_PORT@|$TODO_IDENTITY_PORT|g" \
    -e "s|@TASKS_PORT@|$TODO_TASKS_PORT|g" -e "s|@PROGRESS_PORT@|$TODO_PROGRESS_PORT|g" \
    -e "s|@STACK_DIR@|$STACK_DIR|g" -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@ROOT@|$ROOT|g" \
    -e "s|@WEB_ROOT@|$web|g" -e "s|@LIMIT_ZONES@|$zones|g" -e "s|@LIMITS@|$limits|g" \
    "$ROOT/deploy/nginx.conf.template" >"$RUN_DIR/nginx/nginx.conf"
  if pid_alive "$pidfile" nginx; then
    nginx -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf" -s reload
    return 0
  fi
  nginx -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf" || die "nginx did not start"
  wait_port "gateway (nginx)" "$TODO_HTTP_PORT"
}

# stop_pidfile PIDFILE [PROGRAM]: stops the process (TERM, then KILL after 10 s), if it is
# that program; a pid the file names that now belongs to another program is left alone.
stop_pidfile() {
  local pidfile=$1 program=${2:-}
  pid_alive "$pidfile" "$program" || { rm -f "$pidfile"; return 0; }
  local pid
  pid=$(head -n 1 "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 200); do
    pid_running "$pid" || { rm -f "$pidfile"; return 0; }
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

stop_gateway() {
  if pid_alive "$RUN_DIR/nginx/nginx.pid" nginx; then
    nginx -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf" -s quit 2>/dev/null || true
    for _ in $(seq 100); do pid_alive "$RUN_DIR/nginx/nginx.pid" nginx || break; sleep 0.05; done
  fi
}

stop_stack() {
  [ -d "$STACK_DIR" ] || [ -d "$RUN_DIR" ] || return 0
  for f in "$STACK_DIR"/run/*.pid; do [ -e "$f" ] && stop_pidfile "$f"; done
  stop_gateway
  stop_pidfile "$STACK_DIR/nats/nats.pid" nats-server
  if [ -f "$STACK_DIR/redis/redis.pid" ]; then stop_pidfile "$STACK_DIR/redis/redis.pid" redis-server; fi
  if pid_alive "$RUN_DIR/pg/postmaster.pid" postgres; then
    as_pg_user "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
