/* SPDX-License-Identifier: MIT */
/*
 * route: the table of every URL sitrep serve answers (see web/route.h for
 * how the server uses a row).  Rows are tried in order; the first whose
 * path and method match answers.  Limits of 0 mean the server's
 * (struct sr_web_cfg), which every route uses today.  The routes are
 * documented in sitrep(1), HTTP API.
 */
#include "web/route.h"

const struct sr_web_route sr_web_routes[] = {
	/* method, path, match, flags, limits, handler, publish, open, close */
	{ "OPTIONS", "", SR_WEB_PREFIX, SR_WEB_IF_CORS, { 0, 0 },
	    sr_route_preflight, NULL, NULL, NULL },
	{ "GET", "/api/health", SR_WEB_EXACT, 0, { 0, 0 }, sr_route_health,
	    sr_route_health_publish, NULL, NULL },
	{ "GET", "/api/metrics/overview", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_overview, sr_route_overview_publish, NULL, NULL },
	{ "GET", "/api/metrics/performance", SR_WEB_EXACT, SR_WEB_AUTH,
	    { 0, 0 }, sr_route_performance, NULL, NULL, NULL },
	{ "GET", "/api/metrics/series", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_series, NULL, NULL, NULL },
	{ "GET", "/api/services", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_services, sr_route_services_publish, NULL, NULL },
	{ "GET", "/api/events", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_events, NULL, NULL, NULL },
	{ "POST", "/api/events", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_post_events, NULL, NULL, NULL },
	{ "GET", "/api/insights", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_insights, sr_route_insights_publish, NULL, NULL },
	{ "GET", "/api/summary", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_summary, NULL, NULL, NULL },
	{ "GET", "/api/stream", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_stream, NULL, NULL, NULL },
	{ "GET", "/metrics", SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 },
	    sr_route_metrics, sr_route_metrics_publish, NULL, NULL },
	/* the page: no token, so a browser can load it and then ask */
	{ "GET", "/", SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL,
	    sr_route_asset_open, sr_route_response_close },
	{ "GET", "/index.html", SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL,
	    sr_route_asset_open, sr_route_response_close },
	{ "GET", "/app.js", SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL,
	    sr_route_asset_open, sr_route_response_close },
	{ "GET", "/style.css", SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL,
	    sr_route_asset_open, sr_route_response_close },
	{ "GET", "/chart.js", SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL,
	    sr_route_chart_open, sr_route_response_close },
	{ NULL, NULL, SR_WEB_EXACT, 0, { 0, 0 }, NULL, NULL, NULL, NULL },
};
