/* SPDX-License-Identifier: MIT */
/*
 * history: HTTP answers read from the store (see history.h).  Every call
 * opens a read-only handle, runs its queries and closes it: SQLite's WAL
 * lets these readers run beside the main loop's writer, and no handle is
 * shared between threads.  Opening costs well under a millisecond, small
 * beside the queries these routes run.
 */
#include "web/history.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "core/summary.h"
#include "web/render.h"

int
sr_web_hist_available(const char *db_path)
{
	return db_path != NULL && db_path[0] != '\0' &&
	    strcmp(db_path, ":memory:") != 0;
}

static struct sr_store *
hist_open(const char *db_path, int *status, struct sr_err *err)
{
	struct sr_store *st;

	st = sr_store_open(db_path, SR_STORE_READONLY, err);
	if (st == NULL)
		*status = 503;
	return st;
}

/* Writes one stored row as the JSON object /api/events serves. */
struct hist_rows {
	struct sr_buf *out;
	int64_t last;
};

static int
hist_event_row(void *ctx, int64_t id, const struct sr_event *ev)
{
	struct hist_rows *r = ctx;

	sr_web_json_event(r->out, "id", (uint64_t)id, ev);
	r->last = id;
	return 0;
}

/*
 * Cursor rule: rows are read in one read transaction, so the page and
 * max(id) come from the same database snapshot.  A full page ends at its
 * last row (more may follow); a short page has seen every matching row up
 * to max(id), so the cursor moves there and a filtered follower does not
 * rescan rows it has already passed.  Rowids only grow (one writer,
 * oldest rows pruned first), so no row ever appears behind a cursor.
 */
int
sr_web_hist_events(const char *db_path, const struct sr_web_evq *q,
    struct sr_buf *out, int *status, struct sr_err *err)
{
	struct hist_rows r = { out, q->after_row };
	struct sr_store_evq eq;
	struct sr_store *st;
	int64_t n, max_id = 0;

	if ((st = hist_open(db_path, status, err)) == NULL)
		return -1;
	sr_store_evq_init(&eq);
	eq.query = &q->query;
	eq.from_ms = q->from_ms;
	eq.to_ms = q->to_ms;
	eq.service = q->service;
	eq.after_id = q->after_row;
	eq.limit = q->limit;
	eq.order = q->newest ? SR_STORE_NEWEST : SR_STORE_BY_ID;
	sr_buf_adds(out, "{\"events\":[");
	if (sr_store_read_begin(st, err) < 0 ||
	    (n = sr_store_events(st, &eq, hist_event_row, &r, err)) < 0 ||
	    ((q->newest || n < q->limit) &&
		sr_store_max_event_id(st, &max_id, err) < 0)) {
		sr_err_prefix(err, "cannot read events");
		sr_store_close(st);
		*status = 503;
		return -1;
	}
	if (max_id > r.last)
		r.last = max_id;
	sr_store_close(st); /* ends the read transaction */
	sr_buf_addf(out, "],\"cursor\":\"%" PRId64 "\",\"truncated\":false}",
	    r.last);
	return 0;
}

/* Collects series points as JSON. */
struct hist_pts {
	struct sr_buf *out;
	int n;
};

static void
hist_point(void *ctx, const struct sr_series_point *pt)
{
	struct hist_pts *p = ctx;

	if (p->n >= SR_WEB_MAX_POINTS)
		return;
	if (p->n++ > 0)
		sr_buf_addc(p->out, ',');
	sr_buf_addf(p->out, "[%" PRId64 ",", pt->ts_ms);
	sr_web_json_num(p->out, pt->min);
	sr_buf_addc(p->out, ',');
	sr_web_json_num(p->out, pt->avg);
	sr_buf_addc(p->out, ',');
	sr_web_json_num(p->out, pt->max);
	sr_buf_addc(p->out, ']');
}

