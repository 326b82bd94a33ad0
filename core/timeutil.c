/* SPDX-License-Identifier: MIT */
/*
 * timeutil: see timeutil.h.  Civil dates are converted with the
 * days-from-civil arithmetic of the proleptic Gregorian calendar (no libc
 * time zone state, no clock), checked against timegm() in the unit tests.
 */
#include "core/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TIME_MAX_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
static int64_t
time_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of time_days_from_civil. */
static void
time_civil_from_days(int64_t z, int *yp, int *mp, int *dp)
{
	int64_t era, doe, yoe, y, doy, mp5;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp5 = (5 * doy + 2) / 153;
	*dp = (int)(doy - (153 * mp5 + 2) / 5 + 1);
	*mp = (int)(mp5 < 10 ? mp5 + 3 : mp5 - 9);
	*yp = (int)(y + (*mp <= 2));
}

static int
time_days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : days[m - 1];
}

int
sr_time_civil_ms(int year, int month, int day, int hour, int min, int sec,
    int msec, int64_t *ms)
{
	if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > time_days_in_month(year, month) || hour < 0 || hour > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 60 || msec < 0 ||
	    msec > 999)
		return -1;
	*ms =
	    ((time_days_from_civil(year, month, day) * 24 + hour) * 60 + min) *
		60000LL +
	    sec * 1000LL + msec;
	return 0;
}

int
sr_time_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
time_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ISO-8601 in s[0..n), already trimmed. */
static int
time_parse_iso(const char *s, size_t n, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
	size_t i;
	int64_t v;

	if (n < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if ((y = sr_time_digits(s, 4)) < 0 ||
	    (mo = sr_time_digits(s + 5, 2)) < 0 ||
	    (d = sr_time_digits(s + 8, 2)) < 0)
		return -1;
	i = 10;
	if (i < n) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return -1;
		i++;
		if (n - i < 5 || s[i + 2] != ':')
			return -1;
		if ((h = sr_time_digits(s + i, 2)) < 0 ||
		    (mi = sr_time_digits(s + i + 3, 2)) < 0)
			return -1;
		i += 5;
		if (i < n && s[i] == ':') {
			if (n - i < 3 ||
			    (sec = sr_time_digits(s + i + 1, 2)) < 0)
				return -1;
			i += 3;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				int nd = 0;

				i++;
				while (i < n && time_is_digit(s[i])) {
					if (nd < 3)
						frac = frac * 10 + (s[i] - '0');
					nd++;
					i++;
				}
				if (nd == 0 || nd > 9)
					return -1;
				for (; nd < 3; nd++)
					frac *= 10;
			}
		}
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			int sign = s[i] == '-' ? -1 : 1, oh, om = 0;

			i++;
			if (n - i < 2 || (oh = sr_time_digits(s + i, 2)) < 0)
				return -1;
			i += 2;
			if (i < n && s[i] == ':')
				i++;
			if (i < n) {
				if (n - i < 2 ||
				    (om = sr_time_digits(s + i, 2)) < 0)
					return -1;
				i += 2;
			}
			if (oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 60 + om);
		}
		if (i != n)
			return -1;
	}
	if (sr_time_civil_ms(y, mo, d, h, mi, sec, frac, &v) < 0)
		return -1;
	v -= off * 60000LL;
	if (v < 0 || v > TIME_MAX_MS)
		return -1;
	*ms = v;
	return 0;
}

/*
 * A plain decimal number (digits, optional fraction) in s[0..n) as
 * whole units and a fraction; -1 when it is anything else.
 */
static int
time_parse_decimal(const char *s, size_t n, double *out)
{
	double v = 0, scale = 1;
	size_t i = 0;
	int nd = 0;

	for (; i < n && time_is_digit(s[i]); i++, nd++)
		v = v * 10 + (s[i] - '0');
	if (i < n && s[i] == '.') {
		for (i++; i < n && time_is_digit(s[i]); i++, nd++) {
			scale /= 10;
			v += (s[i] - '0') * scale;
		}
	}
	if (nd == 0 || i != n || nd > 30)
		return -1;
	*out = v;
	return 0;
}

