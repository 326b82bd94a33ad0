/* SPDX-License-Identifier: MIT */
/* event: see event.h. */
#include "core/event.h"

#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/util.h"

void
sr_event_clear(struct sr_event *ev)
{
	memset(ev, 0, sizeof *ev);
}

/* 1 for the fields that hold a string. */
static int
event_is_str(const struct sr_field *f)
{
	return f->type == SR_FIELD_TEXT || f->type == SR_FIELD_JSON;
}

size_t
sr_event_strings_size(const struct sr_event *src)
{
	size_t total = 0;

	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const char *t;

		if (event_is_str(&sr_fields[i]) &&
		    (t = sr_field_text(&sr_fields[i], src)) != NULL)
			total += strlen(t) + 1;
	}
	return total;
}

/*
 * The strings go into the block in field table order, so the first
 * non-NULL one (in that order) starts the block.
 */
void
sr_event_copy_into(struct sr_event *dst, const struct sr_event *src,
    char *block)
{
	size_t at = 0;

	*dst = *src;
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const struct sr_field *f = &sr_fields[i];
		const char *t;
		size_t n;

		if (!event_is_str(f) || (t = sr_field_text(f, src)) == NULL)
			continue;
		n = strlen(t) + 1;
		memcpy(block + at, t, n);
		*sr_field_text_at(f, dst) = block + at;
		at += n;
	}
}

void
sr_event_copy(struct sr_event *dst, const struct sr_event *src)
{
	size_t total = sr_event_strings_size(src);

	if (total == 0) {
		*dst = *src;
		return;
	}
	sr_event_copy_into(dst, src, sr_xmalloc(total));
}

void
sr_event_release(struct sr_event *ev)
{
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const struct sr_field *f = &sr_fields[i];
		const char *t;

		if (event_is_str(f) && (t = sr_field_text(f, ev)) != NULL) {
			free((char *)t);
			break;
		}
	}
	sr_event_clear(ev);
}

int
sr_event_is_5xx(const struct sr_event *ev)
{
	if (ev->has & SR_EV_HAS_STATUS)
		return ev->status_code >= 500 && ev->status_code <= 599;
	return 0;
}

int
sr_event_is_error(const struct sr_event *ev)
{
	return (ev->has & SR_EV_IS_ERROR) != 0 || sr_event_is_5xx(ev);
}

int
sr_event_is_request(const struct sr_event *ev)
{
	if (ev->has & (SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY))
		return 1;
	return ev->event_type == NULL ||
	    strcmp(ev->event_type, sr_fields[SR_FIELD_TYPE].dflt) == 0;
}
