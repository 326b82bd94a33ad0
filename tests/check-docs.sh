#!/usr/bin/env bash
# make check-docs: every option of the option table is in man/sitrep.1,
# and every key of the config tables is in man/sitrep.1 (in bold) and in
# sitrep.conf.example (as "key =", commented or not).  The tables come
# from the binary: `sitrep --help-table` and `sitrep config --keys`.
# Usage: tests/check-docs.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: tests/check-docs.sh BINARY}
MAN=man/sitrep.1
EXAMPLE=sitrep.conf.example
bad=0
# the man page with roff's escaped hyphens and font changes undone
man_text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]/\n/g' "$MAN")

opts=$("$BIN" --help-table) || { echo "check-docs: $BIN --help-table failed"; exit 1; }
for opt in $(awk '{ print $2 }' <<<"$opts" | sort -u); do
	grep -qE -- "(^|[^a-z0-9-])${opt}([^a-z0-9-]|\$)" <<<"$man_text" || {
		echo "check-docs: option $opt is not in $MAN"; bad=1; }
done

# Each command's options in that command's own entry of COMMANDS (the
# text from its '.\" == NAME ==' marker to the next marker); --help is
# said once for all commands.
while read -r cmd opt _; do
	case $cmd in
	sitrep) sec=global ;;
	parse | formats) sec="parse, formats" ;;
	*) sec=$cmd ;;
	esac
	[ "$opt" = --help ] && continue
	entry=$(awk -v s="== $sec ==" '/^\.\\" == / { on = (substr($0, 5) == s); n += on; next }
		on && n == 1' "$MAN" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g')
	grep -qE -- "(^|[^a-z0-9-])${opt}([^a-z0-9-]|\$)" <<<"$entry" || {
		echo "check-docs: $cmd $opt is not in the man page's entry for $cmd"; bad=1; }
done <<<"$opts"

# The man page is clean for both formatters (style warnings included).
for tool in mandoc groff; do
	command -v "$tool" >/dev/null || { echo "check-docs: $tool is not installed (make deps-test)"; bad=1; }
done
if command -v mandoc >/dev/null; then
	lint=$(mandoc -Tlint -Wstyle "$MAN" 2>&1) || true
	[ -z "$lint" ] || { echo "check-docs: mandoc -Tlint: $lint"; bad=1; }
fi
if command -v groff >/dev/null; then
	lint=$(groff -ww -man -z "$MAN" 2>&1) || true
	[ -z "$lint" ] || { echo "check-docs: groff -ww: $lint"; bad=1; }
fi

keys=$("$BIN" config --keys) || { echo "check-docs: $BIN config --keys failed"; exit 1; }
while read -r section key doc; do
	grep -qE "^\.B[RI]? +\"?${doc}\"?( |,|;|\\)|\$)" <<<"$man_text" ||
		grep -qE "^${doc}( |,|;|\$)" <<<"$man_text" || {
		echo "check-docs: config key $doc ([$section]) is not in $MAN"; bad=1; }
	# [rule NAME] fields are the [insights] RULE_FIELD keys, listed there
	[ "$section" = rule ] && continue
	grep -qE "^(#[ ;]?)?${key} =" "$EXAMPLE" || {
		echo "check-docs: config key $key ([$section]) is not in $EXAMPLE"; bad=1; }
done <<<"$keys"
[ "$bad" = 0 ] && echo "check-docs: ok ($(wc -l <<<"$opts") options, $(wc -l <<<"$keys") config keys)"
exit "$bad"
