/* SPDX-License-Identifier: MIT */
/*
 * timeutil: parsing and formatting of instants and durations, the forms
 * every command, the config and the API accept.  Pure functions, no clock.
 */
#ifndef SR_CORE_TIMEUTIL_H
#define SR_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/*
 * Parse an instant: ISO-8601 ("2026-11-28T13:01:10.123456Z", "T" or " "
 * between date and time, optional fraction up to microseconds, "Z",
 * "+hh:mm", "+hhmm" or no zone meaning UTC; a bare date means midnight UTC)
 * or epoch seconds / milliseconds (integer or fraction; a value above 1e11
 * is taken as milliseconds, above 1e14 as microseconds, above 1e17 as
 * nanoseconds).  Fractions finer
 * than a millisecond are truncated.  Impossible dates (month 13, day 32,
 * hour 25, February 30) and instants outside years 1970-9999 fail.
 * Surrounding blanks are ignored.  Writes UTC milliseconds.  Returns 0, or
 * -1 with detail in err.
 */
int sr_time_parse(const char *s, size_t len, int64_t *ms, struct sr_err *err);

/* Same for a JSON number: epoch seconds or milliseconds (see above). */
int sr_time_from_number(double v, int64_t *ms, struct sr_err *err);

/*
 * Parse a duration: "30s", "5m", "2h", "7d", "250ms", a bare number is
 * seconds (fractions allowed).  Writes milliseconds.  0 or -1.
 */
int sr_duration_parse(const char *s, int64_t *ms, struct sr_err *err);

/*
 * UTC milliseconds of a civil date and time (UTC), after checking that it
 * exists: month 1-12, day within the month, hour 0-23, minute 0-59,
 * second 0-60 (a leap second counts as the next one), ms 0-999, year
 * 1970-9999.  0 or -1.
 */
int sr_time_civil_ms(int year, int month, int day, int hour, int min, int sec,
    int msec, int64_t *ms);

/* The value of exactly n decimal digits at s; -1 if any is not a digit. */
int sr_time_digits(const char *s, int n);

/* a / b rounded towards minus infinity (b > 0): the bucket of an instant. */
static inline int64_t
sr_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Format UTC ms as "2026-11-28T13:01:10.123Z" into out (>= 25 bytes). */
void sr_time_format_iso(int64_t ms, char *out, size_t outlen);

#endif
