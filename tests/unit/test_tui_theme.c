/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for tui/theme: every colour pair of every theme keeps a
 * text contrast of 4.5:1 (WCAG 2) on the background it is meant for, and
 * `auto` picks such a theme for a white and for a black background; the
 * parsers of the terminal's OSC 11 answer and of COLORFGBG.  The xterm-256
 * palette and the contrast are computed here, from xterm's documented
 * values (16 system colours, the 6x6x6 cube with levels 0, 95, 135, 175,
 * 215, 255, and 24 greys 8 + 10 i), not from the code under test.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tui/theme.h"
#include "tui/tui.h"

void sr_test_tui_theme_suite(void);

static void
xterm_rgb(int i, double rgb[3])
{
	static const int sys[16][3] = { { 0, 0, 0 }, { 205, 0, 0 },
		{ 0, 205, 0 }, { 205, 205, 0 }, { 0, 0, 238 }, { 205, 0, 205 },
		{ 0, 205, 205 }, { 229, 229, 229 }, { 127, 127, 127 },
		{ 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 }, { 92, 92, 255 },
		{ 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 } };
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };

	if (i < 16) {
		for (int k = 0; k < 3; k++)
			rgb[k] = sys[i][k] / 255.0;
	} else if (i < 232) {
		rgb[0] = level[(i - 16) / 36] / 255.0;
		rgb[1] = level[(i - 16) / 6 % 6] / 255.0;
		rgb[2] = level[(i - 16) % 6] / 255.0;
	} else {
		rgb[0] = rgb[1] = rgb[2] = (8 + 10 * (i - 232)) / 255.0;
	}
}

static double
lin(double c)
{
	return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double
lum_of(const double rgb[3])
{
	return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) +
	    0.0722 * lin(rgb[2]);
}

/* Colour c's luminance; -1 is the default, fg or bg, on a white or black
 * terminal (the default foreground is black on white, white on black). */
static double
role_lum(int c, int is_fg, int white)
{
	double rgb[3];

	if (c < 0)
		return (is_fg ? !white : white) ? 1.0 : 0.0;
	xterm_rgb(c, rgb);
	return lum_of(rgb);
}

static double
contrast(double a, double b)
{
	return a > b ? (a + 0.05) / (b + 0.05) : (b + 0.05) / (a + 0.05);
}

/* The worst pair of theme t on a white (or black) terminal; *role: it. */
static double
worst(int t, int white, int *role)
{
	const struct sr_theme_pair *p = sr_theme_pairs(t);
	double w = 100;

	for (int r = 0; p != NULL && r < SR_ROLE__COUNT; r++) {
		double c = contrast(role_lum(p[r].fg, 1, white),
		    role_lum(p[r].bg, 0, white));

		if (c < w) {
			w = c;
			*role = r;
		}
	}
	return w;
}

static void
test_contrast(void)
{
	for (int t = 0; t < SR_THEME__COUNT; t++) {
		int role = -1, white = sr_theme_for_light(t);
		double c;

		if (sr_theme_pairs(t) == NULL) /* mono: no colours */
			continue;
		c = worst(t, white, &role);
		if (c < 4.5)
			fprintf(stderr, "\n%s on %s: role %d at %.2f:1\n",
			    sr_theme_name(t), white ? "white" : "black", role,
			    c);
		CU_ASSERT(c >= 4.5);
	}
	/* the known values: black on white is 21:1, #767676 4.54:1 */
	CU_ASSERT_DOUBLE_EQUAL(contrast(0, 1), 21.0, 1e-9);
	{
		double g[3] = { 118 / 255.0, 118 / 255.0, 118 / 255.0 };

		CU_ASSERT_DOUBLE_EQUAL(contrast(lum_of(g), 1), 4.54, 0.01);
	}
}

/* auto, on a white and on a black terminal, picks a theme that passes */
static void
test_auto_both(void)
{
	static const char white[] = "\033]11;rgb:ffff/ffff/ffff\033\\";
	static const char black[] = "\033]11;rgb:0000/0000/0000\007";
	int role, t;

	t = sr_theme_auto(white, sizeof(white) - 1, NULL, NULL);
	CU_ASSERT_EQUAL(t, SR_THEME_LIGHT);
	CU_ASSERT(worst(t, 1, &role) >= 4.5);
	t = sr_theme_auto(black, sizeof(black) - 1, NULL, NULL);
	CU_ASSERT_EQUAL(t, SR_THEME_DEFAULT);
	CU_ASSERT(worst(t, 0, &role) >= 4.5);
	/* what the issue saw: the dark theme is not readable on white */
	CU_ASSERT(worst(SR_THEME_DEFAULT, 1, &role) < 4.5);
	CU_ASSERT(worst(SR_THEME_SOLAR, 1, &role) < 4.5);
}

