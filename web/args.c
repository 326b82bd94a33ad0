/* SPDX-License-Identifier: MIT */
/*
 * args: the routes' query-string arguments, parsed and checked (see
 * web/args.h).  No libmicrohttpd here.
 */
#include "web/args.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/timeutil.h"

int
sr_web_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
sr_web_parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

int
sr_web_parse_time(const char *s, int64_t *ms)
{
	struct sr_err err;

	return sr_time_parse(s, strlen(s), ms, &err);
}

static const char *
args_get(const struct sr_web_args *a, const char *name)
{
	return a->get(a->ctx, name);
}

int
sr_web_args_events(const struct sr_web_args *a, struct sr_web_evq *q,
    struct sr_err *why)
{
	struct sr_err e;
	const char *s;
	long long v;

	memset(q, 0, sizeof(*q));
	sr_query_init(&q->query);
	q->limit = 100;
	q->from_ms = INT64_MIN;
	q->to_ms = INT64_MAX;
	if ((s = args_get(a, "limit")) != NULL) {
		if (sr_web_parse_int(s, 1, 1000, &v) < 0)
			return sr_err_set(why,
			    "limit must be an integer from 1 to 1000");
		q->limit = (int)v;
	}
	if ((s = args_get(a, "service")) != NULL && *s != '\0')
		q->service = s;
	if ((s = args_get(a, "q")) != NULL && *s != '\0' &&
	    sr_query_parse(&q->query, s, &e) < 0)
		return sr_err_set(why, "q: %s", e.msg);
	if ((s = args_get(a, "status")) != NULL && *s != '\0') {
		char *t = sr_xasprintf("status=%s", s);
		int bad = strchr(s, ' ') != NULL ||
		    sr_query_add(&q->query, t, &e) < 0;

		free(t);
		if (bad) {
			sr_query_release(&q->query);
			return sr_err_set(why,
			    "status must be a list of 2xx..5xx, error or "
			    "codes");
		}
	}
	if ((s = args_get(a, "from")) != NULL &&
	    sr_web_parse_time(s, &q->from_ms) < 0)
		sr_err_set(why,
		    "from is not an ISO-8601 instant or epoch seconds");
	else if ((s = args_get(a, "to")) != NULL &&
	    sr_web_parse_time(s, &q->to_ms) < 0)
		sr_err_set(why,
		    "to is not an ISO-8601 instant or epoch seconds");
	else if (q->from_ms > q->to_ms)
		sr_err_set(why, "from is after to");
	else
		return 0;
	sr_query_release(&q->query);
	return -1;
}

int
sr_web_args_cursor(const char *since, int stored, int64_t *row)
{
	long long v;

	if (stored && since[0] == 'h')
		since++;
	if (sr_web_parse_int(since, 0, INT64_MAX, &v) < 0)
		return -1;
	*row = v;
	return 0;
}

const char *
sr_web_args_range(const struct sr_web_args *a, int64_t *from, int64_t *to)
{
	const char *s;

	if ((s = args_get(a, "from")) != NULL && sr_web_parse_time(s, from) < 0)
		return "from is not an ISO-8601 instant or epoch seconds";
	if ((s = args_get(a, "to")) != NULL && sr_web_parse_time(s, to) < 0)
		return "to is not an ISO-8601 instant or epoch seconds";
	if (*from >= *to)
		return "from is not before to";
	return NULL;
}

const char *
sr_web_args_step(const struct sr_web_args *a, int64_t from, int64_t to,
    int64_t *step)
{
	const char *s;
	struct sr_err err;

	*step = (to - from + SR_WEB_MAX_POINTS - 1) / SR_WEB_MAX_POINTS;
	if ((s = args_get(a, "step")) != NULL) {
		int64_t st;

		if (sr_duration_parse(s, &st, &err) < 0 || st <= 0)
			return "step is not a duration (30s, 5m, 1h)";
		if (st > *step)
			*step = st;
	}
	if (*step < 1000)
		*step = 1000;
	return NULL;
}

const char *
sr_web_args_hours(const struct sr_web_args *a, double dflt, double *hours)
{
	const char *s = args_get(a, "hours");

	*hours = dflt;
	if (s != NULL && sr_web_parse_num(s, 0.001, 24.0 * 366, hours) < 0)
		return "hours must be a number from 0.001 to 8784";
	return NULL;
}
