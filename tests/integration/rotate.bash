# Helpers for the log rotation tests (sourced after lib.sh): a real nginx
# on a free loopback port writing its own access log in $W/logs, a bounded
# curl load whose every request has a unique query string, real logrotate
# runs with their own config and state file, and the figures: requests
# sent, lines nginx logged (every access.log* file on disk), events stored
# (sqlite3 over the events table) and the lines lost or stored twice.

# nginx_start: nginx as root with its own config, pid file, prefix and
# access log ($LOG, combined format), answering 204 to every request.
nginx_start() {
	NGX_PORT=$(free_port)
	mkdir -p "$W/logs" "$W/ngx/tmp"
	LOG=$W/logs/access.log
	cat >"$W/ngx/nginx.conf" <<-EOF
		daemon on;
		user root;
		worker_processes 1;
		pid $W/ngx/nginx.pid;
		error_log $W/ngx/error.log;
		events { worker_connections 256; }
		http {
			access_log $LOG combined;
			client_body_temp_path $W/ngx/tmp/body;
			proxy_temp_path $W/ngx/tmp/proxy;
			fastcgi_temp_path $W/ngx/tmp/fastcgi;
			uwsgi_temp_path $W/ngx/tmp/uwsgi;
			scgi_temp_path $W/ngx/tmp/scgi;
			server {
				listen 127.0.0.1:$NGX_PORT;
				location / { return 204; }
			}
		}
	EOF
	nginx -c "$W/ngx/nginx.conf" -p "$W/ngx" -e "$W/ngx/error.log" ||
		fail "nginx did not start: $(cat "$W/ngx/error.log" 2>/dev/null)"
	NGX_PID=$(cat "$W/ngx/nginx.pid")
	PIDS+=("$NGX_PID")
	wait_http "http://127.0.0.1:$NGX_PORT/up"
}

# scenario NAME: a fresh work folder $W, database $DB and nginx.
scenario() {
	[ -z "${NGX_PID:-}" ] || nginx_stop
	W=$T/$1
	DB=$W/db.sqlite
	ROTATIONS=0
	mkdir -p "$W"
	nginx_start
}
nginx_stop() {
	kill "$NGX_PID" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$NGX_PID" 2>/dev/null || break; sleep 0.1; done
	NGX_PID=
}

# rotate_conf MODE: a logrotate config for $LOG (named by a glob, as
# /var/log/nginx/*.log is), MODE create or copytruncate.  With create, postrotate tells nginx to reopen its log
# (USR1) a little later, as a service script does: lines keep going to the
# renamed file meanwhile.
rotate_conf() {
	{
		echo "${LOG%/*}/*.log {"
		echo "	rotate 100"
		echo "	nocompress"
		echo "	missingok"
		echo "	$1"
		if [ "$1" = create ]; then
			echo "	postrotate"
			echo "		sleep 0.3; kill -USR1 \$(cat $W/ngx/nginx.pid)"
			echo "	endscript"
		fi
		echo "}"
	} >"$W/logrotate.conf"
}

# rotate: one forced rotation with its own state file.
rotate() {
	logrotate -s "$W/logrotate.state" -f "$W/logrotate.conf" ||
		fail "logrotate failed"
	ROTATIONS=$((ROTATIONS + 1))
}
ROTATIONS=0

# load TAG N K: K curl processes in the background, N requests each
# (curl's URL ranges: one connection per process), query id=TAG-k-i.  The
# status of each answer goes to $W/sent.TAG.k; LOADP holds their PIDs.
load() {
	local k
	LOADP=()
	for k in $(seq "$3"); do
		curl -s -o /dev/null -w '%{http_code} %{url_effective}\n' \
			"http://127.0.0.1:$NGX_PORT/r?id=$1-$k-[1-$2]" \
			>"$W/sent.$1.$k" &
		LOADP+=("$!")
	done
}
# load_stop: end a load started with a larger N than it needs.
load_stop() {
	local p
	for p in "${LOADP[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${LOADP[@]}"; do wait "$p" 2>/dev/null || true; done
}
load_wait() {
	local p
	for p in "${LOADP[@]}"; do wait "$p" || fail "curl load failed"; done
}

# The sets, one query string a line, sorted: sent (answered 204), logged
# (in any access.log* file), stored (the events' metadata.query).
sets() {
	cat "$W"/sent.* 2>/dev/null | awk '$1 == 204 { sub(/.*\?/, "", $2); print $2 }' |
		sort >"$W/set.sent"
	cat "$W"/logs/access.log* 2>/dev/null | grep -o 'GET /r?[^ ]*' |
		sed 's/^GET \/r?//' | sort >"$W/set.logged"
	sqlite3 "$DB" "select json_extract(metadata, '\$.query') from events
		where json_extract(metadata, '\$.query') like 'id=%'" 2>/dev/null |
		sort >"$W/set.stored"
}
# lost: logged but not stored (distinct); dup: stored more than once.
count_lost() { sets; comm -23 <(sort -u "$W/set.logged") <(sort -u "$W/set.stored") | wc -l; }

# wait_stored: until every logged line is stored (bounded: 30 s).
wait_stored() {
	for _ in $(seq 60); do
		[ "$(count_lost)" = 0 ] && return 0
		sleep 0.5
	done
}

# soft_check NAME GOT WANT: like check, but the test goes on (every
# scenario's figures are shown) and figures_done fails at the end.
FAILED=
soft_check() {
	if [ "$2" = "$3" ]; then echo "ok $1 = $3"; else
		echo "FAIL: $1: got '$2', want '$3'" >&2
		FAILED="$FAILED $1;"
	fi
}
figures_done() { [ -z "$FAILED" ] || fail "$FAILED"; }

# figures NAME: print and check the figures of one scenario.
figures() {
	local sent logged logged_u stored stored_u lost dup extra
	sets
	sent=$(wc -l <"$W/set.sent")
	logged=$(wc -l <"$W/set.logged")
	logged_u=$(sort -u "$W/set.logged" | wc -l)
	stored=$(wc -l <"$W/set.stored")
	stored_u=$(sort -u "$W/set.stored" | wc -l)
	lost=$(comm -23 <(sort -u "$W/set.logged") <(sort -u "$W/set.stored") | wc -l)
	extra=$(comm -13 <(sort -u "$W/set.logged") <(sort -u "$W/set.stored") | wc -l)
	dup=$((stored - stored_u))
	echo "figures $1: rotations=$ROTATIONS sent=$sent logged=$logged" \
		"stored=$stored lost=$lost duplicated=$dup" \
		"stored_not_on_disk=$extra"
	soft_check "$1: nginx logged each line once" "$((logged - logged_u))" 0
	soft_check "$1: every line stored once (duplicates)" "$dup" 0
	soft_check "$1: no logged line lost" "$lost" 0
	soft_check "$1: nothing stored that was neither sent nor logged" \
		"$(comm -13 <(sort -u "$W/set.sent" "$W/set.logged") \
			<(sort -u "$W/set.stored") | wc -l)" 0
}
