/* SPDX-License-Identifier: MIT */
/*
 * screen: the ncurses console on top of an sr_app.  Sets up the
 * terminal (keys from /dev/tty when stdin carries events), lays out the
 * panels, routes keys and mouse, keeps a frame per tick for pause and
 * time travel (tui/frames.h: 15 min at 1 s), draws once per wake-up,
 * and restores the terminal on every way out, fatal signals included.
 */
#ifndef SR_TUI_SCREEN_H
#define SR_TUI_SCREEN_H

#include "core/util.h"
#include "runtime/app.h"

struct sr_tui_opts {
	const char *layout; /* NULL: config, else "full" */
	const char *theme;  /* NULL: config, else "default" */
	int ascii;	    /* force ASCII glyphs */
	int no_mouse;
	int bell; /* ring when a critical insight starts firing */
};

/* Stable theme names, for --theme and `t`: "default", "solar", "mono". */
int sr_tui_theme_parse(const char *s);

/*
 * Run the console until q, Ctrl-C, a signal or the app's tick limit.
 * Returns 0, or -1 with err set (no terminal, newterm failed, the loop
 * failed).  The terminal is restored before it returns.
 */
int
sr_tui_run(struct sr_app *app, const struct sr_tui_opts *o, struct sr_err *err);

/* ncurses' version for `sitrep --version` (sr_lib_version()). */
char *sr_tui_lib_version(void);

#endif
