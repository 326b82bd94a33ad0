/* SPDX-License-Identifier: MIT */
/*
 * frames: the console's time-travel history.  Instead of whole
 * snapshots (hundreds of kB each: every metric's and service's 300-point
 * history, 1000 recent events), each tick keeps a small frame: the KPI
 * values, the services rows (every window), the insights, the error
 * patterns, the top processes, the totals and the event-log position.
 * A frame is turned back into a snapshot on top of a newer one (the
 * base): histories are the base's cut back to that tick (one point per
 * tick), the event log is the base's recent events up to the frame's
 * last sequence number, and what frames do not keep (sources, models,
 * users, types, endpoints) is the base's.  Pure; no curses.
 */
#ifndef SR_TUI_FRAMES_H
#define SR_TUI_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "core/snapshot.h"

#define SR_TUI_FRAMES_MAX 900 /* ticks kept (15 min at 1 s) at most */
/* ... and their size: [tui] history_bytes, by default 4 MiB */
#define SR_TUI_FRAMES_BYTES (4 << 20)

struct sr_tui_frames;

/*
 * A ring of at most max frames and about max_bytes (the frames, and the
 * strings they share: each distinct string is kept once).
 */
struct sr_tui_frames *sr_tui_frames_new(int max, size_t max_bytes);
void sr_tui_frames_free(struct sr_tui_frames *f);

/* Keep snap's frame (the oldest ones go when the ring is full). */
void
sr_tui_frames_push(struct sr_tui_frames *f, const struct sr_snapshot *snap);

/* Frames kept, their estimated bytes, and frame i's tick (0 oldest). */
int sr_tui_frames_count(const struct sr_tui_frames *f);
size_t sr_tui_frames_bytes(const struct sr_tui_frames *f);
uint64_t sr_tui_frames_tick(const struct sr_tui_frames *f, int i);

/* Index of the frame of tick t, or -1. */
int sr_tui_frames_find(const struct sr_tui_frames *f, uint64_t tick);

/*
 * Frame i as a snapshot (one reference) on top of base, which must be
 * at least as new and must outlive the result (it points into base).
 */
struct sr_snapshot *sr_tui_frames_snapshot(const struct sr_tui_frames *f, int i,
    const struct sr_snapshot *base);

#endif
