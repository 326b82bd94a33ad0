/* SPDX-License-Identifier: MIT */
/*
 * render: one core snapshot to one web frame (the JSON bodies, the
 * Prometheus text, the recent events and insights), once per tick on the
 * main loop.  Only formats: every number comes from the snapshot (or the
 * process and store figures in info), so the TUI, the JSON and /metrics
 * agree.  Field names are documented in sitrep(1), HTTP API.
 */
#ifndef SR_WEB_RENDER_H
#define SR_WEB_RENDER_H

#include <stdint.h>

#include "core/snapshot.h"
#include "web/frame.h"
#include "web/server.h"

/* What the frame needs besides the snapshot. */
struct sr_web_render_info {
	int64_t started_ms;	/* process start, wall clock */
	const char *db_path;	/* shown in health; or NULL */
	uint64_t store_pending; /* events in the open batch or held */
	int64_t store_bytes;	/* db + wal size; -1 unknown */
	struct sr_web_stats http;
	int64_t cpu_us; /* this process, user+system */
};

/* A new frame (one reference) for snapshot s. */
struct sr_web_frame *sr_web_render(const struct sr_snapshot *s,
    const struct sr_web_render_info *info);

/* Append a JSON number, or null for NAN/inf. */
void sr_web_json_num(struct sr_buf *b, double v);

/*
 * Append an event as the JSON object /api/events serves, starting with
 * idkey: id ("seq" for live events, "id" for stored rows).
 */
void sr_web_json_event(struct sr_buf *b, const char *idkey, uint64_t id,
    const struct sr_event *ev);

#endif
