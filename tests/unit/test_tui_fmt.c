/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for tui/fmt: number formatting, sparklines, chart cells.
 * Through the header (the runner links libsitrep-tui.a).  Expected
 * strings are written by hand from the glyph tables (U+2581 is
 * "\xe2\x96\x81" ...).
 */
#include <CUnit/CUnit.h>
#include <math.h>

#include "tui/fmt.h"

void sr_test_tui_fmt_suite(void);

#define B1 "\xe2\x96\x81"
#define B4 "\xe2\x96\x84"
#define B5 "\xe2\x96\x85"
#define B8 "\xe2\x96\x88"

static void
test_numbers(void)
{
	char b[32];

	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), 0), "0");
	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), 950), "950");
	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), 1234), "1.2k");
	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), 34000), "34k");
	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), 5600000), "5.6M");
	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), 999.7), "1.0k");
	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), 12.34), "12.3");
	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), 4.5), "4.5");
	CU_ASSERT_STRING_EQUAL(sr_fmt_si(b, sizeof(b), NAN), "-");
	CU_ASSERT_STRING_EQUAL(sr_fmt_bytes(b, sizeof(b), 3.4e6, "/s"),
	    "3.4 MB/s");
	CU_ASSERT_STRING_EQUAL(sr_fmt_bytes(b, sizeof(b), 512, NULL), "512 B");
	CU_ASSERT_STRING_EQUAL(sr_fmt_bytes(b, sizeof(b), 12e9, ""), "12 GB");
	CU_ASSERT_STRING_EQUAL(sr_fmt_ms(b, sizeof(b), 12), "12 ms");
	CU_ASSERT_STRING_EQUAL(sr_fmt_ms(b, sizeof(b), 4.54), "4.5 ms");
	CU_ASSERT_STRING_EQUAL(sr_fmt_ms(b, sizeof(b), 0.85), "850 us");
	CU_ASSERT_STRING_EQUAL(sr_fmt_ms(b, sizeof(b), 1234), "1.23 s");
	CU_ASSERT_STRING_EQUAL(sr_fmt_ms(b, sizeof(b), 150000), "2.5 min");
	CU_ASSERT_STRING_EQUAL(sr_fmt_duration(b, sizeof(b), 42), "42s");
	CU_ASSERT_STRING_EQUAL(sr_fmt_duration(b, sizeof(b), 303), "5m 03s");
	CU_ASSERT_STRING_EQUAL(sr_fmt_duration(b, sizeof(b), 7500), "2h 05m");
	CU_ASSERT_STRING_EQUAL(sr_fmt_duration(b, sizeof(b),
				   3 * 86400 + 4 * 3600 + 59),
	    "3d 4h");
	CU_ASSERT_STRING_EQUAL(sr_fmt_pct(b, sizeof(b), 12.34), "12.3%");
	CU_ASSERT_STRING_EQUAL(sr_fmt_pct(b, sizeof(b), 100), "100%");
	/* truncation is safe */
	CU_ASSERT_STRING_EQUAL(sr_fmt_bytes(b, 4, 3.4e6, "/s"), "3.4");
}

static void
test_spark(void)
{
	struct sr_buf o;
	double v[] = { 0, 4, 8 };
	double w[] = { 1, NAN, 1 };

	sr_buf_init(&o);
	/* 0..8 over 8 levels: 0 -> level 1, 4 -> 1+round(3.5)=5, 8 -> 8 */
	sr_spark(v, 3, 3, 0, 8, SR_GLYPH_BLOCK, &o);
	CU_ASSERT_STRING_EQUAL(o.data, B1 B5 B8);
	/* right-aligned in a wider field, ASCII levels " _.-:=+*#" */
	sr_buf_reset(&o);
	sr_spark(v, 3, 5, 0, 8, SR_GLYPH_ASCII, &o);
	CU_ASSERT_STRING_EQUAL(o.data, "  _=#");
	/* narrower: the last values; 4 -> level 5 = '=' */
	sr_buf_reset(&o);
	sr_spark(v, 3, 2, 0, 8, SR_GLYPH_ASCII, &o);
	CU_ASSERT_STRING_EQUAL(o.data, "=#");
	/* NaN is blank; flat series sits on the lowest level */
	sr_buf_reset(&o);
	sr_spark(w, 3, 3, 1, 1, SR_GLYPH_ASCII, &o);
	CU_ASSERT_STRING_EQUAL(o.data, "_ _");
	sr_buf_release(&o);
}

