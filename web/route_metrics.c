/* SPDX-License-Identifier: MIT */
/*
 * route_metrics: /metrics, the Prometheus text exposition (0.0.4) that
 * web/render.c writes once per tick, served as one shared response.
 */
#include "web/route.h"

#include <string.h>

void
sr_route_metrics_publish(struct sr_web *w, const struct sr_web_frame *f,
    struct MHD_Response **out)
{
	if (f->metrics != NULL)
		out[0] = sr_web_text(w, f->metrics, strlen(f->metrics),
		    "text/plain; version=0.0.4; charset=utf-8");
}

enum MHD_Result
sr_route_metrics(const struct sr_web_req *rq)
{
	return sr_web_shared(rq, 0);
}
