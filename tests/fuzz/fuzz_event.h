/* SPDX-License-Identifier: MIT */
/*
 * fuzz_event: the promises every parsed event keeps, checked by the
 * parser harnesses (fuzz_parse.c, fuzz_format.c): event_id and event_type
 * set, metadata a JSON object without a key twice, a status 100-599, a
 * latency >= 0.  Aborts (a libFuzzer crash) when one is broken.
 */
#ifndef SR_TESTS_FUZZ_EVENT_H
#define SR_TESTS_FUZZ_EVENT_H

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/event.h"

static inline void
fuzz_check(const struct sr_event *ev)
{
	if (ev->event_id == NULL || ev->event_type == NULL)
		abort();
	if (ev->metadata != NULL) {
		cJSON *j = cJSON_Parse(ev->metadata);

		if (!cJSON_IsObject(j))
			abort(); /* metadata must be a JSON object */
		for (const cJSON *a = j->child; a != NULL; a = a->next)
			for (const cJSON *b = a->next; b != NULL; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					abort(); /* never a key twice */
		cJSON_Delete(j);
	}
	if ((ev->has & SR_EV_HAS_STATUS) &&
	    (ev->status_code < 100 || ev->status_code > 599))
		abort();
	if ((ev->has & SR_EV_HAS_LATENCY) && !(ev->response_time_ms >= 0))
		abort();
}

#endif