static void
test_osc11(void)
{
	double l = -1;
	/* a reply followed by the device attributes answer */
	static const char r1[] = "\033]11;rgb:fdfd/f6f6/e3e3\033\\\033[?62;c";
	static const char r2[] = "junk\033]11;rgb:00/2b/36\007";
	static const char r3[] = "\033]11;rgba:ffff/ffff/ffff/ffff\007";
	static const char cut[] = "\033]11;rgb:ffff/ffff/ff";
	static const char da_only[] = "\033[?62;22c";
	static const char bad[] = "\033]11;rgb:zz/00/00\007";
	static const char f1[] = "\033]11;rgb:f/f/f\007";

	CU_ASSERT_EQUAL(sr_theme_osc11_luminance(r1, sizeof(r1) - 1, &l), 0);
	/* solarized light #fdf6e3: 0.9234 (python, WCAG formula) */
	CU_ASSERT_DOUBLE_EQUAL(l, 0.9234, 0.0005);
	CU_ASSERT_EQUAL(sr_theme_osc11_luminance(r2, sizeof(r2) - 1, &l), 0);
	/* solarized dark #002b36: 0.01994 (python, WCAG formula) */
	CU_ASSERT_DOUBLE_EQUAL(l, 0.01994, 0.0001);
	CU_ASSERT_EQUAL(sr_theme_osc11_luminance(r3, sizeof(r3) - 1, &l), 0);
	CU_ASSERT_DOUBLE_EQUAL(l, 1.0, 1e-9);
	CU_ASSERT_EQUAL(sr_theme_osc11_luminance(f1, sizeof(f1) - 1, &l), 0);
	CU_ASSERT_DOUBLE_EQUAL(l, 1.0, 1e-9);
	CU_ASSERT_EQUAL(sr_theme_osc11_luminance(cut, sizeof(cut) - 1, &l), -1);
	CU_ASSERT_EQUAL(sr_theme_osc11_luminance(da_only, sizeof(da_only) - 1,
			    &l),
	    -1);
	CU_ASSERT_EQUAL(sr_theme_osc11_luminance(bad, sizeof(bad) - 1, &l), -1);
	CU_ASSERT_EQUAL(sr_theme_osc11_luminance(NULL, 0, &l), -1);
	CU_ASSERT_EQUAL(sr_theme_auto(r1, sizeof(r1) - 1, NULL, NULL),
	    SR_THEME_LIGHT);
	CU_ASSERT_EQUAL(sr_theme_auto(r2, sizeof(r2) - 1, NULL, NULL),
	    SR_THEME_DEFAULT);
}

static void
test_colorfgbg(void)
{
	const char *why = NULL;

	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light("15;0"), 0);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light("0;15"), 1);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light("0;default;15"), 1);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light("0;7"), 1);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light("7;8"), 0);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light("15;default"), -1);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light("default"), -1);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light(""), -1);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light("0;16"), -1);
	CU_ASSERT_EQUAL(sr_theme_colorfgbg_light(NULL), -1);
	/* the terminal's answer wins over COLORFGBG; then COLORFGBG */
	{
		static const char black[] = "\033]11;rgb:0/0/0\007";

		CU_ASSERT_EQUAL(sr_theme_auto(black, sizeof(black) - 1, "0;15",
				    &why),
		    SR_THEME_DEFAULT);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "OSC 11"));
	}
	CU_ASSERT_EQUAL(sr_theme_auto(NULL, 0, "0;15", &why), SR_THEME_LIGHT);
	CU_ASSERT_STRING_EQUAL(why, "COLORFGBG");
	CU_ASSERT_EQUAL(sr_theme_auto("x", 1, "15;0", NULL), SR_THEME_DEFAULT);
	CU_ASSERT_EQUAL(sr_theme_auto(NULL, 0, NULL, NULL), SR_THEME_DEFAULT);
	CU_ASSERT_EQUAL(sr_theme_parse("auto"), SR_THEME_AUTO);
	CU_ASSERT_EQUAL(sr_theme_parse("light"), SR_THEME_LIGHT);
	CU_ASSERT_EQUAL(sr_theme_parse("mono"), SR_THEME_MONO);
	CU_ASSERT_EQUAL(sr_theme_parse("sepia"), -1);
}

void
sr_test_tui_theme_suite(void)
{
	CU_pSuite s = CU_add_suite("tui_theme", NULL, NULL);

	CU_add_test(s, "contrast", test_contrast);
	CU_add_test(s, "auto on white and black", test_auto_both);
	CU_add_test(s, "osc11", test_osc11);
	CU_add_test(s, "colorfgbg", test_colorfgbg);
}
