/* SPDX-License-Identifier: MIT */
/*
 * theme: the colour themes' tables and the background detection's
 * parsers (see theme.h).  No curses here: the screen turns the pairs
 * into curses colour pairs.
 */
#include "tui/theme.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

static const char *const theme_names[SR_THEME__COUNT] = { "default", "solar",
	"light", "mono" };

/*
 * By theme, then role.  Dark themes leave the background to the
 * terminal and draw light text; the light theme the reverse.  Every
 * pair keeps 4.5:1 on the background it is meant for (the unit test
 * computes each from the xterm-256 palette).
 */
static const struct sr_theme_pair theme_pairs[3][SR_ROLE__COUNT] = {
	[SR_THEME_DEFAULT] = {
		[SR_ROLE_NORMAL] = { -1, -1, 0 },
		[SR_ROLE_DIM] = { 245, -1, 0 },
		[SR_ROLE_TITLE] = { 252, 237, 0 },
		[SR_ROLE_TITLE_FOCUS] = { 16, 39, 0 },
		[SR_ROLE_HEADER] = { 252, 235, 0 },
		[SR_ROLE_OK] = { 78, -1, 0 },
		[SR_ROLE_WARN] = { 214, -1, 0 },
		[SR_ROLE_CRIT] = { 196, -1, 0 },
		[SR_ROLE_INFO] = { 81, -1, 0 },
		[SR_ROLE_SELECT] = { 16, 250, 0 },
		[SR_ROLE_VALUE] = { 255, -1, 1 },
	},
	[SR_THEME_SOLAR] = {
		[SR_ROLE_NORMAL] = { 230, -1, 0 },
		[SR_ROLE_DIM] = { 66, -1, 0 },
		[SR_ROLE_TITLE] = { 230, 24, 0 },
		[SR_ROLE_TITLE_FOCUS] = { 16, 178, 0 },
		[SR_ROLE_HEADER] = { 230, 23, 0 },
		[SR_ROLE_OK] = { 64, -1, 0 },
		[SR_ROLE_WARN] = { 136, -1, 0 },
		[SR_ROLE_CRIT] = { 167, -1, 0 },
		[SR_ROLE_INFO] = { 37, -1, 0 },
		[SR_ROLE_SELECT] = { 16, 187, 0 },
		[SR_ROLE_VALUE] = { 230, -1, 1 },
	},
	[SR_THEME_LIGHT] = {
		[SR_ROLE_NORMAL] = { -1, -1, 0 },
		[SR_ROLE_DIM] = { 241, -1, 0 },
		[SR_ROLE_TITLE] = { 235, 252, 0 },
		[SR_ROLE_TITLE_FOCUS] = { 231, 25, 0 },
		[SR_ROLE_HEADER] = { 231, 24, 0 },
		[SR_ROLE_OK] = { 28, -1, 0 },
		[SR_ROLE_WARN] = { 130, -1, 0 },
		[SR_ROLE_CRIT] = { 160, -1, 0 },
		[SR_ROLE_INFO] = { 25, -1, 0 },
		[SR_ROLE_SELECT] = { 16, 153, 0 },
		[SR_ROLE_VALUE] = { 16, -1, 1 },
	},
};

int
sr_theme_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "auto") == 0)
		return SR_THEME_AUTO;
	if (strcmp(s, "dark") == 0)
		return SR_THEME_DEFAULT;
	for (int i = 0; i < SR_THEME__COUNT; i++)
		if (strcmp(s, theme_names[i]) == 0)
			return i;
	return -1;
}

const char *
sr_theme_name(int t)
{
	if (t == SR_THEME_AUTO)
		return "auto";
	return t >= 0 && t < SR_THEME__COUNT ? theme_names[t] : "?";
}

const struct sr_theme_pair *
sr_theme_pairs(int t)
{
	return t >= 0 && t < SR_THEME_MONO ? theme_pairs[t] : NULL;
}

int
sr_theme_for_light(int t)
{
	return t == SR_THEME_LIGHT || t == SR_THEME_MONO;
}

/* One hex component of 1-4 digits at *p, scaled to 0..1; NULL: none. */
static const char *
theme_hex(const char *p, const char *end, double *v)
{
	unsigned long x = 0, max = 0;
	int d = 0;

	for (; p < end && d < 4; p++, d++) {
		int c = (unsigned char)*p, h;

		if (c >= '0' && c <= '9')
			h = c - '0';
		else if (c >= 'a' && c <= 'f')
			h = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			h = c - 'A' + 10;
		else
			break;
		x = x * 16 + (unsigned long)h;
		max = max * 16 + 15;
	}
	if (d == 0)
		return NULL;
	*v = (double)x / (double)max;
	return p;
}

/* sRGB component to linear light (WCAG 2). */
static double
theme_linear(double c)
{
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

int
sr_theme_osc11_luminance(const char *buf, size_t n, double *lum)
{
	static const char head[] = "\033]11;rgb";
	const char *end;

	if (buf == NULL)
		return -1;
	end = buf + n;
	for (const char *p = buf; p + sizeof(head) <= end; p++) {
		const char *q;
		double c[3];
		int ok = 1;

		if (memcmp(p, head, sizeof(head) - 1) != 0)
			continue;
		q = p + sizeof(head) - 1;
		if (q < end && *q == 'a') /* rgba: */
			q++;
		if (q >= end || *q++ != ':')
			continue;
		for (int i = 0; i < 3 && ok; i++) {
			if (i > 0 && (q >= end || *q++ != '/'))
				ok = 0;
			else if ((q = theme_hex(q, end, &c[i])) == NULL)
				ok = 0;
		}
		if (!ok)
			continue;
		/* rgba: an alpha component, then the terminator */
		while (q < end && *q == '/')
			q++;
		while (q < end && strchr("0123456789abcdefABCDEF", *q) &&
		    *q != '\0')
			q++;
		if (!(q < end &&
			(*q == '\a' ||
			    (*q == '\033' && q + 1 < end && q[1] == '\\'))))
			continue;
		*lum = 0.2126 * theme_linear(c[0]) +
		    0.7152 * theme_linear(c[1]) + 0.0722 * theme_linear(c[2]);
		return 0;
	}
	return -1;
}

int
sr_theme_colorfgbg_light(const char *v)
{
	const char *bg;
	char *e;
	long n;

	if (v == NULL || (bg = strrchr(v, ';')) == NULL)
		return -1;
	bg++;
	n = strtol(bg, &e, 10);
	if (e == bg || *e != '\0' || n < 0 || n > 15)
		return -1;
	return n == 7 || n >= 9;
}

int
sr_theme_auto(const char *reply, size_t n, const char *colorfgbg,
    const char **why)
{
	const char *w;
	double lum;
	int t, light;

	/*
	 * Light when black text would stand out more than white: the two
	 * contrasts are equal at a luminance of 0.179.
	 */
	if (reply != NULL && sr_theme_osc11_luminance(reply, n, &lum) == 0) {
		t = lum > 0.179 ? SR_THEME_LIGHT : SR_THEME_DEFAULT;
		w = "the terminal's background (OSC 11)";
	} else if ((light = sr_theme_colorfgbg_light(colorfgbg)) >= 0) {
		t = light ? SR_THEME_LIGHT : SR_THEME_DEFAULT;
		w = "COLORFGBG";
	} else {
		t = SR_THEME_DEFAULT;
		w = "nothing (no OSC 11 answer, no COLORFGBG)";
	}
	if (why != NULL)
		*why = w;
	return t;
}
