#!/usr/bin/env bash
# make install into a temporary DESTDIR puts every file where the man page
# and README say, with the right modes and contents (the systemd unit runs
# the installed binary, the completions are the binary's own); make
# uninstall removes them all and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
san=${SAN:-0}
bin=$(dirname "$SITREP")
d="$T/dest"
prefix=/opt/sr
make --no-print-directory -s install SAN="$san" DESTDIR="$d" PREFIX="$prefix" \
	>"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "make install"; }

# FILE MODE SOURCE (compared byte for byte)
want() {
	local f="$d$prefix/$1"
	[ -f "$f" ] || fail "not installed: $prefix/$1"
	check "mode of $1" "$(stat -c %a "$f")" "$2"
	[ -z "${3:-}" ] || cmp -s "$f" "$3" || fail "$1 differs from $3"
}
want bin/sitrep 755 "$SITREP"
want share/man/man1/sitrep.1 644 man/sitrep.1
want share/bash-completion/completions/sitrep 644
want share/zsh/vendor-completions/_sitrep 644
want lib/systemd/system/sitrep.service 644
want share/doc/sitrep/examples/sitrep.conf 644 sitrep.conf.example
want share/doc/sitrep/README.md 644 README.md
want share/doc/sitrep/SECURITY.md 644 SECURITY.md

# The completions are what the installed binary generates.
"$d$prefix/bin/sitrep" --completion bash >"$T/bash"
cmp -s "$T/bash" "$d$prefix/share/bash-completion/completions/sitrep" ||
	fail "bash completion is not the binary's"
"$d$prefix/bin/sitrep" --completion zsh >"$T/zsh"
cmp -s "$T/zsh" "$d$prefix/share/zsh/vendor-completions/_sitrep" ||
	fail "zsh completion is not the binary's"
# The unit starts the installed binary, and is the source unit otherwise.
unit="$d$prefix/lib/systemd/system/sitrep.service"
check "ExecStart binary" "$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")" \
	"$prefix/bin/sitrep"
diff <(grep -v '^ExecStart=' sitrep.service) <(grep -v '^ExecStart=' "$unit") \
	>/dev/null || fail "the unit differs beyond ExecStart"
# The installed man page renders without warnings (but for lines it cannot adjust).
warn=$(groff -man -Tutf8 -ww -W break -z "$d$prefix/share/man/man1/sitrep.1" 2>&1)
check "groff warnings" "$warn" ""
"$d$prefix/bin/sitrep" --version | grep -q '^sitrep ' || fail "--version"
n=$(find "$d" -type f | wc -l)
check "files installed" "$n" 8

make --no-print-directory -s uninstall SAN="$san" DESTDIR="$d" PREFIX="$prefix" \
	>"$T/uninstall.log" 2>&1 || { cat "$T/uninstall.log"; fail "make uninstall"; }
check "files left after uninstall" "$(find "$d" -type f | wc -l)" 0
[ ! -e "$d$prefix/share/doc/sitrep" ] || fail "doc folder left behind"
echo "install: ok"