int
sr_time_from_number(double v, int64_t *ms, struct sr_err *err)
{
	double x;

	if (!isfinite(v) || v < 0)
		return sr_err_set(err, "epoch time %g is out of range", v);
	if (v > 1e17)
		x = v / 1e6; /* nanoseconds */
	else if (v >= 1e14)
		x = v / 1000; /* microseconds */
	else if (v > 1e11)
		x = v; /* milliseconds */
	else
		x = v * 1000; /* seconds */
	/* Truncate to the millisecond; the nudge absorbs binary error. */
	x = floor(x + 1e-3);
	if (x > (double)TIME_MAX_MS)
		return sr_err_set(err, "epoch time %.0f is out of range", v);
	*ms = (int64_t)x;
	return 0;
}

int
sr_time_parse(const char *s, size_t len, int64_t *ms, struct sr_err *err)
{
	size_t a = 0, b = len;
	double v;

	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (a == b)
		return sr_err_set(err, "empty time");
	if (b - a >= 10 && s[a + 4] == '-') {
		if (time_parse_iso(s + a, b - a, ms) == 0)
			return 0;
	} else if (b - a >= 18 && b - a <= 19 &&
	    strspn(s + a, "0123456789") == b - a) {
		/* epoch nanoseconds: whole, so no binary rounding */
		uint64_t ns = 0;

		for (size_t i = a; i < b; i++)
			ns = ns * 10 + (uint64_t)(s[i] - '0');
		if (ns > 100000000000000000ULL &&
		    ns / 1000000 <= (uint64_t)TIME_MAX_MS) {
			*ms = (int64_t)(ns / 1000000);
			return 0;
		}
	} else if (time_parse_decimal(s + a, b - a, &v) == 0) {
		return sr_time_from_number(v, ms, err);
	}
	return sr_err_set(err, "cannot parse time '%.*s'",
	    (int)(b - a > 64 ? 64 : b - a), s + a);
}

int
sr_duration_parse(const char *s, int64_t *ms, struct sr_err *err)
{
	size_t n;
	double v, mult;
	const char *u;

	if (s == NULL)
		return sr_err_set(err, "empty duration");
	n = strlen(s);
	u = s;
	while (u < s + n && (time_is_digit(*u) || *u == '.'))
		u++;
	if (u == s || time_parse_decimal(s, (size_t)(u - s), &v) < 0)
		return sr_err_set(err, "cannot parse duration '%s'", s);
	if (*u == '\0' || strcmp(u, "s") == 0)
		mult = 1000;
	else if (strcmp(u, "ms") == 0)
		mult = 1;
	else if (strcmp(u, "m") == 0)
		mult = 60e3;
	else if (strcmp(u, "h") == 0)
		mult = 3600e3;
	else if (strcmp(u, "d") == 0)
		mult = 86400e3;
	else if (strcmp(u, "w") == 0)
		mult = 7 * 86400e3;
	else
		return sr_err_set(err,
		    "cannot parse duration '%s': unknown "
		    "unit '%s'",
		    s, u);
	v *= mult;
	if (v > 1e15)
		return sr_err_set(err, "duration '%s' is too long", s);
	*ms = (int64_t)llround(v);
	return 0;
}

void
sr_time_format_iso(int64_t ms, char *out, size_t outlen)
{
	int64_t days = ms / 86400000, rem = ms % 86400000;
	int y, mo, d, h, mi, sec, msec;

	if (rem < 0) {
		rem += 86400000;
		days--;
	}
	time_civil_from_days(days, &y, &mo, &d);
	h = (int)(rem / 3600000);
	mi = (int)(rem / 60000 % 60);
	sec = (int)(rem / 1000 % 60);
	msec = (int)(rem % 1000);
	(void)snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y,
	    mo, d, h, mi, sec, msec); /* callers give >= 25 bytes */
}