static void
test_chart(void)
{
	struct sr_buf rows[2];
	double v[] = { 0, 2, 8, 16 };

	for (int i = 0; i < 2; i++)
		sr_buf_init(&rows[i]);
	/* h=2 rows = 16 eighths over 0..16: fills 0, 2, 8, 16 */
	sr_chart(v, 4, 4, 2, 0, 16, SR_GLYPH_BLOCK, rows);
	CU_ASSERT_STRING_EQUAL(rows[0].data, "   " B8);
	CU_ASSERT_STRING_EQUAL(rows[1].data, " \xe2\x96\x82" B8 B8);
	for (int i = 0; i < 2; i++)
		sr_buf_reset(&rows[i]);
	sr_chart(v, 4, 5, 2, 0, 16, SR_GLYPH_ASCII, rows);
	CU_ASSERT_STRING_EQUAL(rows[0].data, "    #");
	CU_ASSERT_STRING_EQUAL(rows[1].data, "  .##");
	for (int i = 0; i < 2; i++)
		sr_buf_reset(&rows[i]);
	/* braille, 1 row of 4 dots over 0..16: 2 -> 1 dot (0.5 rounds up),
	 * 8 -> 2 dots, 16 -> 4 dots.  Cell 0 = (0, 2): right bottom dot 0x80
	 * -> U+2880.  Cell 1 = (8, 16): left 0x40|0x04, right
	 * 0x08|0x10|0x20|0x80 -> 0xfc -> U+28FC */
	sr_chart(v, 4, 2, 1, 0, 16, SR_GLYPH_BRAILLE, rows);
	CU_ASSERT_STRING_EQUAL(rows[0].data,
	    "\xe2\xa2\x80"
	    "\xe2\xa3\xbc");
	for (int i = 0; i < 2; i++)
		sr_buf_release(&rows[i]);
}

static void
test_misc(void)
{
	struct sr_buf o;

	CU_ASSERT_DOUBLE_EQUAL(sr_nice_ceil(73), 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(sr_nice_ceil(1.7), 2, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(sr_nice_ceil(2.1), 2.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(sr_nice_ceil(0.03), 0.05, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sr_nice_ceil(0), 0, 1e-12);
	CU_ASSERT_EQUAL(sr_text_width("a" B8 "b"), 3);
	sr_buf_init(&o);
	sr_fit(&o, "abcdef", 4, 0);
	CU_ASSERT_STRING_EQUAL(o.data, "abc~");
	sr_buf_reset(&o);
	sr_fit(&o, "ab", 4, 1);
	CU_ASSERT_STRING_EQUAL(o.data, "  ab");
	sr_buf_reset(&o);
	sr_fit(&o, B8 B8 B8, 2, 0);
	CU_ASSERT_STRING_EQUAL(o.data, B8 "~");
	sr_buf_release(&o);
}

/*
 * Spark ranges: min..max of the finite values, widened to a floor of 10 %
 * of the larger magnitude around their middle.  37.5 five times: floor
 * 3.75, so 35.625..39.375 and every value at the middle, level
 * 1 + lround(0.5 * 7) = 5 (not 8, a solid block).  10, 20, 30: 10..30,
 * levels 1, 5, 8.  All zero: 0..0, the lowest level.
 */
static void
test_spark_range(void)
{
	double flat[5] = { 37.5, 37.5, 37.5, 37.5, 37.5 };
	double up[3] = { 10, 20, 30 }, zero[3] = { 0, 0, 0 };
	double nan3[3] = { NAN, 5, NAN };
	double lo, hi;
	struct sr_buf b;

	sr_spark_range(flat, 5, &lo, &hi);
	CU_ASSERT_DOUBLE_EQUAL(lo, 35.625, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(hi, 39.375, 1e-9);
	sr_buf_init(&b);
	sr_spark(flat, 5, 5, lo, hi, SR_GLYPH_BLOCK, &b);
	CU_ASSERT_STRING_EQUAL(b.data, B5 B5 B5 B5 B5);
	sr_buf_reset(&b);
	sr_spark_range(up, 3, &lo, &hi);
	CU_ASSERT_DOUBLE_EQUAL(lo, 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(hi, 30, 1e-9);
	sr_spark(up, 3, 3, lo, hi, SR_GLYPH_BLOCK, &b);
	CU_ASSERT_STRING_EQUAL(b.data, B1 B5 B8);
	sr_buf_reset(&b);
	sr_spark_range(zero, 3, &lo, &hi);
	CU_ASSERT_DOUBLE_EQUAL(lo, 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(hi, 0, 1e-9);
	sr_spark(zero, 3, 3, lo, hi, SR_GLYPH_BLOCK, &b);
	CU_ASSERT_STRING_EQUAL(b.data, B1 B1 B1);
	sr_spark_range(nan3, 3, &lo, &hi);
	CU_ASSERT_DOUBLE_EQUAL(lo, 4.75, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(hi, 5.25, 1e-9);
	sr_buf_release(&b);
}

/* Stretching n values over m columns: each value takes its share. */
static void
test_stretch(void)
{
	double v[3] = { 1, 2, 3 }, out[7];

	sr_stretch(v, 3, out, 6);
	CU_ASSERT_DOUBLE_EQUAL(out[0], 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(out[1], 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(out[2], 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(out[3], 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(out[4], 3, 0);
	CU_ASSERT_DOUBLE_EQUAL(out[5], 3, 0);
	/* 7 columns for 3 values: 0*3/7=0, 3/7=0, 6/7=0, 9/7=1, 12/7=1,
	 * 15/7=2, 18/7=2 */
	sr_stretch(v, 3, out, 7);
	CU_ASSERT_DOUBLE_EQUAL(out[2], 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(out[3], 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(out[6], 3, 0);
}

void
sr_test_tui_fmt_suite(void)
{
	CU_pSuite s = CU_add_suite("tui_fmt", NULL, NULL);

	CU_add_test(s, "numbers", test_numbers);
	CU_add_test(s, "spark", test_spark);
	CU_add_test(s, "chart", test_chart);
	CU_add_test(s, "misc", test_misc);
	CU_add_test(s, "spark range", test_spark_range);
	CU_add_test(s, "stretch", test_stretch);
}
