/* SPDX-License-Identifier: MIT */
/*
 * route_events: GET /api/events (the store's events with a database file,
 * else or with ?live=1 the frame's recent events; one opaque cursor per
 * server) and POST /api/events (validated, handed to the main loop
 * through the server's post callback; HTTP threads never write the
 * store).
 */
#include "web/route.h"

#include <cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "core/query.h"
#include "core/timeutil.h"
#include "web/history.h"

/* 1 if a frame event passes the filter (the same query as the store's). */
static int
events_match(const struct sr_web_evq *q, const struct sr_web_event *e)
{
	if (q->service != NULL &&
	    (e->ev.service == NULL || strcmp(q->service, e->ev.service) != 0))
		return 0;
	if (!sr_query_match(&q->query, &e->ev))
		return 0;
	return e->ev.ts_ms >= q->from_ms && e->ev.ts_ms < q->to_ms;
}

static enum MHD_Result
events_answer(const struct sr_web_req *rq, struct sr_web_evq *qp)
{
	struct sr_web_evq q = *qp;
	const char *since = sr_web_arg(rq, "since"), *live;
	const char *db_path = rq->cfg->db_path;
	struct sr_web_frame *f;
	struct sr_buf b;
	struct sr_err err;
	enum MHD_Result ret;
	uint64_t after = 0, cursor;
	size_t start, n = 0;
	int status = 500, stored = 0;

	/*
	 * One opaque cursor per server: with a database file every answer
	 * comes from the store and the cursor is a row id ("h<id>" from
	 * older servers is accepted too); ?live=1, or a ":memory:" store,
	 * reads the in-memory recent events, whose cursor is the stream's
	 * event seq (the SSE id).
	 */
	live = sr_web_arg(rq, "live");
	if (live != NULL && strcmp(live, "0") != 0 && strcmp(live, "1") != 0)
		return sr_web_error(rq, 400, "live must be 0 or 1");
	stored = sr_web_hist_available(db_path) &&
	    !(live != NULL && strcmp(live, "1") == 0);
	if (since != NULL) {
		if (sr_web_args_cursor(since, stored, &q.after_row) < 0)
			return sr_web_error(rq, 400,
			    "since is not a cursor this server gave");
		after = (uint64_t)q.after_row;
	} else if (q.from_ms == INT64_MIN && q.to_ms == INT64_MAX) {
		q.newest = 1; /* else: a range is read from its start */
	}
	if (!stored && (q.from_ms != INT64_MIN || q.to_ms != INT64_MAX))
		return sr_web_error(rq, 503,
		    "history needs a database file (not :memory:)");
	sr_buf_init(&b);
	if (stored) {
		if (sr_web_hist_events(db_path, &q, &b, &status, &err) < 0)
			ret = sr_web_error(rq, (unsigned)status, err.msg);
		else
			ret = sr_web_json(rq, 200, &b);
		sr_buf_release(&b);
		return ret;
	}
	if ((f = sr_web_frame_current(rq->w)) == NULL) {
		sr_buf_release(&b);
		return sr_web_error(rq, 503,
		    "no data yet: the first tick has not been published");
	}
	/* The matching events after the cursor: the oldest `limit` when
	 * following (since given), else the newest `limit`. */
	start = 0;
	while (start < f->n_events && f->events[start].seq <= after)
		start++;
	if (since == NULL) {
		size_t i = f->n_events, m = 0;

		while (i > start && m < (size_t)q.limit) {
			i--;
			if (events_match(&q, &f->events[i]))
				m++;
		}
		start = i;
	}
	cursor = since == NULL ? f->events_seq : after;
	sr_buf_adds(&b, "{\"events\":[");
	for (size_t i = start; i < f->n_events && n < (size_t)q.limit; i++) {
		if (!events_match(&q, &f->events[i]))
			continue;
		if (n++ > 0)
			sr_buf_addc(&b, ',');
		sr_buf_adds(&b, f->events[i].json);
		cursor = f->events[i].seq;
	}
	if (n < (size_t)q.limit || since == NULL)
		cursor = f->events_seq > cursor ? f->events_seq : cursor;
	sr_buf_addf(&b, "],\"cursor\":\"%" PRIu64 "\",\"truncated\":%s}",
	    cursor,
	    (f->n_events > 0 && after + 1 < f->events[0].seq && since != NULL)
		? "true"
		: "false");
	sr_web_frame_unref(f);
	ret = sr_web_json(rq, 200, &b);
	sr_buf_release(&b);
	return ret;
}

