/* SPDX-License-Identifier: MIT */
/*
 * route_history: the routes read from the store rather than the frame
 * (/api/metrics/series, /api/metrics/performance, /api/summary).  They
 * check their arguments here and leave the queries to web/history.c,
 * which opens its own read-only handle per request; a ":memory:" store
 * has no history to read (503).
 */
#include "web/route.h"

#include <string.h>

#include "core/timeutil.h"
#include "web/history.h"

static const char history_no_db[] =
    "history needs a database file (not :memory:)";
/*
 * Read ?from= and ?to= over *from and *to (which hold the defaults);
 * NULL, or why the range is bad.
 */
static const char *
history_range(const struct sr_web_req *rq, int64_t *from, int64_t *to)
{
	const char *s;

	if ((s = sr_web_arg(rq, "from")) != NULL &&
	    sr_web_parse_time(s, from) < 0)
		return "from is not an ISO-8601 instant or epoch seconds";
	if ((s = sr_web_arg(rq, "to")) != NULL && sr_web_parse_time(s, to) < 0)
		return "to is not an ISO-8601 instant or epoch seconds";
	if (*from >= *to)
		return "from is not before to";
	return NULL;
}

static enum MHD_Result
sr_route_series(const struct sr_web_req *rq)
{
	const char *name = sr_web_arg(rq, "name"), *s, *why;
	const char *db_path = rq->cfg->db_path;
	int64_t now = sr_now_ms(), from = now - 3600 * 1000LL, to = now, step;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	int status = 500;

	if (name == NULL || *name == '\0' || strlen(name) > 200)
		return sr_web_error(rq, 400, "name is required");
	if ((why = history_range(rq, &from, &to)) != NULL)
		return sr_web_error(rq, 400, why);
	step = (to - from + SR_WEB_MAX_POINTS - 1) / SR_WEB_MAX_POINTS;
	if ((s = sr_web_arg(rq, "step")) != NULL) {
		int64_t st;

		if (sr_duration_parse(s, &st, &err) < 0 || st <= 0)
			return sr_web_error(rq, 400,
			    "step is not a duration (30s, 5m, 1h)");
		if (st > step)
			step = st;
	}
	if (step < 1000)
		step = 1000;
	if (!sr_web_hist_available(db_path))
		return sr_web_error(rq, 503, history_no_db);
	sr_buf_init(&b);
	if (sr_web_hist_series(db_path, name, from, to, step, &b, &status,
		&err) < 0)
		ret = sr_web_error(rq, (unsigned)status, err.msg);
	else
		ret = sr_web_json(rq, 200, &b);
	sr_buf_release(&b);
	return ret;
}

/* ?hours=N (default dflt, at most a year); 0 or -1. */
static int
history_hours(const struct sr_web_req *rq, double dflt, double *hours)
{
	const char *s = sr_web_arg(rq, "hours");

	*hours = dflt;
	return s == NULL ? 0 : sr_web_parse_num(s, 0.001, 24.0 * 366, hours);
}

static enum MHD_Result
sr_route_performance(const struct sr_web_req *rq)
{
	const char *db_path = rq->cfg->db_path;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	double hours;
	int status = 500;

	if (history_hours(rq, 1, &hours) < 0)
		return sr_web_error(rq, 400,
		    "hours must be a number from 0.001 to 8784");
	if (!sr_web_hist_available(db_path))
		return sr_web_error(rq, 503, history_no_db);
	sr_buf_init(&b);
	if (sr_web_hist_performance(db_path, sr_now_ms(), hours, &b, &status,
		&err) < 0)
		ret = sr_web_error(rq, (unsigned)status, err.msg);
	else
		ret = sr_web_json(rq, 200, &b);
	sr_buf_release(&b);
	return ret;
}

static enum MHD_Result
sr_route_summary(const struct sr_web_req *rq)
{
	const char *db_path = rq->cfg->db_path;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	int64_t now = sr_now_ms(), from, to = now;
	const char *why;
	double hours;
	int status = 500;

	if (history_hours(rq, 24, &hours) < 0)
		return sr_web_error(rq, 400,
		    "hours must be a number from 0.001 to 8784");
	from = now - (int64_t)(hours * 3600.0 * 1000.0);
	if ((why = history_range(rq, &from, &to)) != NULL)
		return sr_web_error(rq, 400, why);
	if (!sr_web_hist_available(db_path))
		return sr_web_error(rq, 503, history_no_db);
	sr_buf_init(&b);
	if (sr_web_hist_summary(db_path, from, to, &b, &status, &err) < 0)
		ret = sr_web_error(rq, (unsigned)status, err.msg);
	else
		ret = sr_web_json(rq, 200, &b);
	sr_buf_release(&b);
	return ret;
}

/* Rows of the route table (web/route.c lists them, in order). */
const struct sr_web_route sr_web_route_performance = { "GET",
	"/api/metrics/performance", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	sr_route_performance, NULL, NULL, NULL, NULL };
const struct sr_web_route sr_web_route_series = { "GET", "/api/metrics/series",
	SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 }, sr_route_series, NULL, NULL, NULL,
	NULL };
const struct sr_web_route sr_web_route_summary = { "GET", "/api/summary",
	SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 }, sr_route_summary, NULL, NULL, NULL,
	NULL };
