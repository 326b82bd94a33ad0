/* SPDX-License-Identifier: MIT */
/*
 * frame: the reference-counted, per-tick rendered bodies the HTTP server
 * serves (see frame.h).  Built by one thread, then read-only.
 */
#include "web/frame.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct sr_web_frame *
sr_web_frame_new(void)
{
	struct sr_web_frame *f = sr_xcalloc(1, sizeof(*f));

	atomic_init(&f->refs, 1);
	return f;
}

struct sr_web_frame *
sr_web_frame_ref(struct sr_web_frame *f)
{
	atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
	return f;
}

void
sr_web_frame_unref(struct sr_web_frame *f)
{
	if (f == NULL)
		return;
	if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; i < f->n_events; i++) {
		free(f->events[i].service);
		free(f->events[i].endpoint);
		free(f->events[i].text);
		free(f->events[i].json);
	}
	free(f->events);
	for (size_t i = 0; i < f->n_insights; i++) {
		free(f->insights[i].id);
		free(f->insights[i].key);
		free(f->insights[i].json);
	}
	free(f->insights);
	free(f->health);
	free(f->overview);
	free(f->overview_hist);
	free(f->services);
	free(f->metrics);
	free(f);
}

/* strdup that keeps NULL. */
static char *
frame_dup(const char *s)
{
	return s ? sr_xstrdup(s) : NULL;
}

void
sr_web_frame_add_event(struct sr_web_frame *f, uint64_t seq, int64_t ts_ms,
    int status, int is_error, const char *service, const char *endpoint,
    const char *message, const char *json)
{
	struct sr_web_event *e;
	struct sr_buf text;

	f->events =
	    sr_xrealloc(f->events, (f->n_events + 1) * sizeof(*f->events));
	e = &f->events[f->n_events++];
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->ts_ms = ts_ms;
	e->status = status;
	e->is_error = is_error;
	e->service = frame_dup(service);
	e->endpoint = frame_dup(endpoint);
	e->json = sr_xstrdup(json);
	sr_buf_init(&text);
	sr_buf_addf(&text, "%s\n%s\n%s", service ? service : "",
	    endpoint ? endpoint : "", message ? message : "");
	for (size_t i = 0; i < text.len; i++)
		text.data[i] = (char)tolower((unsigned char)text.data[i]);
	e->text = sr_buf_detach(&text, NULL);
	if (seq > f->events_seq)
		f->events_seq = seq;
}

void
sr_web_frame_add_insight(struct sr_web_frame *f, const char *id, int state,
    const char *key, const char *json)
{
	struct sr_web_insight *in;

	f->insights = sr_xrealloc(f->insights,
	    (f->n_insights + 1) * sizeof(*f->insights));
	in = &f->insights[f->n_insights++];
	in->id = sr_xstrdup(id);
	in->state = state;
	in->key = sr_xstrdup(key);
	in->json = sr_xstrdup(json);
}
