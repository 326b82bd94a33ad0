/* SPDX-License-Identifier: MIT */
/*
 * fmt: numbers with units, sparklines and chart cells (see fmt.h).
 * Pure functions; no curses, no locale calls (the caller decides whether
 * UTF-8 glyphs may be used).
 */
#include "tui/fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Eighth blocks, lowest first: U+2581..U+2588. */
static const char *const blocks[9] = {
	" ",
	"\xe2\x96\x81",
	"\xe2\x96\x82",
	"\xe2\x96\x83",
	"\xe2\x96\x84",
	"\xe2\x96\x85",
	"\xe2\x96\x86",
	"\xe2\x96\x87",
	"\xe2\x96\x88",
};
/* ASCII sparkline levels 1..8 (0 is blank). */
static const char ascii_levels[] = " _.-:=+*#";

char *
sr_fmt_si(char *buf, size_t n, double v)
{
	static const char suffix[] = " kMGTP";
	double a = fabs(v);
	int i = 0;

	if (isnan(v)) {
		snprintf(buf, n, "%s", SR_FMT_NONE);
		return buf;
	}
	if (a < 999.5) {
		if (a == 0 || a >= 100 || a == floor(a))
			snprintf(buf, n, "%.0f", v);
		else if (a >= 10)
			snprintf(buf, n, "%.1f", v);
		else
			snprintf(buf, n, "%.2g", v);
		return buf;
	}
	while (a >= 999.5 && i < 5) {
		a /= 1000;
		v /= 1000;
		i++;
	}
	snprintf(buf, n, a < 9.95 ? "%.1f%c" : "%.0f%c", v, suffix[i]);
	return buf;
}

char *
sr_fmt_bytes(char *buf, size_t n, double bytes, const char *suffix)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB",
		"PB" };
	double a = fabs(bytes);
	int i = 0;

	if (suffix == NULL)
		suffix = "";
	if (isnan(bytes)) {
		snprintf(buf, n, "%s", SR_FMT_NONE);
		return buf;
	}
	while (a >= 999.5 && i < 5) {
		a /= 1000;
		bytes /= 1000;
		i++;
	}
	if (i == 0 || a >= 9.95)
		snprintf(buf, n, "%.0f %s%s", bytes, units[i], suffix);
	else
		snprintf(buf, n, "%.1f %s%s", bytes, units[i], suffix);
	return buf;
}

char *
sr_fmt_ms(char *buf, size_t n, double ms)
{
	if (isnan(ms))
		snprintf(buf, n, "%s", SR_FMT_NONE);
	else if (ms < 1)
		snprintf(buf, n, "%.0f us", ms * 1000);
	else if (ms < 9.95)
		snprintf(buf, n, "%.1f ms", ms);
	else if (ms < 999.5)
		snprintf(buf, n, "%.0f ms", ms);
	else if (ms < 59950)
		snprintf(buf, n, "%.*f s", ms < 9995 ? 2 : 1, ms / 1000);
	else
		snprintf(buf, n, "%.1f min", ms / 60000);
	return buf;
}

char *
sr_fmt_duration(char *buf, size_t n, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, n, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, n, "%lldm %02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, n, "%lldh %02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, n, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	return buf;
}

char *
sr_fmt_pct(char *buf, size_t n, double pct)
{
	if (isnan(pct))
		snprintf(buf, n, "%s", SR_FMT_NONE);
	else if (pct != 0 && fabs(pct) < 9.95)
		snprintf(buf, n, "%.1f%%", pct);
	else if (fabs(pct) < 99.95)
		snprintf(buf, n, "%.1f%%", pct);
	else
		snprintf(buf, n, "%.0f%%", pct);
	return buf;
}

/* Scale v into 0..levels (0 only for NaN; lo maps to 1). */
static int
fmt_level(double v, double lo, double hi, int levels)
{
	double f;
	int l;

	if (isnan(v))
		return 0;
	if (!(hi > lo))
		return 1;
	f = (v - lo) / (hi - lo);
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	l = 1 + (int)lround(f * (levels - 1));
	return l;
}

void
sr_spark(const double *v, int n, int width, double lo, double hi,
    enum sr_glyphs g, struct sr_buf *out)
{
	int start, pad;

	if (width <= 0)
		return;
	start = n > width ? n - width : 0;
	pad = n < width ? width - n : 0;
	for (int i = 0; i < pad; i++)
		sr_buf_addc(out, ' ');
	for (int i = start; i < n; i++) {
		int l = fmt_level(v[i], lo, hi, 8);

		if (g == SR_GLYPH_ASCII)
			sr_buf_addc(out, ascii_levels[l]);
		else
			sr_buf_adds(out, blocks[l]);
	}
}

