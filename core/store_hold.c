/* SPDX-License-Identifier: MIT */
/*
 * store_hold: the store's hold mode (sr_store_hold() in core/store.h).
 * While it is on, every event and cursor added is copied here until the
 * commit that holds it succeeds; a failed commit rolls the batch back and
 * keeps the copies, and the retry writes them all again in one
 * transaction, so nothing added is lost while the process lives.  The
 * state (OK, RETRYING, FAILING), the last error, the backoff and the
 * counts of what was dropped live here too, as does the check that the
 * file at the path is still the one open (SQLite keeps writing to a
 * deleted file's inode without an error).
 */
#include "core/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/store_int.h"
#include "core/timeutil.h"

const char *
sr_store_state_name(enum sr_store_state s)
{
	switch (s) {
	case SR_STORE_OK:
		return "ok";
	case SR_STORE_RETRYING:
		return "retrying";
	case SR_STORE_FAILING:
		break;
	}
	return "failing";
}

void
sr_store_hold(struct sr_store *st, size_t max_events)
{
	st->hold.max = max_events > 0 ? max_events : SR_STORE_QUEUE_MAX;
	st->hold.delay_ms = SR_STORE_RETRY_MIN_MS;
}

/*
 * A chunk: its header, then records (an event, then its strings), each
 * starting at a multiple of the event's alignment.  Mapped, not
 * malloc'ed, so that unmapping gives the pages back whatever else the
 * heap holds.
 */
struct store_hold_chunk {
	struct store_hold_chunk *next;
	size_t size; /* mapped bytes, the header included */
	size_t used; /* bytes after the header */
};

#define HOLD_CHUNK_BYTES ((size_t)128 * 1024)
#define HOLD_ALIGN _Alignof(struct sr_event)

static size_t
hold_align(size_t n)
{
	return (n + HOLD_ALIGN - 1) / HOLD_ALIGN * HOLD_ALIGN;
}

static size_t
hold_head(void)
{
	return hold_align(sizeof(struct store_hold_chunk));
}

