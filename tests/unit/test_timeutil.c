/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/timeutil.  Expected instants were computed with
 * GNU date, e.g. `date -u -d 2026-11-28T12:00:00.123Z +%s%3N`, and the
 * civil arithmetic is cross-checked against timegm().
 */
#include <CUnit/CUnit.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"

void sr_test_timeutil_suite(void);

static int64_t
tp(const char *s)
{
	int64_t ms = -12345;
	struct sr_err err;

	if (sr_time_parse(s, strlen(s), &ms, &err) < 0)
		return -1;
	return ms;
}

static void
test_iso(void)
{
	/* date -u -d 2026-11-28T12:00:00.123Z +%s%3N */
	CU_ASSERT_EQUAL(tp("2026-11-28T12:00:00.123Z"), 1795867200123LL);
	/* space separator, no fraction: 2026-11-28 13:01:10Z */
	CU_ASSERT_EQUAL(tp("2026-11-28 13:01:10Z"), 1795870870000LL);
	/* microseconds truncated to ms */
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10.123456Z"), 1795870870123LL);
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10.123456789Z"), 1795870870123LL);
	/* one and two fraction digits are tenths and hundredths */
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10.1Z"), 1795870870100LL);
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10.12Z"), 1795870870120LL);
	/* no zone = UTC */
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10"), 1795870870000LL);
	CU_ASSERT_EQUAL(tp("2026-11-28 13:01:10.5"), 1795870870500LL);
	/* offsets: +02:00 is two hours earlier in UTC: 1795863670000 */
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10+02:00"), 1795863670000LL);
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10+0200"), 1795863670000LL);
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10+02"), 1795863670000LL);
	/* date -u -d 2026-11-28T13:01:10-05:30 +%s%3N */
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01:10-05:30"), 1795890670000LL);
	/* minutes without seconds */
	CU_ASSERT_EQUAL(tp("2026-11-28T13:01Z"), 1795870860000LL);
	/* a bare date is midnight UTC */
	CU_ASSERT_EQUAL(tp("2026-11-28"), 1795824000000LL);
	/* leap day, last ms of the day */
	CU_ASSERT_EQUAL(tp("2024-02-29T23:59:59.999Z"), 1709251199999LL);
	CU_ASSERT_EQUAL(tp("2000-02-29T00:00:00Z"), 951782400000LL);
	CU_ASSERT_EQUAL(tp("1970-01-01T00:00:00Z"), 0);
	CU_ASSERT_EQUAL(tp("9999-12-31T23:59:59.999Z"), 253402300799999LL);
	/* blanks around are ignored */
	CU_ASSERT_EQUAL(tp("  2026-11-28T12:00:00.123Z "), 1795867200123LL);
}

static void
test_iso_bad(void)
{
	struct sr_err err;
	int64_t ms;

	CU_ASSERT_EQUAL(tp("2026-13-01T00:00:00Z"), -1); /* month 13 */
	CU_ASSERT_EQUAL(tp("2026-00-01T00:00:00Z"), -1);
	CU_ASSERT_EQUAL(tp("2026-01-32T00:00:00Z"), -1); /* day 32 */
	CU_ASSERT_EQUAL(tp("2026-02-29T00:00:00Z"), -1); /* not leap */
	CU_ASSERT_EQUAL(tp("1900-02-29T00:00:00Z"), -1);
	CU_ASSERT_EQUAL(tp("2026-04-31T00:00:00Z"), -1);
	CU_ASSERT_EQUAL(tp("2026-01-01T25:00:00Z"), -1); /* hour 25 */
	CU_ASSERT_EQUAL(tp("2026-01-01T24:00:00Z"), -1);
	CU_ASSERT_EQUAL(tp("2026-01-01T10:60:00Z"), -1);
	CU_ASSERT_EQUAL(tp("2026-01-01T10:00:61Z"), -1);
	CU_ASSERT_EQUAL(tp("2026-01-01T10:00:00+25:00"), -1);
	CU_ASSERT_EQUAL(tp("2026-01-01T10:00:00."), -1);
	CU_ASSERT_EQUAL(tp("2026-01-01T10:00:00Zjunk"), -1);
	CU_ASSERT_EQUAL(tp("2026-01-01X10:00:00Z"), -1);
	CU_ASSERT_EQUAL(tp("2026-1-01T10:00:00Z"), -1);
	CU_ASSERT_EQUAL(tp("1969-12-31T23:59:59Z"), -1); /* before 1970 */
	CU_ASSERT_EQUAL(tp("yesterday"), -1);
	CU_ASSERT_EQUAL(tp(""), -1);
	CU_ASSERT_EQUAL(tp("   "), -1);
	CU_ASSERT_EQUAL(tp("12abc"), -1);
	CU_ASSERT_EQUAL(tp("-5"), -1);
	CU_ASSERT_EQUAL(sr_time_parse("2026-13-01", 10, &ms, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "2026-13-01"));
	/* len bounds the input: "2026-11-28" of a longer buffer */
	CU_ASSERT_EQUAL(sr_time_parse("2026-11-28T99", 10, &ms, &err), 0);
	CU_ASSERT_EQUAL(ms, 1795824000000LL);
}

