/* SPDX-License-Identifier: MIT */
/*
 * route_frame: the routes answered from the tick's frame alone
 * (/api/health, /api/metrics/overview, /api/services, /api/insights).
 * Their bodies are rendered once per tick (web/render.c); the publish
 * hooks wrap them in shared MHD responses that every request queues.
 */
#include "web/route.h"

#include <string.h>

#include "core/timeutil.h"

static const char route_json[] = "application/json";

/* A shared response for text, or NULL when the frame has none. */
static struct MHD_Response *
route_body(struct sr_web *w, const char *text)
{
	return text != NULL ? sr_web_text(w, text, strlen(text), route_json)
			    : NULL;
}

static void
sr_route_health_publish(struct sr_web *w, const struct sr_web_frame *f,
    struct MHD_Response **out)
{
	out[0] = route_body(w, f->health);
}

/*
 * 503 while the store is failing (the body says why); before the first
 * tick: "starting", with the uptime.
 */
static enum MHD_Result
sr_route_health(const struct sr_web_req *rq)
{
	struct sr_web_frame *f = sr_web_frame_current(rq->w);
	unsigned status = f != NULL && f->health_failing ? 503 : 200;
	struct sr_buf b;
	enum MHD_Result ret;

	/* the frame and the shared answer are swapped together: a frame
	 * swapped in between is a tick newer, its status at most a tick
	 * off */
	sr_web_frame_unref(f);
	if (sr_web_shared_try_status(rq, 0, status, &ret))
		return ret;
	sr_buf_init(&b);
	sr_buf_addf(&b,
	    "{\"status\":\"starting\",\"version\":\"%s\","
	    "\"uptime_s\":%.3f,\"sources\":[],\"store\":null}",
	    SR_VERSION,
	    (double)(sr_now_ms() - sr_web_started_ms(rq->w)) / 1000.0);
	ret = sr_web_json(rq, 200, &b);
	sr_buf_release(&b);
	return ret;
}

/* Variant 0: the tiles; 1 (?history=1): with each tile's history. */
static void
sr_route_overview_publish(struct sr_web *w, const struct sr_web_frame *f,
    struct MHD_Response **out)
{
	out[0] = route_body(w, f->overview);
	out[1] = route_body(w, f->overview_hist);
}

static enum MHD_Result
sr_route_overview(const struct sr_web_req *rq)
{
	const char *h = sr_web_arg(rq, "history");

	if (h != NULL && strcmp(h, "0") != 0 && strcmp(h, "1") != 0)
		return sr_web_error(rq, 400, "history must be 0 or 1");
	return sr_web_shared(rq, h != NULL && h[0] == '1' ? 1 : 0);
}

static void
sr_route_services_publish(struct sr_web *w, const struct sr_web_frame *f,
    struct MHD_Response **out)
{
	out[0] = route_body(w, f->services);
}

static enum MHD_Result
sr_route_services(const struct sr_web_req *rq)
{
	return sr_web_shared(rq, 0);
}

/* The insights with state `which` (0 = all), as {"insights":[...]}. */
static struct MHD_Response *
route_insights_by(struct sr_web *w, const struct sr_web_frame *f, int which)
{
	struct sr_buf b;
	struct MHD_Response *r;
	size_t n = 0;

	sr_buf_init(&b);
	sr_buf_adds(&b, "{\"insights\":[");
	for (size_t i = 0; i < f->n_insights; i++) {
		if (which != 0 && f->insights[i].state != which)
			continue;
		if (n++ > 0)
			sr_buf_addc(&b, ',');
		sr_buf_adds(&b, f->insights[i].json);
	}
	sr_buf_adds(&b, "]}");
	r = sr_web_text(w, b.data, b.len, route_json);
	sr_buf_release(&b);
	return r;
}

/* Variants: 0 all, 1 firing, 2 resolved (the frame's state numbers). */
static void
sr_route_insights_publish(struct sr_web *w, const struct sr_web_frame *f,
    struct MHD_Response **out)
{
	for (int i = 0; i < 3; i++)
		out[i] = route_insights_by(w, f, i);
}

static enum MHD_Result
sr_route_insights(const struct sr_web_req *rq)
{
	const char *state = sr_web_arg(rq, "state");
	int i;

	if (state == NULL || strcmp(state, "all") == 0)
		i = 0;
	else if (strcmp(state, "firing") == 0)
		i = 1;
	else if (strcmp(state, "resolved") == 0)
		i = 2;
	else
		return sr_web_error(rq, 400,
		    "state must be firing, resolved or all");
	return sr_web_shared(rq, i);
}

/* Rows of the route table (web/route.c lists them, in order). */
const struct sr_web_route sr_web_route_health = { "GET", "/api/health",
	SR_WEB_EXACT, 0, { 0, 0 }, sr_route_health, sr_route_health_publish,
	NULL, NULL, NULL };
const struct sr_web_route sr_web_route_overview = { "GET",
	"/api/metrics/overview", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	sr_route_overview, sr_route_overview_publish, NULL, NULL, NULL };
const struct sr_web_route sr_web_route_services = { "GET", "/api/services",
	SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 }, sr_route_services,
	sr_route_services_publish, NULL, NULL, NULL };
const struct sr_web_route sr_web_route_insights = { "GET", "/api/insights",
	SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 }, sr_route_insights,
	sr_route_insights_publish, NULL, NULL, NULL };
