/* SPDX-License-Identifier: MIT */
/*
 * route_assets: the web page's files (embedded at build time, see
 * web/assets.h), /chart.js (read once from the Debian package's file at
 * start) and the CORS preflight.  Each file's response is built once, in
 * the row's open hook, and queued as it is: no request path reaches the
 * file system.  These routes need no token.
 */
#include "web/route.h"

#include <stdio.h>
#include <string.h>

#include "web/assets.h"

/* The embedded file for the row's path ("/" is index.html). */
static void *
sr_route_asset_open(struct sr_web *w, const struct sr_web_route *rt,
    const struct sr_web_cfg *cfg)
{
	const char *path =
	    strcmp(rt->path, "/") == 0 ? "/index.html" : rt->path;
	const struct sr_web_asset *a;
	struct MHD_Response *r;

	(void)cfg;
	for (a = sr_web_assets; a->path != NULL; a++)
		if (strcmp(a->path, path) == 0)
			break;
	if (a->path == NULL)
		SR_BUG("a route names a file web/assets/ does not have");
	r = MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		SR_BUG("cannot create a response");
	sr_web_headers(w, r, a->type);
	(void)MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'self'; "
	    "img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
	    "connect-src 'self'; frame-ancestors 'none'");
	return r;
}

/* Read a whole small file into a new string; NULL when it cannot. */
static char *
assets_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct sr_buf b;
	char chunk[16384];
	size_t n;

	if (fp == NULL)
		return NULL;
	sr_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sr_buf_add(&b, chunk, n);
	fclose(fp);
	return sr_buf_detach(&b, len);
}

/* chart.js from cfg->chart_js (or the Debian path); NULL when absent. */
static void *
sr_route_chart_open(struct sr_web *w, const struct sr_web_route *rt,
    const struct sr_web_cfg *cfg)
{
	const char *chart = cfg->chart_js ? cfg->chart_js : SR_WEB_CHART_JS;
	struct MHD_Response *r;
	char *text;
	size_t len;

	(void)rt;
	if ((text = assets_slurp(chart, &len)) == NULL) {
		sr_web_log(w,
		    "warning: no chart.js at %s: the page shows no "
		    "charts",
		    chart);
		return NULL;
	}
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		SR_BUG("cannot create a response");
	sr_web_headers(w, r, "text/javascript; charset=utf-8");
	return r;
}

static void
sr_route_response_close(void *state)
{
	if (state != NULL)
		MHD_destroy_response(state);
}

/* The row's response, queued as it is (shared, not counted in stats). */
static enum MHD_Result
sr_route_asset(const struct sr_web_req *rq)
{
	if (rq->state == NULL)
		return sr_web_error(rq, 404,
		    "chart.js is not installed (Debian: libjs-chart.js)");
	return MHD_queue_response(rq->c, 200, rq->state);
}

static enum MHD_Result
sr_route_preflight(const struct sr_web_req *rq)
{
	struct MHD_Response *r = sr_web_text(rq->w, "", 0, NULL);

	(void)MHD_add_response_header(r, "Access-Control-Allow-Methods",
	    "GET, HEAD, POST, OPTIONS");
	(void)MHD_add_response_header(r, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, Last-Event-ID");
	(void)MHD_add_response_header(r, "Access-Control-Max-Age", "600");
	return sr_web_reply(rq, 204, r);
}

/* Rows of the route table (web/route.c lists them, in order). */
const struct sr_web_route sr_web_route_preflight = { "OPTIONS", "",
	SR_WEB_PREFIX, SR_WEB_IF_CORS | SR_WEB_OTLP_PORT, { 0, 0 },
	sr_route_preflight, NULL, NULL, NULL, NULL };
/* the page: no token, so a browser can load it and then ask */
const struct sr_web_route sr_web_route_root = { "GET", "/", SR_WEB_EXACT, 0,
	{ 0, 0 }, sr_route_asset, NULL, sr_route_asset_open,
	sr_route_response_close, NULL };
const struct sr_web_route sr_web_route_index_html = { "GET", "/index.html",
	SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL, sr_route_asset_open,
	sr_route_response_close, NULL };
const struct sr_web_route sr_web_route_app_js = { "GET", "/app.js",
	SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL, sr_route_asset_open,
	sr_route_response_close, NULL };
const struct sr_web_route sr_web_route_style_css = { "GET", "/style.css",
	SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL, sr_route_asset_open,
	sr_route_response_close, NULL };
const struct sr_web_route sr_web_route_chart_js = { "GET", "/chart.js",
	SR_WEB_EXACT, 0, { 0, 0 }, sr_route_asset, NULL, sr_route_chart_open,
	sr_route_response_close, NULL };
