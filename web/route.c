/* SPDX-License-Identifier: MIT */
/*
 * route: the table of every URL sitrep serve answers (see web/route.h for
 * how the server uses a row).  Rows are tried in order; the first whose
 * path and method match answers.  Limits of 0 mean the server's
 * (struct sr_web_cfg), which every route uses today.  The routes are
 * documented in sitrep(1), HTTP API.
 */
#include "web/route.h"

/*
 * Every route, in the order they are tried: a route is one row, defined
 * beside its handler in web/route_*.c (or web/server.c for the stream),
 * and one line here.
 */
/* clang-format off */
#define SR_WEB_ROUTES(X) \
	X(preflight) \
	X(health) \
	X(overview) \
	X(performance) \
	X(series) \
	X(services) \
	X(events) \
	X(post_events) \
	X(otlp_traces) \
	X(otlp_logs) \
	X(insights) \
	X(summary) \
	X(stream) \
	X(prometheus) \
	X(root) \
	X(index_html) \
	X(app_js) \
	X(style_css) \
	X(chart_js) \
	/* new routes: one X(name) line each, above this one */
/* clang-format on */

#define ROUTE_DECLARE(name) \
	extern const struct sr_web_route sr_web_route_##name;
SR_WEB_ROUTES(ROUTE_DECLARE)

#define ROUTE_ROW(name) &sr_web_route_##name,
const struct sr_web_route *const sr_web_routes[] = { SR_WEB_ROUTES(ROUTE_ROW)
	    NULL };
