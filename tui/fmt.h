/* SPDX-License-Identifier: MIT */
/*
 * fmt: the console's pure text helpers: numbers with units (1.2k,
 * 3.4 MB/s, 12 ms, 3h 05m), sparklines and chart cells, in UTF-8 block
 * or braille characters or an ASCII fallback.  No curses here, so the
 * unit tests exercise it without a terminal.
 *
 * Every sr_fmt_* writes a NUL-terminated string of at most n-1 bytes
 * into buf and returns buf.
 */
#ifndef SR_TUI_FMT_H
#define SR_TUI_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* A count or rate with an SI suffix: 950, 1.2k, 34k, 5.6M, 7.8G. */
char *sr_fmt_si(char *buf, size_t n, double v);

/* Bytes (decimal units): 512 B, 3.4 kB, 12 MB, 1.2 GB; suffix appended. */
char *sr_fmt_bytes(char *buf, size_t n, double bytes, const char *suffix);

/* A latency: 850 us, 4.5 ms, 12 ms, 1.23 s, 2.5 min. */
char *sr_fmt_ms(char *buf, size_t n, double ms);

/* A duration in seconds, two units at most: 42s, 5m 03s, 2h 05m, 3d 4h. */
char *sr_fmt_duration(char *buf, size_t n, int64_t secs);

/* A percentage: 0.4%, 12.3%, 100%. */
char *sr_fmt_pct(char *buf, size_t n, double pct);

/* NaN-aware "no value" for any of the above. */
#define SR_FMT_NONE "-"

enum sr_glyphs {
	SR_GLYPH_ASCII,	  /* 7-bit only */
	SR_GLYPH_BLOCK,	  /* U+2581..U+2588 eighth blocks */
	SR_GLYPH_BRAILLE, /* U+2800.. (charts only; sparks use blocks) */
};

/*
 * Append a sparkline of the last `width` values of v[0..n) to out, one
 * cell per value, scaled between lo and hi (lo == hi: every value at the
 * lowest level); fewer values than width are right-aligned (blank
 * padding on the left).  NaN values are blank.  Exactly `width` cells.
 */
void sr_spark(const double *v, int n, int width, double lo, double hi,
    enum sr_glyphs g, struct sr_buf *out);

/*
 * The range a sparkline of v[0..n) is drawn over: the least and the
 * greatest finite value, widened around their middle to at least 10 %
 * of the larger magnitude, so near-constant data sits mid-height and
 * shows its wiggles instead of a row of full blocks.  No finite value,
 * or all zero: 0..0 (every value at the lowest level).
 */
void sr_spark_range(const double *v, int n, double *lo, double *hi);

/*
 * Spread the n values of v over m >= n slots of out, in order, each
 * value over an equal share (out[j] = v[j * n / m]): a chart whose data
 * spans less than its window uses its full width.
 */
void sr_stretch(const double *v, int n, double *out, int m);

/*
 * Shrink v[0..n) into out[0..m) (m < n): out[j] is the mean of the values
 * (NAN skipped) falling into column j, NAN when all are NAN.
 */
void sr_shrink(const double *v, int n, double *out, int m);

/*
 * Chart cells: the last w columns of v[0..n) (right-aligned, one column
 * per value; braille packs two values per cell) as h rows of w cells,
 * filled from the bottom, scaled between lo and hi.  rows[0] is the top
 * row; each gets exactly w cells appended.
 */
void sr_chart(const double *v, int n, int w, int h, double lo, double hi,
    enum sr_glyphs g, struct sr_buf *rows);

/*
 * A "nice" upper bound for an axis: the smallest of 1, 2, 2.5, 5 times a
 * power of ten that is >= v (0 for v <= 0).
 */
double sr_nice_ceil(double v);

/*
 * Display width of UTF-8 text in cells, counting each code point as one
 * (what the console prints is single-width).
 */
int sr_text_width(const char *s);

/*
 * Append s cut or padded to exactly w display cells (UTF-8 aware); a cut
 * string ends with '~' (ASCII) so the reader knows it was cut.
 */
void sr_fit(struct sr_buf *out, const char *s, int w, int right_align);

#endif
