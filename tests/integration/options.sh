#!/usr/bin/env bash
# The option table: bash completion proposes a command's options (lists
# written here by hand), every command's --help lists every option
# --help-table gives it, a bad option exits 2 on every command, both
# --opt=value and --opt value work, and sitrep config shows where each
# value came from.
source "$(dirname "$0")/lib.sh"

# --- bash completion: the generated script, its function called by hand ---
"$SITREP" --completion bash >"$T/sitrep.bash"
"$SITREP" --completion zsh >"$T/_sitrep"
head -1 "$T/_sitrep" | grep -q '^#compdef sitrep' || fail "zsh script header"
command -v zsh >/dev/null || fail "zsh is not installed (make deps-test installs it)"
zsh -n "$T/_sitrep" || fail "the zsh completion does not parse"
# zsh: _sitrep run with _arguments and _describe replaced by printers, so
# what it hands them (the command's option specs, the command list) shows.
zsh_complete() { # CURRENT WORD... : the option names or commands offered
	local cur=$1
	shift
	zsh -fc '_describe() { print -l -- "${(@P)2}"; }
		_arguments() { print -l -- "$@"; }
		source "$1"; shift; CURRENT=$1; shift; words=("$@"); _sitrep' \
		_ "$T/_sitrep" "$cur" "$@" |
		sed -n -e 's/^\*\{0,1\}\(--[a-z-]*\).*/\1/p' -e 's/^\([a-z]*\):.*/\1/p' |
		sort | tr '\n' ' '
}
check "zsh report options" "$(zsh_complete 3 sitrep report --)" \
	"--config --db --from --help --hours --json --service --to --top "
check "zsh commands" "$(zsh_complete 2 sitrep co)" \
	"config demo export formats ingest insights metrics parse report serve tui "