static struct store_hold_chunk *
hold_chunk_new(size_t need)
{
	size_t size = hold_head() + need;
	struct store_hold_chunk *c;

	size = size < HOLD_CHUNK_BYTES ? HOLD_CHUNK_BYTES
				       : (size + 4095) / 4096 * 4096;
	c = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		sr_fatal("out of memory (%zu bytes)", size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

static struct sr_event *
hold_chunk_event(const struct store_hold_chunk *c, size_t at)
{
	return (struct sr_event *)((char *)c + hold_head() + at);
}

void
store_hold_event(struct sr_store *st, const struct sr_event *ev)
{
	struct store_hold *h = &st->hold;
	size_t strs = sr_event_strings_size(ev);
	size_t need = hold_align(sizeof(struct sr_event) + strs);
	struct store_hold_chunk *c = h->last;
	struct sr_event *dst;

	if (c == NULL || c->size - hold_head() - c->used < need) {
		struct store_hold_chunk *n = hold_chunk_new(need);

		if (c == NULL)
			h->chunks = n;
		else
			c->next = n;
		h->last = c = n;
	}
	dst = hold_chunk_event(c, c->used);
	sr_event_copy_into(dst, ev, (char *)(dst + 1));
	c->used += need;
	h->n++;
}

/* Each held event in order: fn(st, ev) until it returns < 0. */
static int
hold_each(struct sr_store *st,
    int (*fn)(struct sr_store *, const struct sr_event *, struct sr_err *),
    struct sr_err *err)
{
	for (const struct store_hold_chunk *c = st->hold.chunks; c != NULL;
	     c = c->next)
		for (size_t at = 0; at < c->used;) {
			const struct sr_event *ev = hold_chunk_event(c, at);

			if (fn(st, ev, err) < 0)
				return -1;
			at +=
			    hold_align(sizeof(*ev) + sr_event_strings_size(ev));
		}
	return 0;
}

void
store_hold_cursor(struct sr_store *st, const char *source, const char *cursor)
{
	struct store_hold *h = &st->hold;

	for (size_t i = 0; i < h->ncur; i++)
		if (strcmp(h->cur[i].source, source) == 0) {
			free(h->cur[i].cursor);
			h->cur[i].cursor = sr_xstrdup(cursor);
			return;
		}
	h->cur = sr_xrealloc(h->cur, (h->ncur + 1) * sizeof(*h->cur));
	h->cur[h->ncur].source = sr_xstrdup(source);
	h->cur[h->ncur++].cursor = sr_xstrdup(cursor);
}

const char *
store_held_cursor(const struct sr_store *st, const char *source)
{
	for (size_t i = 0; i < st->hold.ncur; i++)
		if (strcmp(st->hold.cur[i].source, source) == 0)
			return st->hold.cur[i].cursor;
	return NULL;
}

void
store_hold_clear(struct sr_store *st)
{
	struct store_hold *h = &st->hold;

	struct store_hold_chunk *c = h->chunks != NULL ? h->chunks->next : NULL;

	/* the first chunk is kept for the next batch, the rest unmapped */
	while (c != NULL) {
		struct store_hold_chunk *next = c->next;

		(void)munmap(c, c->size);
		c = next;
	}
	if (h->chunks != NULL) {
		h->chunks->next = NULL;
		h->chunks->used = 0;
	}
	h->last = h->chunks;
	h->n = 0;
	for (size_t i = 0; i < h->ncur; i++) {
		free(h->cur[i].source);
		free(h->cur[i].cursor);
	}
	h->ncur = 0;
}

void
store_hold_release(struct sr_store *st)
{
	store_hold_clear(st);
	if (st->hold.chunks != NULL)
		(void)munmap(st->hold.chunks, st->hold.chunks->size);
	free(st->hold.cur);
	st->hold.chunks = st->hold.last = NULL;
	st->hold.cur = NULL;
}

void
store_hold_failed(struct sr_store *st, const struct sr_err *err)
{
	struct store_hold *h = &st->hold;
	int code = st->db != NULL ? sqlite3_errcode(st->db) : SQLITE_CANTOPEN;
	struct sr_err e2;

	if (st->db != NULL && sqlite3_get_autocommit(st->db) == 0)
		(void)store_exec_id(st, STMT_ROLLBACK, &e2); /* best effort */
	st->in_batch = 0;
	st->event_rows = -1;
	store_clear_rollups(st, 0);
	st->pending = h->n;
	h->errors++;
	h->state = !h->lost && (code == SQLITE_BUSY || code == SQLITE_LOCKED)
	    ? SR_STORE_RETRYING
	    : SR_STORE_FAILING;
	(void)snprintf(h->error, sizeof(h->error), "%s",
	    err != NULL && err->msg[0] ? err->msg : "cannot write");
	h->retry_at_ms = sr_mono_ms() + h->delay_ms;
	h->delay_ms *= 2;
	if (h->delay_ms > SR_STORE_RETRY_MAX_MS)
		h->delay_ms = SR_STORE_RETRY_MAX_MS;
}

/* A row in meta, so that a retry always writes something. */
static int
store_hold_probe(struct sr_store *st, struct sr_err *err)
{
	sqlite3_stmt *s = NULL;
	int brc = SQLITE_OK, rc;

	if (store_prepare(st,
		"INSERT OR REPLACE INTO meta(key, value)"
		" VALUES('last_retry', ?1)",
		&s, err, "cannot write meta") < 0)
		return -1;
	store_bind_i64(s, 1, sr_now_ms(), &brc);
	rc = store_bound(st, s, brc, err, "cannot write meta") < 0 ||
		store_run(st, s, err, "cannot write meta") < 0
	    ? -1
	    : 0;
	sqlite3_finalize(s);
	return rc;
}

int
store_hold_retry(struct sr_store *st, struct sr_err *err)
{
	struct store_hold *h = &st->hold;
	int rc = 0;

	if (h->lost) {
		if (store_reopen(st, err) < 0) {
			store_hold_failed(st, err);
			return -1;
		}
		h->lost = 0;
	}
	h->replaying = 1;
	st->pending = 0;
	if (store_begin(st, err) < 0)
		rc = -1;
	if (rc == 0)
		rc = hold_each(st, store_insert_event, err);
	for (size_t i = 0; rc == 0 && i < h->ncur; i++)
		rc = store_cursor_row(st, h->cur[i].source, h->cur[i].cursor,
		    err);
	if (rc == 0)
		rc = store_hold_probe(st, err);
	h->replaying = 0;
	if (rc < 0) {
		store_hold_failed(st, err);
		return -1;
	}
	/* OK first, so store_flush() commits instead of retrying; a
	 * failed commit calls store_hold_failed() itself */
	h->state = SR_STORE_OK;
	if (store_flush(st, 0, err) < 0)
		return -1;
	h->error[0] = '\0';
	h->delay_ms = SR_STORE_RETRY_MIN_MS;
	return 0;
}

void
sr_store_status(const struct sr_store *st, struct sr_store_status *out)
{
	const struct store_hold *h = &st->hold;

	memset(out, 0, sizeof(*out));
	out->state = h->state;
	(void)snprintf(out->error, sizeof(out->error), "%s", h->error);
	out->errors = h->errors;
	out->held = h->n;
	out->dropped_events = h->dropped_events;
	out->dropped_rows = h->dropped_rows;
	out->retry_in_ms = -1;
	if (h->state != SR_STORE_OK) {
		out->retry_in_ms = h->retry_at_ms - sr_mono_ms();
		if (out->retry_in_ms < 0)
			out->retry_in_ms = 0;
	}
}

void
store_note_id(struct sr_store *st)
{
	struct stat sb;

	st->hold.have_id = 0;
	if (strcmp(st->path, ":memory:") == 0 || stat(st->path, &sb) < 0)
		return;
	st->hold.dev = sb.st_dev;
	st->hold.ino = sb.st_ino;
	st->hold.have_id = 1;
}

int
sr_store_check(struct sr_store *st, struct sr_err *err)
{
	struct store_hold *h = &st->hold;
	struct sr_err e;
	struct stat sb;

	if (!h->have_id || (st->flags & SR_STORE_READONLY) || h->lost)
		return h->lost ? sr_err_set(err, "%s", h->error) : 0;
	if (stat(st->path, &sb) == 0) {
		if (sb.st_dev == h->dev && sb.st_ino == h->ino)
			return 0;
		sr_err_set(&e, "database file '%s' was replaced", st->path);
	} else {
		sr_err_set(&e, "database file '%s' was deleted (%s)", st->path,
		    strerror(errno));
	}
	if (h->max > 0) {
		h->lost = 1;
		/* what the open batch wrote went to the old inode */
		store_hold_failed(st, &e);
	}
	if (err != NULL)
		*err = e;
	return -1;
}

enum sr_store_state
sr_store_state(const struct sr_store *st)
{
	return st->hold.state;
}

int
sr_store_flush_now(struct sr_store *st, struct sr_err *err)
{
	return STORE_HELD(st) ? store_hold_retry(st, err)
			      : sr_store_flush(st, err);
}
