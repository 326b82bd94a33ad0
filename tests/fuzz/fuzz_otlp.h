/* SPDX-License-Identifier: MIT */
/*
 * fuzz_otlp.h: what the OTLP harnesses (fuzz_otlp_json, fuzz_otlp_pb) do
 * with a decoded request: map it through the parser, span by span and
 * record by record, and abort on an event without an id or with a
 * negative latency.  Takes root (sr_parser_otlp() owns it).
 */
#ifndef SITREP_FUZZ_OTLP_H
#define SITREP_FUZZ_OTLP_H

#include <stdlib.h>

#include "core/otlp.h"
#include "core/parse.h"

static void
fuzz_otlp_map(cJSON *root, enum sr_otlp_signal sig)
{
	struct sr_parser *p = sr_parser_new(SR_FMT_OTLP);
	struct sr_event ev;
	enum sr_reject why;
	struct sr_err err;
	int r;

	for (r = sr_parser_otlp(p, root, sig, 0, &ev, &why, &err); r != 0;
	     r = sr_parser_more(p, 0, &ev, &why, &err))
		if (r > 0 &&
		    (ev.event_id == NULL ||
			((ev.has & SR_EV_HAS_LATENCY) &&
			    ev.response_time_ms < 0)))
			abort();
	sr_parser_free(p);
}

#endif
