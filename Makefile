# sitrep — plain Makefile.  `make run` and `make test` install what they
# need (the deps step), so they are the only two set-up commands.

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
SAN	?= 0

CFLAGS	?= -g -O2
CFLAGS	+= -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
	   -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings \
	   -Wpointer-arith -Wformat=2 -Wundef -Wvla -I. -MMD -MP
LDLIBS	+= -lm -lpthread -ldl
BUILD	:= build

ifeq ($(SAN),1)
CFLAGS	+= -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
LDFLAGS	+= -fsanitize=address,undefined
BUILD	:= build-san
endif

# FUZZ=1: clang with libFuzzer's coverage and the sanitizers, into
# build/fuzz, for the harnesses of `make fuzz` (tests/fuzz/).
ifeq ($(FUZZ),1)
CC	:= clang
CFLAGS	+= -O1 -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=all -fno-omit-frame-pointer \
	   -Wno-format-nonliteral
BUILD	:= build/fuzz
endif

# Debian packages: what the build needs, and what the tests need on top.
DEPS_BUILD := gcc make pkg-config libncurses-dev libsqlite3-dev \
	      libcurl4-openssl-dev libcjson-dev libmicrohttpd-dev libinih-dev zlib1g-dev \
	      libjs-chart.js
DEPS_TEST  := libcunit1-dev tmux curl jq sqlite3 valgrind procps htop time \
	      openssl prometheus prometheus-node-exporter chromium python3 \
	      clang-format cppcheck zsh groff-base mandoc nginx logrotate apache2 \
	      haproxy caddy iproute2
# the web bench scrapes a node-exporter too (a test dependency now)
DEPS_BENCH :=
# What `make deb` needs to build and check the Debian package.
DEPS_DEB   := dpkg-dev debhelper fakeroot lintian
# libFuzzer is in clang's runtime package, which clang only recommends.
DEPS_FUZZ  := clang libclang-rt-14-dev
# Tools that may come from outside Debian's packages: COMMAND:PACKAGE, the
# package installed only when the command is missing.
DEPS_TEST_CMDS := node:nodejs npm:npm
SUDO	   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