static enum MHD_Result
sr_route_events(const struct sr_web_req *rq)
{
	struct sr_web_evq q;
	struct sr_err why;
	enum MHD_Result ret;
	struct sr_web_args a = { sr_web_req_arg, rq };

	if (sr_web_args_events(&a, &q, &why) < 0)
		return sr_web_error(rq, 400, why.msg);
	ret = events_answer(rq, &q);
	sr_query_release(&q.query);
	return ret;
}

/* Seconds a refused client is asked to wait (Retry-After). */
#define EVENTS_RETRY_S "1"

/* A post's answer so far: the results array and the counts. */
struct events_post {
	struct sr_buf b; /* {"results":[...] */
	size_t accepted, rejected;
};

/*
 * The answer: 202 when the commit holding the events succeeded
 * ("committed" = "accepted"), else 503 with Retry-After and
 * "committed":0 (why says what failed).  Consumes p's buffer.
 */
static enum MHD_Result
events_post_answer(const struct sr_web_req *rq, struct events_post *p,
    int committed, const char *why)
{
	struct MHD_Response *r;
	unsigned status = committed ? 202 : 503;

	sr_buf_addf(&p->b,
	    "],\"accepted\":%zu,\"rejected\":%zu,"
	    "\"committed\":%zu",
	    p->accepted, p->rejected, committed ? p->accepted : 0);
	if (!committed) {
		sr_buf_adds(&p->b, ",\"error\":");
		sr_buf_add_json_str(&p->b, why);
		sr_buf_addf(&p->b, ",\"status\":%u", status);
		if (!rq->cfg->quiet)
			sr_web_log(rq->w,
			    "503 POST %s: %zu events not committed: %s",
			    rq->url, p->accepted, why);
	}
	sr_buf_addc(&p->b, '}');
	sr_web_count_posted(rq->w, committed ? p->accepted : 0,
	    committed ? 0 : p->accepted);
	r = sr_web_text(rq->w, p->b.data, p->b.len, "application/json");
	if (!committed)
		(void)MHD_add_response_header(r, "Retry-After", EVENTS_RETRY_S);
	sr_buf_release(&p->b);
	return sr_web_reply(rq, status, r);
}

static void
events_post_free(void *ctx)
{
	struct events_post *p = ctx;

	sr_buf_release(&p->b);
	free(p);
}

/* sr_web_later_fn: the loop said whether the post's commit succeeded. */
static enum MHD_Result
events_post_done(const struct sr_web_req *rq, void *ctx, int committed)
{
	return events_post_answer(rq, ctx, committed,
	    "not committed: the store failed or the server is stopping; "
	    "retry later (event_id lets you drop duplicates)");
}

/*
 * POST /api/events: every item is validated (results[i] says why one
 * was refused); the valid ones go to the main loop as one post, and the
 * answer waits for the commit that holds them (sr_web_post_later()), so
 * a 202 means every accepted event is in the database.
 */
