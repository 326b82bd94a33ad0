/* SPDX-License-Identifier: MIT */
/*
 * frame: the reference-counted, per-tick rendered bodies the HTTP server
 * serves (see frame.h).  Built by one thread, then read-only.
 */
#include "web/frame.h"

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
		sr_event_release(&f->events[i].ev);
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

void
sr_web_frame_add_event(struct sr_web_frame *f, uint64_t seq,
    const struct sr_event *ev, const char *json)
{
	struct sr_web_event *e;

	f->events =
	    sr_xrealloc(f->events, (f->n_events + 1) * sizeof(*f->events));
	e = &f->events[f->n_events++];
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	sr_event_copy(&e->ev, ev); /* its strings in one block */
	e->json = sr_xstrdup(json);
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
