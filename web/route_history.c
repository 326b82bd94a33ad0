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

static enum MHD_Result
sr_route_series(const struct sr_web_req *rq)
{
	struct sr_web_args a = { sr_web_req_arg, rq };
	const char *name = sr_web_arg(rq, "name"), *why;
	const char *db_path = rq->cfg->db_path;
	int64_t now = sr_now_ms(), from = now - 3600 * 1000LL, to = now, step;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	int status = 500;

	if (name == NULL || *name == '\0' || strlen(name) > 200)
		return sr_web_error(rq, 400, "name is required");
	if ((why = sr_web_args_range(&a, &from, &to)) != NULL ||
	    (why = sr_web_args_step(&a, from, to, &step)) != NULL)
		return sr_web_error(rq, 400, why);
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

static enum MHD_Result
sr_route_performance(const struct sr_web_req *rq)
{
	struct sr_web_args a = { sr_web_req_arg, rq };
	const char *db_path = rq->cfg->db_path, *why;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	double hours;
	int status = 500;

	if ((why = sr_web_args_hours(&a, 1, &hours)) != NULL)
		return sr_web_error(rq, 400, why);
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
	struct sr_web_args a = { sr_web_req_arg, rq };
	const char *db_path = rq->cfg->db_path;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	int64_t now = sr_now_ms(), from, to = now;
	const char *why;
	double hours;
	int status = 500;

	if ((why = sr_web_args_hours(&a, 24, &hours)) != NULL)
		return sr_web_error(rq, 400, why);
	from = now - (int64_t)(hours * 3600.0 * 1000.0);
	if ((why = sr_web_args_range(&a, &from, &to)) != NULL)
		return sr_web_error(rq, 400, why);
	if (!sr_web_hist_available(db_path))
		return sr_web_error(rq, 503, history_no_db);
	sr_buf_init(&b);
	if (sr_web_hist_summary(db_path, rq->cfg->limits, from, to, &b, &status,
		&err) < 0)
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