static void
test_epoch(void)
{
	int64_t ms;

	/* seconds, integer and fraction: 1795867200 s = 2026-11-28T12:00Z */
	CU_ASSERT_EQUAL(tp("1795867200"), 1795867200000LL);
	CU_ASSERT_EQUAL(tp("1795867200.123"), 1795867200123LL);
	CU_ASSERT_EQUAL(tp("1795867200.5"), 1795867200500LL);
	/* above 1e11: milliseconds */
	CU_ASSERT_EQUAL(tp("1795867200123"), 1795867200123LL);
	CU_ASSERT_EQUAL(tp("1795867200123.9"), 1795867200123LL);
	/* above 1e14: microseconds (journald) */
	CU_ASSERT_EQUAL(tp("1795867200123456"), 1795867200123LL);
	CU_ASSERT_EQUAL(tp("0"), 0);

	CU_ASSERT_EQUAL(sr_time_from_number(1795867200.0, &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 1795867200000LL);
	CU_ASSERT_EQUAL(sr_time_from_number(1795867200.123, &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 1795867200123LL);
	CU_ASSERT_EQUAL(sr_time_from_number(1795867200123.0, &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 1795867200123LL);
	CU_ASSERT_EQUAL(sr_time_from_number(-1, &ms, NULL), -1);
	CU_ASSERT_EQUAL(sr_time_from_number(1e300, &ms, NULL), -1);
}

static void
test_civil_vs_timegm(void)
{
	/* Every 1st, 28th-31st of each month over 1970-2100 and a few hours. */
	for (int y = 1970; y <= 2100; y += 3) {
		for (int m = 1; m <= 12; m++) {
			static const int days[] = { 1, 15, 28, 29, 30, 31 };

			for (size_t i = 0; i < sizeof days / sizeof days[0];
			     i++) {
				struct tm tm = { 0 };
				int64_t ms;
				int rc = sr_time_civil_ms(y, m, days[i], 7, 8,
				    9, 10, &ms);
				time_t t;

				tm.tm_year = y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = days[i];
				tm.tm_hour = 7;
				tm.tm_min = 8;
				tm.tm_sec = 9;
				t = timegm(&tm);
				/* timegm normalises impossible days */
				if (tm.tm_mday != days[i]) {
					CU_ASSERT_EQUAL(rc, -1);
					continue;
				}
				CU_ASSERT_EQUAL_FATAL(rc, 0);
				CU_ASSERT_EQUAL_FATAL(ms,
				    (int64_t)t * 1000 + 10);
			}
		}
	}
	CU_ASSERT_EQUAL(sr_time_civil_ms(2026, 1, 1, 0, 0, 0, 1000, NULL), -1);
}

static void
test_duration(void)
{
	int64_t ms;
	struct sr_err err;

	CU_ASSERT_EQUAL(sr_duration_parse("30s", &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 30000);
	CU_ASSERT_EQUAL(sr_duration_parse("5m", &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 300000);
	CU_ASSERT_EQUAL(sr_duration_parse("2h", &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 7200000);
	CU_ASSERT_EQUAL(sr_duration_parse("7d", &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 604800000); /* 7 * 86400 * 1000 */
	CU_ASSERT_EQUAL(sr_duration_parse("250ms", &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 250);
	CU_ASSERT_EQUAL(sr_duration_parse("90", &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 90000);
	CU_ASSERT_EQUAL(sr_duration_parse("1.5", &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 1500);
	CU_ASSERT_EQUAL(sr_duration_parse("0.5m", &ms, NULL), 0);
	CU_ASSERT_EQUAL(ms, 30000);
	CU_ASSERT_EQUAL(sr_duration_parse("", &ms, NULL), -1);
	CU_ASSERT_EQUAL(sr_duration_parse("s", &ms, NULL), -1);
	CU_ASSERT_EQUAL(sr_duration_parse("-5s", &ms, NULL), -1);
	CU_ASSERT_EQUAL(sr_duration_parse("5 s", &ms, NULL), -1);
	CU_ASSERT_EQUAL(sr_duration_parse("5x", &ms, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "5x"));
	CU_ASSERT_EQUAL(sr_duration_parse("1.2.3s", &ms, NULL), -1);
	CU_ASSERT_EQUAL(sr_duration_parse(NULL, &ms, NULL), -1);
}

static void
test_format(void)
{
	char out[32];

	sr_time_format_iso(1795867200123LL, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "2026-11-28T12:00:00.123Z");
	sr_time_format_iso(0, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "1970-01-01T00:00:00.000Z");
	sr_time_format_iso(1709251199999LL, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "2024-02-29T23:59:59.999Z");
	sr_time_format_iso(-1, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "1969-12-31T23:59:59.999Z");
	/* round trip */
	CU_ASSERT_EQUAL(tp("2026-11-28T12:00:00.123Z"), 1795867200123LL);
	sr_time_format_iso(253402300799999LL, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "9999-12-31T23:59:59.999Z");
}

void
sr_test_timeutil_suite(void)
{
	CU_pSuite s = CU_add_suite("timeutil", NULL, NULL);

	CU_add_test(s, "iso", test_iso);
	CU_add_test(s, "iso_bad", test_iso_bad);
	CU_add_test(s, "epoch", test_epoch);
	CU_add_test(s, "civil_vs_timegm", test_civil_vs_timegm);
	CU_add_test(s, "duration", test_duration);
	CU_add_test(s, "format", test_format);
}
