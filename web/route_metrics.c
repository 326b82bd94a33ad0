/* SPDX-License-Identifier: MIT */
/*
 * route_metrics: /metrics, the Prometheus text exposition (0.0.4) that
 * web/render.c writes once per tick, served as one shared response.
 */
#include "web/route.h"

#include <string.h>

static void
sr_route_metrics_publish(struct sr_web *w, const struct sr_web_frame *f,
    struct MHD_Response **out)
{
	if (f->metrics != NULL)
		out[0] = sr_web_text(w, f->metrics, strlen(f->metrics),
		    "text/plain; version=0.0.4; charset=utf-8");
}

static enum MHD_Result
sr_route_metrics(const struct sr_web_req *rq)
{
	return sr_web_shared(rq, 0);
}

/* Rows of the route table (web/route.c lists them, in order). */
const struct sr_web_route sr_web_route_prometheus = { "GET", "/metrics",
	SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 }, sr_route_metrics,
	sr_route_metrics_publish, NULL, NULL, NULL };
