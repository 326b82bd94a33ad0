/* SPDX-License-Identifier: MIT */
/*
 * frame: what the HTTP server serves for one tick, rendered once.  The
 * main loop turns each core snapshot into a frame (web/render.c) and hands
 * it to sr_web_publish(); HTTP threads then only copy bytes.  A frame is
 * immutable once published and reference counted, so a thread that took
 * a reference can read it while the next tick publishes a new one.
 *
 * Every text is complete JSON (or Prometheus text for metrics) on one
 * line, so the server can put it in an SSE "data:" line as it is.
 */
#ifndef SR_WEB_FRAME_H
#define SR_WEB_FRAME_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

/* One recent event, kept for /api/events filters and SSE "event" lines. */
struct sr_web_event {
	uint64_t seq;	    /* increasing within the process, from 1 */
	struct sr_event ev; /* a copy (strings owned), for query matching */
	char *json;	    /* the event as a JSON object */
};

/* One insight's current state, for ?state= and SSE "insight" lines. */
struct sr_web_insight {
	char *id;
	int state;  /* 0 pending, 1 firing, 2 resolved */
	char *json; /* the insight as a JSON object */
	char *key;  /* state/severity/last change: differs => SSE */
};

struct sr_web_frame {
	atomic_int refs;
	uint64_t tick;		     /* increasing; 0 never published */
	int64_t ts_ms;		     /* wall clock of the tick */
	char *health;		     /* JSON object */
	int health_failing;	     /* answer /api/health with 503 */
	char *overview;		     /* JSON object, no tile histories */
	char *overview_hist;	     /* the same with "history" per tile */
	char *services;		     /* JSON object */
	char *metrics;		     /* Prometheus text exposition 0.0.4 */
	struct sr_web_event *events; /* oldest first */
	size_t n_events;
	uint64_t events_seq; /* seq of the newest event seen so far */
	struct sr_web_insight *insights;
	size_t n_insights;
};

/* A new frame with one reference and every field empty. */
struct sr_web_frame *sr_web_frame_new(void);
struct sr_web_frame *sr_web_frame_ref(struct sr_web_frame *f);
/* Drop a reference; the last one frees the frame.  NULL does nothing. */
void sr_web_frame_unref(struct sr_web_frame *f);

/*
 * Append an event (copied, strings too).  json is the event rendered as
 * a JSON object.
 */
void sr_web_frame_add_event(struct sr_web_frame *f, uint64_t seq,
    const struct sr_event *ev, const char *json);
/* Append an insight (strings copied). */
void sr_web_frame_add_insight(struct sr_web_frame *f, const char *id, int state,
    const char *key, const char *json);

#endif