LIB_PKGS   := sqlite3 libcjson inih zlib
# libcurl and libmicrohttpd: their headers only.  sitrep is not linked with
# them; it loads them on first use (core/dynlib.h, core/dl_curl.c,
# web/dl_mhd.c), so the console without an HTTP source maps neither, nor
# the TLS and Kerberos libraries they bring.  debian/control names them.
DL_PKGS    := libcurl libmicrohttpd
PKG_CFLAGS  = $(shell pkg-config --cflags $(LIB_PKGS) $(DL_PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null)
CURSES_CFLAGS = $(shell pkg-config --cflags ncursesw 2>/dev/null)
CURSES_LIBS   = $(shell pkg-config --libs ncursesw 2>/dev/null)
# inih has no version call: `sitrep --version` says the one built with.
INIH_VERSION  = $(shell pkg-config --modversion inih 2>/dev/null || echo unknown)
$(BUILD)/core/config.o: CFLAGS += -DSR_INIH_VERSION='"$(INIH_VERSION)"'
CUNIT_LIBS    = $(shell pkg-config --libs cunit 2>/dev/null || echo -lcunit)

# The layers, bottom up (ARCHITECTURE.md): core/, collectors/, actions/ and
# runtime/ make libsitrep.a, which the unit tests link; tui/ makes
# libsitrep-tui.a, which the unit tests link too (what they test of it
# needs no curses, so they do not link ncursesw); web/ and cmd/ complete
# the program.
LIB_SRC	:= $(wildcard core/*.c collectors/*.c actions/*.c runtime/*.c)
TUI_SRC	:= $(wildcard tui/*.c)
APP_SRC	:= $(wildcard web/*.c cmd/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
LIB_OBJ	:= $(LIB_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ	:= $(TUI_SRC:%.c=$(BUILD)/%.o)
APP_OBJ	:= $(APP_SRC:%.c=$(BUILD)/%.o) $(BUILD)/web/assets_gen.o
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/unit/runner.o
LIB	:= $(BUILD)/libsitrep.a
TUI_LIB	:= $(BUILD)/libsitrep-tui.a
# The fake libnvidia-ml that tests/unit/test_gpu.c loads (beside the binary).
FAKENVML := $(BUILD)/tests/libfakenvml.so
BIN	:= $(BUILD)/sitrep
UNIT	:= $(BUILD)/unit-tests
# Shell completions, generated from the option table by the binary.
COMPLETIONS := $(BUILD)/sitrep.bash $(BUILD)/_sitrep

# ./sitrep is re-pointed on every build, so it follows the last BUILD.
.PHONY: sitrep all run test unit integration bench deps deps-test install uninstall deb clean \
	check-layers check-docs fmt lint fuzz fuzz-build bench-valgrind bench-peers
.DEFAULT_GOAL := all

all: $(BIN) sitrep $(COMPLETIONS)

# ./sitrep is a link to the last build, for the README and the tests.
sitrep: $(BIN)
	ln -sf $(BIN) $@

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/tui/%.o: tui/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CURSES_CFLAGS) -c -o $@ $<

# The web page's files are compiled in; web/embed.sh writes their C arrays.
ASSETS	:= $(wildcard web/assets/*)
$(BUILD)/web/assets_gen.c: web/embed.sh $(ASSETS)
	@mkdir -p $(@D)
	web/embed.sh $@

# Builds from before kept web/assets_gen.c in their dependency files.
web/assets_gen.c: ;

$(BUILD)/web/assets_gen.o: $(BUILD)/web/assets_gen.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(TUI_LIB): $(TUI_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(TUI_OBJ) $(APP_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TUI_OBJ) $(APP_OBJ) $(LIB) $(CURSES_LIBS) \
		$(PKG_LIBS) $(LDLIBS)

$(BUILD)/sitrep.bash: $(BIN)
	$(BIN) --completion bash >$@.tmp && mv $@.tmp $@

$(BUILD)/_sitrep: $(BIN)
	$(BIN) --completion zsh >$@.tmp && mv $@.tmp $@

# The unit runner lists one CUnit suite per tests/unit/test_<module>.c.
# It is rewritten only when the list changes (a new or removed suite).
$(BUILD)/tests/unit/suites.h: FORCE
	@mkdir -p $(@D)
	@for f in $(sort $(notdir $(UNIT_SRC:.c=))); do \
		echo "SUITE($${f#test_})"; done > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

FORCE:

$(BUILD)/tests/unit/runner.o: tests/unit/runner.c $(BUILD)/tests/unit/suites.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -I$(BUILD)/tests/unit -c -o $@ $<

$(UNIT): $(UNIT_OBJ) $(TUI_LIB) $(LIB) | $(FAKENVML)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(TUI_LIB) $(LIB) $(PKG_LIBS) \
		$(CUNIT_LIBS) $(LDLIBS)

# Built without the sanitizers: the instrumented binary dlopen()s it.
$(FAKENVML): tests/fakenvml/fakenvml.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC -o $@ $<

# Install "$@" without starting any service (nginx's postinst would start
# one on port 80 and fail the install if it cannot): a policy-rc.d that
# answers 101 (action forbidden) while apt runs, unless one is there.
export DEPS_NOSTART := p=/usr/sbin/policy-rc.d; own=; \
	if [ ! -e $$p ]; then printf '\#!/bin/sh\nexit 101\n' >$$p && \
	chmod 755 $$p && own=1; fi; \
	DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq \
	--no-install-recommends "$$@"; rc=$$?; \
	if [ -n "$$own" ]; then rm -f $$p; fi; exit $$rc

deps:
	@missing=$$(for p in $(DEPS_BUILD) $(EXTRA_DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'ok installed' || echo $$p; done; \
		for cp in $(EXTRA_CMDS); do command -v $${cp%%:*} >/dev/null || \
		echo $${cp#*:}; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) sh -c "$$DEPS_NOSTART" sh $$missing; \
	fi

deps-test:
	@$(MAKE) --no-print-directory deps EXTRA_DEPS="$(DEPS_TEST)" \
		EXTRA_CMDS="$(DEPS_TEST_CMDS)"

run: deps
	@$(MAKE) --no-print-directory all
	./tests/run-demo.sh

test: deps-test
	@$(MAKE) --no-print-directory all $(UNIT) check-layers check-docs
	@SAN=$(SAN) BUILD=$(BUILD) ./tests/run.sh

unit: $(UNIT)
	$(UNIT)

integration: all
	@SAN=$(SAN) BUILD=$(BUILD) ./tests/run.sh integration

bench: deps-test
	@$(MAKE) --no-print-directory deps EXTRA_DEPS="$(DEPS_BENCH)"
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) ./bench/run.sh

# Valgrind's memcheck over `serve` under demo load and over the console
# in tmux (bench/valgrind.sh; DURATION shortens it).
bench-valgrind: deps-test
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) ./bench/valgrind.sh

# sitrep against the peers from Debian (htop, btop, glances, nmon, atop,
# node-exporter, netdata, GoAccess, nginx), measured one after the other;
# writes bench/RESULTS.md (bench/peers.sh: installs them, needs root).
bench-peers:
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) ./bench/peers.sh

# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c -> build/fuzz/fuzz-NAME),
# each run FUZZ_S seconds, two at a time (tests/fuzz/run.sh).
FUZZ_S	?= 60
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

fuzz:
	@$(MAKE) --no-print-directory deps EXTRA_DEPS="$(DEPS_FUZZ)"
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-build
	@FUZZ_S=$(FUZZ_S) FUZZ_ONLY="$(FUZZ_ONLY)" ./tests/fuzz/run.sh

ifeq ($(FUZZ),1)
fuzz-build: $(FUZZ_NAMES:%=$(BUILD)/fuzz-%)

# The harness, the library and the one web/ file they read (no MHD).
$(BUILD)/fuzz-%: tests/fuzz/fuzz_%.c $(LIB) $(BUILD)/web/args.o
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(BUILD)/web/args.o $(LIB) $(PKG_LIBS) $(LDLIBS)
endif

# Formatting is .clang-format's (clang-format 14, as in Debian 12).
FMT_SRC = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

fmt:
	clang-format -i $(FMT_SRC)

# lint: the tree is formatted, and cppcheck finds nothing to warn of.
lint:
	clang-format --dry-run -Werror $(FMT_SRC)
	cppcheck -q --std=c11 --enable=warning,portability --error-exitcode=1 \
		--inline-suppr -I. -D__GNUC__ --suppress=missingIncludeSystem \
		$(sort $(dir $(FMT_SRC)))

# Which layer may include which library (ARCHITECTURE.md, "Layers").
# layer_only LIB-REGEX, ALLOWED-FILES: fails when another source includes it.
LAYER_SRC = $(wildcard core/*.[ch] collectors/*.[ch] actions/*.[ch] \
	    runtime/*.[ch] tui/*.[ch] web/*.[ch] cmd/*.[ch])
layer_only = bad=$$(grep -lE '\#include <($(1))' $(filter-out $(2),$(LAYER_SRC))); \
	[ -z "$$bad" ] || { echo "check-layers: <$(1)> outside its layer:" $$bad; exit 1; }
SQLITE_FILES = core/store%.c core/store%.h collectors/src_sqlite.c

check-layers:
	@$(call layer_only,n?curses\.h,tui/%)
	@$(call layer_only,microhttpd\.h,web/%)
	@$(call layer_only,curl/curl\.h,collectors/src_http.c actions/webhook.c \
		core/dl_curl.c)
	@$(call layer_only,sqlite3\.h,$(SQLITE_FILES))
	@! grep -nE '"/proc|"/sys/' core/*.c || \
		{ echo "check-layers: core reads /proc or /sys"; exit 1; }
	@! grep -nE '#include "(tui|web|cmd)/' core/*.[ch] collectors/*.[ch] \
		actions/*.[ch] runtime/*.[ch] || \
		{ echo "check-layers: a lower layer includes a front end"; exit 1; }

# Every option and config key is documented in the man page, and every
# config key in sitrep.conf.example (the tables are read from the binary).
check-docs: $(BIN)
	@./tests/check-docs.sh $(BIN)

# Where `make install` puts things (DESTDIR is prepended to each).
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/sitrep
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
# systemd reads units from /usr/local/lib/systemd/system as well as from
# /lib/systemd/system (Debian's package sets SYSTEMDUNITDIR to the latter).
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

# One list serves install and uninstall: SOURCE:DESTINATION:MODE.  The web
# page's files are compiled into the binary, so none are installed.
INSTALL_FILES = $(BIN):$(BINDIR)/sitrep:755 \
	man/sitrep.1:$(MANDIR)/man1/sitrep.1:644 \
	$(BUILD)/sitrep.bash:$(BASHCOMPDIR)/sitrep:644 \
	$(BUILD)/_sitrep:$(ZSHCOMPDIR)/_sitrep:644 \
	$(BUILD)/sitrep.service:$(SYSTEMDUNITDIR)/sitrep.service:644 \
	sitrep.conf.example:$(DOCDIR)/examples/sitrep.conf:644 \
	README.md:$(DOCDIR)/README.md:644 \
	SECURITY.md:$(DOCDIR)/SECURITY.md:644

# The unit runs the binary where this install puts it.
$(BUILD)/sitrep.service: sitrep.service
	@mkdir -p $(@D)
	sed 's|/usr/local/bin/sitrep|$(BINDIR)/sitrep|' $< >$@.tmp && mv $@.tmp $@

install: all $(BUILD)/sitrep.service
	@set -e; for f in $(INSTALL_FILES); do \
		src=$${f%%:*}; rest=$${f#*:}; dst=$${rest%:*}; mode=$${rest##*:}; \
		echo "install $$src $(DESTDIR)$$dst"; \
		install -D -m $$mode $$src "$(DESTDIR)$$dst"; \
	done

# Removes what install put there, and the folders it made that are left
# empty (never PREFIX's own).
uninstall:
	@for f in $(INSTALL_FILES); do \
		rest=$${f#*:}; dst=$${rest%:*}; \
		rm -f "$(DESTDIR)$$dst" && echo "rm $(DESTDIR)$$dst"; \
	done
	@-rmdir "$(DESTDIR)$(DOCDIR)/examples" "$(DESTDIR)$(DOCDIR)" 2>/dev/null; true

# The Debian package (debian/), built from a copy of the tree (tracked and
# new files, no build folders) so that nothing is written beside the
# checkout; the .deb and lintian's report land in $(BUILD)/deb/.
deb:
	@$(MAKE) --no-print-directory deps EXTRA_DEPS="$(DEPS_DEB)"
	@set -e; rm -rf $(BUILD)/deb; mkdir -p $(BUILD)/deb/src; \
	git ls-files -co --exclude-standard -z | \
		xargs -0 cp --parents -t $(BUILD)/deb/src; \
	(cd $(BUILD)/deb/src && dpkg-buildpackage -us -uc -b -j2) \
		>$(BUILD)/deb/build.log 2>&1 || \
		{ tail -n 40 $(BUILD)/deb/build.log; exit 1; }; \
	lintian --fail-on error $(BUILD)/deb/sitrep_*.deb \
		| tee $(BUILD)/deb/lintian.txt; \
	ls $(BUILD)/deb/*.deb

clean:
	rm -rf build build-san sitrep

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
