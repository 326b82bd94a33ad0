/* SPDX-License-Identifier: MIT */
/*
 * theme: the console's colour themes and the choice of one for the
 * terminal's background.  A theme maps each role (tui.h) to a pair of
 * xterm-256 colours (-1: the terminal's default) and an attribute; each
 * is meant for a dark or a light background, on which every role keeps a
 * text contrast of 4.5:1 or more (tests/unit/test_tui_theme.c computes
 * it).  `auto` asks the terminal for its background (OSC 11), then reads
 * COLORFGBG, and takes the dark theme when neither says.  Pure: the
 * query itself is the screen's; this file only parses the answers.
 */
#ifndef SR_TUI_THEME_H
#define SR_TUI_THEME_H

#include <stddef.h>

enum sr_theme {
	SR_THEME_DEFAULT, /* dark backgrounds */
	SR_THEME_SOLAR,	  /* dark backgrounds, solarized hues */
	SR_THEME_LIGHT,	  /* light backgrounds */
	SR_THEME_MONO,	  /* no colour: bold, underline, reverse */
	SR_THEME__COUNT,
	SR_THEME_AUTO = SR_THEME__COUNT /* only from sr_theme_parse() */
};

/* One role's look in a 256-colour theme. */
struct sr_theme_pair {
	short fg, bg; /* xterm-256 index, -1: the terminal's default */
	int bold;
};

/* The theme named s ("auto" included: SR_THEME_AUTO), or -1. */
int sr_theme_parse(const char *s);

/* The stable name of theme t ("default", "solar", "light", "mono"). */
const char *sr_theme_name(int t);

/*
 * Theme t's pairs by role (SR_ROLE__COUNT of them, static), or NULL for
 * mono, which has no colours.
 */
const struct sr_theme_pair *sr_theme_pairs(int t);

/* Whether theme t is meant for a light background (mono: either). */
int sr_theme_for_light(int t);

/*
 * The background's relative luminance (WCAG, 0 black .. 1 white) from a
 * terminal's answer to OSC 11 ("ESC ] 11 ; rgb:RRRR/GGGG/BBBB" ended by
 * BEL or ESC \, 1 to 4 hex digits a component, "rgba:" too), found
 * anywhere in the n bytes at buf.  Returns 0 and sets *lum, or -1 when
 * buf holds no such answer.
 */
int sr_theme_osc11_luminance(const char *buf, size_t n, double *lum);

/*
 * What COLORFGBG ("fg;bg" or "fg;default;bg") says of the background:
 * 1 light (bg 7, 9-15), 0 dark (0-6, 8), -1 unknown (unset, "default",
 * malformed).
 */
int sr_theme_colorfgbg_light(const char *v);

/*
 * The theme `auto` resolves to: from the OSC 11 answer (reply, n bytes;
 * NULL or none found: not asked or no answer), else from COLORFGBG
 * (colorfgbg, may be NULL), else the dark default.  *why (may be NULL)
 * gets a static phrase naming what decided.
 */
int sr_theme_auto(const char *reply, size_t n, const char *colorfgbg,
    const char **why);

#endif