static enum MHD_Result
sr_route_post_events(const struct sr_web_req *rq)
{
	const struct sr_web_cfg *cfg = rq->cfg;
	struct events_post *ps;
	struct sr_parser *p;
	cJSON *root, *item;
	struct sr_event *evs = NULL, ev;
	enum sr_reject why;
	struct sr_err err;
	enum MHD_Result ret;
	size_t n = 0, cap = 0, nev;
	int64_t now = sr_now_ms();

	if (!cfg->accept_events || cfg->post == NULL)
		return sr_web_error(rq, 405,
		    "posting events needs --accept-events");
	if (rq->body_too_large)
		return sr_web_error(rq, 413, "request body too large");
	root = cJSON_ParseWithLength(rq->body->data, rq->body->len);
	if (root == NULL || !(cJSON_IsObject(root) || cJSON_IsArray(root))) {
		cJSON_Delete(root);
		return sr_web_error(rq, 400,
		    "body must be a JSON event object or an array of them");
	}
	ps = sr_xcalloc(1, sizeof(*ps));
	p = sr_parser_new(SR_FMT_JSON);
	sr_buf_init(&ps->b);
	sr_buf_adds(&ps->b, "{\"results\":[");
	for (item = cJSON_IsArray(root) ? root->child : root; item != NULL;
	     item = cJSON_IsArray(root) ? item->next : NULL) {
		char *text;
		int r;

		if (n++ > 0)
			sr_buf_addc(&ps->b, ',');
		if (!cJSON_IsObject(item)) {
			ps->rejected++;
			sr_buf_adds(&ps->b,
			    "{\"ok\":false,\"reason\":"
			    "\"not_object\",\"error\":\"not a JSON object\"}");
			continue;
		}
		text = cJSON_PrintUnformatted(item);
		if (text == NULL)
			SR_BUG("cannot print a JSON object");
		r = sr_parser_line(p, text, strlen(text), now, &ev, &why, &err);
		if (r < 0) {
			ps->rejected++;
			sr_buf_addf(&ps->b,
			    "{\"ok\":false,\"reason\":\"%s\","
			    "\"error\":",
			    sr_reject_name(why));
			sr_buf_add_json_str(&ps->b, err.msg);
			sr_buf_addc(&ps->b, '}');
			free(text);
			continue;
		}
		if (ps->accepted == cap) {
			cap = cap ? cap * 2 : 16;
			evs = sr_xrealloc(evs, cap * sizeof(*evs));
		}
		sr_event_copy(&evs[ps->accepted++], &ev);
		sr_buf_adds(&ps->b, "{\"ok\":true,\"event_id\":");
		sr_buf_add_json_str(&ps->b, ev.event_id);
		sr_buf_addc(&ps->b, '}');
		free(text);
	}
	sr_parser_free(p);
	cJSON_Delete(root);
	if (ps->accepted == 0) {
		sr_buf_addf(&ps->b,
		    "],\"accepted\":0,\"rejected\":%zu,\"committed\":0,"
		    "\"error\":\"no event accepted\",\"status\":400}",
		    ps->rejected);
		if (!cfg->quiet)
			sr_web_log(rq->w,
			    "400 POST %s: %zu of %zu events refused", rq->url,
			    n, n);
		ret = sr_web_json(rq, 400, &ps->b);
		sr_buf_release(&ps->b);
		free(ps);
		free(evs);
		return ret;
	}
	nev = ps->accepted; /* ps belongs to the server after a post */
	if (sr_web_post_later(rq, evs, nev, events_post_done, events_post_free,
		ps, &err) == 0) {
		ret = MHD_YES; /* answered after the commit */
	} else {
		char msg[320];

		(void)snprintf(msg, sizeof(msg), "%s; retry later", err.msg);
		ret = events_post_answer(rq, ps, 0, msg);
		free(ps);
	}
	for (size_t i = 0; i < nev; i++)
		sr_event_release(&evs[i]); /* the loop keeps its own copies */
	free(evs);
	return ret;
}

/* Rows of the route table (web/route.c lists them, in order). */
const struct sr_web_route sr_web_route_events = { "GET", "/api/events",
	SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 }, sr_route_events, NULL, NULL, NULL,
	NULL };
const struct sr_web_route sr_web_route_post_events = { "POST", "/api/events",
	SR_WEB_EXACT, SR_WEB_AUTH | SR_WEB_IF_POSTING, { 0, 0 },
	sr_route_post_events, NULL, NULL, NULL, "application/json" };