/* One series object into out, on an open store. */
static int
hist_series_on(struct sr_store *st, const char *name, int64_t from_ms,
    int64_t to_ms, int64_t step_ms, struct sr_buf *out, struct sr_err *err)
{
	struct hist_pts p = { out, 0 };

	sr_buf_adds(out, "{\"name\":");
	sr_buf_add_json_str(out, name);
	sr_buf_addf(out,
	    ",\"from_ms\":%" PRId64 ",\"to_ms\":%" PRId64
	    ",\"step_ms\":%" PRId64 ",\"columns\":[\"ts_ms\",\"min\",\"avg\","
	    "\"max\"],\"points\":[",
	    from_ms, to_ms, step_ms);
	if (sr_store_series(st, name, from_ms, to_ms, step_ms, hist_point, &p,
		err) < 0)
		return -1;
	sr_buf_adds(out, "]}");
	return 0;
}

int
sr_web_hist_series(const char *db_path, const char *name, int64_t from_ms,
    int64_t to_ms, int64_t step_ms, struct sr_buf *out, int *status,
    struct sr_err *err)
{
	struct sr_store *st;
	int rc;

	if ((st = hist_open(db_path, status, err)) == NULL)
		return -1;
	rc = hist_series_on(st, name, from_ms, to_ms, step_ms, out, err);
	if (rc < 0)
		*status = 503;
	sr_store_close(st);
	return rc;
}

int
sr_web_hist_performance(const char *db_path, int64_t now_ms, double hours,
    struct sr_buf *out, int *status, struct sr_err *err)
{
	static const struct {
		const char *key, *metric;
	} series[] = {
		{ "cpu_busy_pct", "cpu.total.busy_pct" },
		{ "mem_used_pct", "mem.used_pct" },
		{ "load1", "load.1" },
		{ "disk_read_bytes_per_s", "disk.total.read_bytes_per_s" },
		{ "disk_write_bytes_per_s", "disk.total.write_bytes_per_s" },
		{ "net_rx_bytes_per_s", "net.total.rx_bytes_per_s" },
		{ "net_tx_bytes_per_s", "net.total.tx_bytes_per_s" },
	};
	int64_t span = (int64_t)(hours * 3600000.0), from = now_ms - span;
	int64_t step = (span + SR_WEB_MAX_POINTS - 1) / SR_WEB_MAX_POINTS;
	struct sr_store *st;

	if (step < 1000)
		step = 1000;
	if ((st = hist_open(db_path, status, err)) == NULL)
		return -1;
	sr_buf_addf(out, "{\"hours\":");
	sr_web_json_num(out, hours);
	sr_buf_addf(out,
	    ",\"from_ms\":%" PRId64 ",\"to_ms\":%" PRId64
	    ",\"step_ms\":%" PRId64 ",\"series\":{",
	    from, now_ms, step);
	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
		if (i > 0)
			sr_buf_addc(out, ',');
		sr_buf_add_json_str(out, series[i].key);
		sr_buf_addc(out, ':');
		if (hist_series_on(st, series[i].metric, from, now_ms, step,
			out, err) < 0) {
			sr_store_close(st);
			*status = 503;
			return -1;
		}
	}
	sr_buf_adds(out, "}}");
	sr_store_close(st);
	return 0;
}

int
sr_web_hist_summary(const char *db_path, const struct sr_limits *limits,
    int64_t from_ms, int64_t to_ms, struct sr_buf *out, int *status,
    struct sr_err *err)
{
	struct sr_summary_opts o;
	struct sr_summary *sum = NULL;
	struct sr_store *st;
	size_t len;

	if ((st = hist_open(db_path, status, err)) == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	o.from_ms = from_ms;
	o.to_ms = to_ms;
	o.limits = limits;
	if (sr_summary_query(st, &o, &sum, err) < 0) {
		sr_store_close(st);
		*status = 503;
		return -1;
	}
	sr_summary_json(sum, out);
	sr_summary_free(sum);
	sr_store_close(st);
	len = out->len;
	while (len > 0 && out->data[len - 1] == '\n')
		out->data[--len] = '\0';
	out->len = len;
	return 0;
}