complete_words() { # WORD... : what _sitrep proposes for the last word
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		_sitrep; [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$T/sitrep.bash" "$@" |
		sort | tr '\n' ' '
}
check "report options" "$(complete_words sitrep report --)" \
	"--config --db --from --help --hours --json --service --to --top "
check "export --f" "$(complete_words sitrep export --f)" "--format --from "
check "export --format values" "$(complete_words sitrep export --format '')" \
	"csv json jsonl "
check "tui --layout values" "$(complete_words sitrep tui --layout c)" "compact "
check "demo --i" "$(complete_words sitrep demo --i)" "--incidents "
check "commands" "$(complete_words sitrep co)" "config "
check "bare sitrep takes tui options" "$(complete_words sitrep --no-)" "--no-mouse "
check "hidden options are not offered" "$(complete_words sitrep config --k)" ""

# --- every command's --help lists every option of the table ---
"$SITREP" --help-table >"$T/table"
[ "$(wc -l <"$T/table")" -gt 60 ] || fail "help table too short"
grep -q '^serve --listen ADDR:PORT$' "$T/table" || fail "table lacks serve --listen"
check "no option twice on a command" "$(awk '{ print $1, $2 }' "$T/table" | sort | uniq -d)" ""
for cmd in ingest report insights export metrics demo serve config tui; do
	"$SITREP" "$cmd" --help >"$T/help.$cmd" || fail "$cmd --help exit $?"
	grep -q "^usage: sitrep" "$T/help.$cmd" || fail "$cmd --help has no usage line"
	while read -r c opt _; do
		[ "$c" = "$cmd" ] || continue
		[ "$opt" = --keys ] && continue	# hidden
		grep -qE -- "(^|[ ,])$opt( |$)" "$T/help.$cmd" ||
			fail "$cmd --help does not list $opt"
	done <"$T/table"
	echo "ok $cmd --help lists its options"
done
"$SITREP" --help | grep -q -- '--version' || fail "sitrep --help lacks --version"
"$SITREP" --help | grep -qE '^  config ' || fail "sitrep --help lacks config"

# --- --version: "sitrep X.Y.Z", then each library in use and as built;
# expected values from pkg-config (built) and the installed packages ---
"$SITREP" --version >"$T/version"
head -n 1 "$T/version" | grep -qE '^sitrep [0-9]+\.[0-9]+\.[0-9]+$' ||
	fail "--version first line: $(head -n 1 "$T/version")"
pc() { pkg-config --modversion "$1"; }
deb() { dpkg-query -W -f '${Version}' "$1" | sed 's/-[^-]*$//'; }
lib_line() { # NAME IN-USE BUILT
	grep -qxF "$1 $2 (built with $3)" "$T/version" ||
		fail "--version lacks '$1 $2 (built with $3)': $(cat "$T/version")"
}
lib_line ncurses "$(pc ncursesw)" "$(pc ncursesw)"
lib_line SQLite "$(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')" "$(pc sqlite3)"
lib_line libcurl "$(curl --version | sed -n '1s|.* libcurl/\([^ ]*\).*|\1|p')" "$(pc libcurl)"
lib_line libmicrohttpd "$(deb libmicrohttpd12)" "$(pc libmicrohttpd)"
lib_line cJSON "$(deb libcjson1 | sed 's/+.*//')" "$(pc libcjson)"
grep -qxF "inih $(pc inih) (built with; no version at run time)" "$T/version" ||
	fail "--version lacks inih $(pc inih): $(cat "$T/version")"
check "--version lines" "$(wc -l <"$T/version")" 7
echo "ok --version names sitrep and its six libraries"

# --- a bad option exits 2 everywhere; so does a missing value ---
for cmd in ingest report insights export metrics demo serve config tui; do
	set +e
	"$SITREP" "$cmd" --no-such-option </dev/null >/dev/null 2>"$T/err"; rc=$?
	set -e
	check "$cmd bad option exit" "$rc" 2
	grep -q "unknown option '--no-such-option'" "$T/err" || fail "$cmd message: $(cat "$T/err")"
done
set +e
"$SITREP" report --hours >/dev/null 2>"$T/err"; rc=$?
set -e
check "missing value exit" "$rc" 2
grep -q "needs a value" "$T/err" || fail "missing value message: $(cat "$T/err")"
set +e
"$SITREP" --completion fish >/dev/null 2>&1; rc=$?
set -e
check "unknown shell exit" "$rc" 2

# --- --opt=value and --opt value ---
check "config --db=X" "$("$SITREP" config --db="$T/a.db" | grep '^db =')" \
	"db = $T/a.db  ; flag:--db"
check "config --db X" "$("$SITREP" config --db "$T/b.db" | grep '^db =')" \
	"db = $T/b.db  ; flag:--db"

# --- sitrep config: origins, pasted back, JSON ---
printf '[general]\ninterval = 2s\n\n[tui]\ntheme = mono\n' >"$T/s.conf"
"$SITREP" config --config "$T/s.conf" --no-mouse >"$T/eff.conf"
check "from file" "$(grep '^interval =' "$T/eff.conf")" "interval = 2s  ; file:$T/s.conf:2"
check "from file 2" "$(grep '^theme =' "$T/eff.conf")" "theme = mono  ; file:$T/s.conf:5"
check "from flag" "$(grep '^mouse =' "$T/eff.conf")" "mouse = no  ; flag:--no-mouse"
check "default" "$(grep '^cpu_warn =' "$T/eff.conf")" "cpu_warn = 85  ; default"
XDG_DATA_HOME=/srv/data "$SITREP" config --config "$T/s.conf" >"$T/env.conf"
check "from env" "$(grep '^db =' "$T/env.conf")" "db = /srv/data/sitrep/sitrep.db  ; env:XDG_DATA_HOME"
# the output reads back as a config with the same values
"$SITREP" config --config "$T/eff.conf" | sed 's/  ;.*//' >"$T/again"
sed 's/  ;.*//' "$T/eff.conf" | grep -v '^;' >"$T/first"
grep -v '^;' "$T/again" | diff "$T/first" - || fail "config output does not read back"
check "json" "$("$SITREP" config --config "$T/s.conf" --json |
	jq -r '.[] | select(.key == "interval") | .value + " " + .from')" "2s file:$T/s.conf:2"
printf '[tui]\ncolour = red\n' >"$T/bad.conf"
set +e
"$SITREP" config --config "$T/bad.conf" >/dev/null 2>"$T/err"; rc=$?
set -e
check "bad config exit" "$rc" 2
grep -q "bad.conf:2: unknown key 'colour' in \[tui\]" "$T/err" || fail "message: $(cat "$T/err")"
echo "options: all checks passed"
