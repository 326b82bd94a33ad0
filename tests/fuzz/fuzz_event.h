/* SPDX-License-Identifier: MIT */
/*
 * fuzz_event: what the event-line harnesses check of every line they
 * parse (fuzz_parse.c, fuzz_journald.c, fuzz_format.c): a parsed event
 * keeps the parser's promises (event_id and event_type set, metadata a
 * JSON object without a key twice, a status in 100..599, a latency >= 0),
 * a refused line has a reason and a NUL-terminated message.  Any broken
 * promise aborts (a libFuzzer crash).
 */
#ifndef SR_FUZZ_EVENT_H
#define SR_FUZZ_EVENT_H

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/parse.h"

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

/* Parse line with parser p and check the answer; returns what it did. */
static inline int
fuzz_parse_check(struct sr_parser *p, const char *line, size_t len,
    struct sr_event *ev)
{
	enum sr_reject why = SR_REJ__COUNT;
	struct sr_err err;
	int rc = sr_parser_line(p, line, len, 1795867200123LL, ev, &why, &err);

	if (rc == 1)
		fuzz_check(ev);
	else if (rc == -1 &&
	    (why >= SR_REJ__COUNT ||
		memchr(err.msg, '\0', sizeof err.msg) == NULL))
		abort();
	else if (rc != 0 && rc != 1 && rc != -1)
		abort();
	return rc;
}

/*
 * Parse line with p and every further event the line holds (an OTLP
 * line's records, sr_parser_more), each checked as above; the notice is
 * taken.  With explain on, what sr_parser_explain() writes must make a
 * JSON object without a key twice once put between braces.
 */
static inline void
fuzz_parse_all(struct sr_parser *p, const char *line, size_t len, int explain)
{
	struct sr_event ev;
	enum sr_reject why = SR_REJ__COUNT;
	struct sr_err err;
	int rc;

	sr_parser_set_explain(p, explain);
	rc = sr_parser_line(p, line, len, 1795867200123LL, &ev, &why, &err);
	for (int n = 0; rc != 0 && n < 10000; n++) {
		if (rc == 1)
			fuzz_check(&ev);
		else if (rc != -1 || why >= SR_REJ__COUNT)
			abort();
		if (rc == 1 && explain) {
			struct sr_buf b;
			cJSON *j;

			sr_buf_init(&b);
			sr_buf_adds(&b, "{\"x\":0");
			sr_parser_explain(p, &b);
			sr_buf_addc(&b, '}');
			j = cJSON_ParseWithLength(b.data, b.len);
			if (!cJSON_IsObject(j))
				abort(); /* explain is JSON object members */
			for (const cJSON *a = j->child; a != NULL; a = a->next)
				for (const cJSON *c = a->next; c != NULL;
				     c = c->next)
					if (strcmp(a->string, c->string) == 0)
						abort();
			cJSON_Delete(j);
			sr_buf_release(&b);
		}
		rc = sr_parser_more(p, 1795867200123LL, &ev, &why, &err);
	}
	(void)sr_parser_notice(p);
}
#endif