void
sr_spark_range(const double *v, int n, double *lo, double *hi)
{
	double a = INFINITY, b = -INFINITY, floor;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i])) {
			a = fmin(a, v[i]);
			b = fmax(b, v[i]);
		}
	if (!(a <= b)) {
		*lo = *hi = 0;
		return;
	}
	floor = 0.1 * fmax(fabs(a), fabs(b));
	if (b - a < floor) {
		double mid = (a + b) / 2;

		a = mid - floor / 2;
		b = mid + floor / 2;
	}
	*lo = a;
	*hi = b;
}

void
sr_stretch(const double *v, int n, double *out, int m)
{
	for (int j = 0; j < m; j++)
		out[j] = v[(int)((int64_t)j * n / m)];
}

void
sr_shrink(const double *v, int n, double *out, int m)
{
	for (int j = 0; j < m; j++) {
		int a = (int)((int64_t)j * n / m),
		    b = (int)((int64_t)(j + 1) * n / m);
		double sum = 0;
		int k = 0;

		for (int i = a; i < b; i++)
			if (!isnan(v[i])) {
				sum += v[i];
				k++;
			}
		out[j] = k > 0 ? sum / k : NAN;
	}
}

/* Filled height of value v in units of `per` sub-cells per row. */
static int
fmt_fill(double v, double lo, double hi, int h, int per)
{
	double f;

	if (isnan(v) || !(hi > lo))
		return 0;
	f = (v - lo) / (hi - lo);
	if (f <= 0)
		return 0;
	if (f > 1)
		f = 1;
	/* a non-zero value always shows at least one sub-cell */
	return (int)fmax(1, lround(f * h * per));
}

/* Braille dot bits for column c (0 left, 1 right), dot row r (0 top). */
static unsigned
fmt_braille_bit(int c, int r)
{
	static const unsigned left[4] = { 0x01, 0x02, 0x04, 0x40 };
	static const unsigned right[4] = { 0x08, 0x10, 0x20, 0x80 };

	return c == 0 ? left[r] : right[r];
}

static void
fmt_add_braille(struct sr_buf *b, unsigned bits)
{
	unsigned cp = 0x2800 + bits;
	char u[4];

	u[0] = (char)(0xe0 | (cp >> 12));
	u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	u[2] = (char)(0x80 | (cp & 0x3f));
	u[3] = 0;
	sr_buf_add(b, u, 3);
}

void
sr_chart(const double *v, int n, int w, int h, double lo, double hi,
    enum sr_glyphs g, struct sr_buf *rows)
{
	int per_cell = g == SR_GLYPH_BRAILLE ? 2 : 1;
	int cols = w * per_cell, start, pad;

	if (w <= 0 || h <= 0)
		return;
	start = n > cols ? n - cols : 0;
	pad = n < cols ? cols - n : 0;
	for (int row = 0; row < h; row++) {
		int base = h - 1 - row; /* rows below this one */

		for (int cell = 0; cell < w; cell++) {
			if (g == SR_GLYPH_BRAILLE) {
				unsigned bits = 0;

				for (int c = 0; c < 2; c++) {
					int col = cell * 2 + c - pad, fill;

					if (col < 0)
						continue;
					fill = fmt_fill(v[start + col], lo, hi,
						   h, 4) -
					    base * 4;
					for (int d = 0; d < 4 && d < fill; d++)
						bits |=
						    fmt_braille_bit(c, 3 - d);
				}
				fmt_add_braille(&rows[row], bits);
				continue;
			}
			int col = cell - pad, fill;

			fill = col < 0
			    ? 0
			    : fmt_fill(v[start + col], lo, hi, h, 8) - base * 8;
			if (fill < 0)
				fill = 0;
			if (fill > 8)
				fill = 8;
			if (g == SR_GLYPH_ASCII)
				sr_buf_addc(&rows[row],
				    fill >= 8	    ? '#'
					: fill >= 4 ? ':'
					: fill > 0  ? '.'
						    : ' ');
			else
				sr_buf_adds(&rows[row], blocks[fill]);
		}
	}
}

double
sr_nice_ceil(double v)
{
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	double p;

	if (!(v > 0))
		return 0;
	p = pow(10, floor(log10(v)));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * p >= v * (1 - 1e-12))
			return steps[i] * p;
	return 10 * p;
}

int
sr_text_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void
sr_fit(struct sr_buf *out, const char *s, int w, int right_align)
{
	int tw = sr_text_width(s);
	const char *p = s;
	int cells = 0;

	if (w <= 0)
		return;
	if (tw <= w) {
		if (right_align)
			for (int i = tw; i < w; i++)
				sr_buf_addc(out, ' ');
		sr_buf_adds(out, s);
		if (!right_align)
			for (int i = tw; i < w; i++)
				sr_buf_addc(out, ' ');
		return;
	}
	/* keep w-1 code points, then the cut marker */
	while (*p && cells < w - 1) {
		const char *q = p + 1;

		while (((unsigned char)*q & 0xc0) == 0x80)
			q++;
		sr_buf_add(out, p, (size_t)(q - p));
		p = q;
		cells++;
	}
	sr_buf_addc(out, '~');
}
