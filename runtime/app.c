/* SPDX-License-Identifier: MIT */
/*
 * app: the runtime shared by the console and the server (see app.h).
 * Owns config, store, engine, system collector, sources and the loop;
 * the tick timer runs sample -> engine tick -> flush -> prune ->
 * publish -> on_publish.  Events from the sources (through the source
 * driver, runtime/driver.h) and from the post queue are folded as they
 * arrive.  Only the post queue is shared with other
 * threads (one mutex); the engine's snapshot swap has its own.
 */
#include "runtime/app.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions/actions.h"
#include "collectors/source.h"
#include "collectors/sys.h"
#include "core/config.h"
#include "core/engine.h"
#include "runtime/driver.h"
#include "runtime/loop.h"
#include "runtime/otlp_export.h"
#include "core/metric.h"
#include "core/snapshot.h"
#include "core/store.h"

/*
 * Set by SIGINT/SIGTERM: a signal flag, one of the few globals the code
 * allows (CONTRIBUTING.md).  The loop lets those signals in only while it
 * sleeps.
 */
static volatile sig_atomic_t app_signalled;

/* Posted events' counters, as shown in snapshot.sources. */
struct app_source {
	const char *name;
	const char *kind;
	enum sr_source_state state;
	char error[256];
	uint64_t events;
	uint64_t rejected;
	uint64_t by_reason[SR_REJ__COUNT];
	int used; /* shown once it had input */
};

/* One sr_app_post_events() call: its ticket and its events' count. */
struct app_post {
	uint64_t ticket;
	size_t n;
};

/* Events posted from other threads, strings owned, in posts. */
struct app_queue {
	pthread_mutex_t mu;
	struct sr_event *ev;
	size_t n, cap;
	struct app_post *post;
	size_t npost, postcap;
	uint64_t ticket; /* the last ticket given */
	int refuse;	 /* the store is not ok: posts get 503 */
	char why[320];	 /* ... and why */
};

/* A folded post waiting for its commit: done when committed >= end. */
struct app_wait {
	uint64_t ticket;
	uint64_t end; /* store's committed + pending after its last event */
};

/* System samples not stored yet (sr_app_opts.sys_store_ms), in order. */
struct app_sysbuf {
	char **name;
	double *value;
	int64_t *ts;
	size_t n, cap;
	int64_t keep_ms;  /* 0: not kept */
	int64_t since_ms; /* monotonic, when the oldest was kept */
};

struct sr_app {
	char *cmd;
	struct sr_config cfg;
	int cfg_loaded;
	char *db_path;
	struct sr_store *store;
	struct sr_engine *engine;
	struct sr_sys *sys;
	struct sr_metric_set *metrics;
	struct app_sysbuf sysbuf;
	struct sr_loop *loop;
	struct sr_driver *drv;	      /* the event sources */
	struct sr_metric_set *remote; /* samples from sources */
	struct sr_otlp_export *otlp;  /* --otlp-export, or NULL */
	struct app_source src_http;
	struct app_queue q;
	int64_t interval_ms;
	int64_t max_ticks;
	uint64_t ticks;
	uint64_t pruned_tick; /* ticks at the last prune */
	int prune_backlog;    /* it deleted rows */
	int64_t next_tick_ms; /* monotonic */
	int64_t flush_timer;  /* 0: none armed */
	int replay_clock;
	int64_t newest_event_ms;
	/* posts folded into the batch, oldest first, not yet committed */
	struct app_wait *wait;
	size_t nwait, waitcap;
	sr_app_commit_fn *commit_fn;
	void *commit_ctx;
	sr_app_log_fn *log_fn;
	void *log_ctx;
	struct sr_store_status store_st; /* as of the last watch */
	char store_error[256];		 /* what sr_app_store_error() says */
	sr_app_publish_fn *publish_fn;
	void *publish_ctx;
	sr_app_idle_fn *idle_fn;
	void *idle_ctx;
	int stop;
};

void
sr_app_opts_init(struct sr_app_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stdin_mode = SR_APP_STDIN_AUTO;
}

static void
app_on_signal(int sig)
{
	(void)sig;
	app_signalled = 1;
}

/*
 * Fold one event: engine first (live view), then the store batch.  The
 * store holds it until it is committed (sr_store_hold()); a failure is
 * counted there and shown by app_store_watch().  Returns 1 when the
 * store dropped it (its hold queue is full), else 0.
 */
static int
app_fold(struct sr_app *app, const struct sr_event *ev)
{
	struct sr_err err;
	int rc;

	sr_engine_event(app->engine, ev);
	rc = sr_store_add_event(app->store, ev, &err);
	if (ev->ts_ms > app->newest_event_ms)
		app->newest_event_ms = ev->ts_ms;
	return rc == 1;
}

/* One line about the store: to the front end's log hook, else stderr. */
static void app_log(struct sr_app *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
app_log(struct sr_app *app, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap); /* cut: still a line */
	va_end(ap);
	if (app->log_fn != NULL)
		app->log_fn(app->log_ctx, line);
	else
		fprintf(stderr, "sitrep %s: %s\n", app->cmd, line);
}

/* Tell the front end that post ticket was committed (1) or not (0). */
static void
app_resolve(struct sr_app *app, uint64_t ticket, int committed)
{
	if (app->commit_fn != NULL)
		app->commit_fn(app->commit_ctx, ticket, committed);
}

/*
 * After anything that may have committed or failed: answer the posts
 * whose events are all committed, read the store's state, and on a
 * change log it once (stderr, or the console's hook), refuse or accept
 * posts again, and answer every post still waiting "not committed" when
 * the store is not ok (its events stay held and may still be stored; the
 * client was told to retry).
 */
static void
app_store_watch(struct sr_app *app)
{
	struct sr_store_status now;
	uint64_t c = sr_store_committed(app->store);
	size_t k = 0;

	while (k < app->nwait && app->wait[k].end <= c)
		app_resolve(app, app->wait[k++].ticket, 1);
	sr_store_status(app->store, &now);
	if (now.state != SR_STORE_OK) {
		while (k < app->nwait)
			app_resolve(app, app->wait[k++].ticket, 0);
	}
	if (k > 0) {
		memmove(app->wait, app->wait + k,
		    (app->nwait - k) * sizeof(*app->wait));
		app->nwait -= k;
	}
	if (now.state != app->store_st.state) {
		if (now.state == SR_STORE_OK)
			app_log(app, "store ok: database '%s' written again",
			    app->db_path);
		else
			app_log(app,
			    "store %s: %s (%" PRIu64 " events held, retrying)",
			    sr_store_state_name(now.state), now.error,
			    now.held);
		pthread_mutex_lock(&app->q.mu);
		app->q.refuse = now.state != SR_STORE_OK;
		(void)snprintf(app->q.why, sizeof(app->q.why), "store %s: %s",
		    sr_store_state_name(now.state), now.error);
		pthread_mutex_unlock(&app->q.mu);
	}
	if (app->otlp != NULL) /* the export reads committed events */
		sr_otlp_export_committed(app->otlp);
	if (now.errors > 0 && now.error[0] != '\0')
		(void)snprintf(app->store_error, sizeof(app->store_error), "%s",
		    now.error);
	app->store_st = now;
}

/* Arm the flush timer so a batch is committed within SR_APP_COMMIT_MS. */
static int64_t app_flush_timer(struct sr_loop *l, int64_t id, void *ctx);

static void
app_arm_flush(struct sr_app *app)
{
	int due;

	if (app->flush_timer != 0)
		return;
	if ((due = sr_store_flush_due_ms(app->store)) < 0)
		return;
	app->flush_timer =
	    sr_loop_add_timer(app->loop, due, app_flush_timer, app);
}

static int64_t
app_flush_timer(struct sr_loop *l, int64_t id, void *ctx)
{
	struct sr_app *app = ctx;
	struct sr_err err;
	int due;

	(void)l;
	(void)id;
	/* a failure is the store's state: app_store_watch() shows it */
	(void)sr_store_maybe_flush(app->store, &err);
	app_store_watch(app);
	if ((due = sr_store_flush_due_ms(app->store)) < 0) {
		app->flush_timer = 0;
		return SR_TIMER_STOP;
	}
	return due;
}

/*
 * The driver's hooks.  A store error is counted and shown, never fatal;
 * the event stays in the live view and the source goes on.
 */
static void
app_drv_event(void *ctx, const struct sr_event *ev)
{
	struct sr_app *app = ctx;

	sr_engine_event(app->engine, ev);
	if (ev->ts_ms > app->newest_event_ms)
		app->newest_event_ms = ev->ts_ms;
}

/*
 * A sample from a source (another sitrep's KPIs, "host.<HOST>.<kpi>"):
 * to the engine's series (snapshot.metrics); the driver stores it.
 */
static void
app_drv_sample(void *ctx, const char *name, int64_t ts_ms, double value)
{
	struct sr_app *app = ctx;

	sr_metric_set_clear(app->remote);
	sr_metric_set_add(app->remote, name, "", value);
	sr_engine_samples(app->engine, app->remote, ts_ms);
}

/*
 * A store write failed under the driver: the store counted it and holds
 * the batch (sr_store_hold()); app_store_watch() reports the state.
 */
static void
app_drv_store_error(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

/*
 * Read every source that had an fd ready or whose timeout passed, each
 * at most SR_SOURCE_READ_MAX events (so a flood cannot starve the keys);
 * the driver orders the commits (runtime/driver.h).
 */
static void
app_sources_read(struct sr_app *app)
{
	/* with a store_error hook the driver never fails */
	(void)sr_driver_read(app->drv, sr_now_ms(), NULL);
	app_arm_flush(app);
	app_store_watch(app);
}

/*
 * Open one source and resume it from its stored cursor.  A cursor it
 * cannot use is reported and ignored.  Returns 0, or -1 for a bad spec.
 */
static int
app_add_source(struct sr_app *app, const char *spec, struct sr_err *err)
{
	struct sr_err cerr;
	int rc = sr_driver_add(app->drv, spec, &cerr);

	if (rc == -1) {
		if (err != NULL)
			*err = cerr;
		return -1;
	}
	if (rc != SR_DRIVER_ADDED) {
		char *shown =
		    sr_redact(strcmp(spec, "-") == 0 ? "stdin" : spec);

		fprintf(stderr, "sitrep %s: source '%s': %s\n", app->cmd, shown,
		    cerr.msg);
		free(shown);
	}
	return 0;
}

/* The loop was woken: fold what other threads posted. */
static void
app_on_wake(struct sr_loop *l, void *ctx)
{
	struct sr_app *app = ctx;
	struct sr_event *ev;
	struct app_post *post;
	size_t n, npost, i = 0;

	(void)l;
	pthread_mutex_lock(&app->q.mu);
	ev = app->q.ev;
	n = app->q.n;
	post = app->q.post;
	npost = app->q.npost;
	app->q.ev = NULL;
	app->q.n = app->q.cap = 0;
	app->q.post = NULL;
	app->q.npost = app->q.postcap = 0;
	pthread_mutex_unlock(&app->q.mu);
	for (size_t p = 0; p < npost; p++) {
		/*
		 * Queued before the store failed: not stored at all, and
		 * answered "not committed" (the client retries).
		 */
		int refuse = sr_store_state(app->store) != SR_STORE_OK;
		int dropped = 0;

		for (size_t k = 0; k < post[p].n; k++, i++) {
			if (!refuse) {
				dropped |= app_fold(app, &ev[i]);
				app->src_http.events++;
				app->src_http.used = 1;
			}
			sr_event_release(&ev[i]);
		}
		if (refuse || dropped) {
			app_resolve(app, post[p].ticket, 0);
			continue;
		}
		if (app->nwait == app->waitcap) {
			app->waitcap = app->waitcap ? app->waitcap * 2 : 64;
			app->wait = sr_xrealloc(app->wait,
			    app->waitcap * sizeof(*app->wait));
		}
		app->wait[app->nwait++] = (struct app_wait){ post[p].ticket,
			sr_store_committed(app->store) +
			    sr_store_pending(app->store) };
	}
	free(ev);
	free(post);
	if (n > 0)
		app_arm_flush(app);
}

int
sr_app_post_events(struct sr_app *app, const struct sr_event *evs, size_t n,
    uint64_t *ticket, struct sr_err *err)
{
	pthread_mutex_lock(&app->q.mu);
	if (app->q.refuse) {
		sr_err_set(err, "%s", app->q.why);
		pthread_mutex_unlock(&app->q.mu);
		return -1;
	}
	if (app->q.n + n > SR_APP_QUEUE_MAX) {
		pthread_mutex_unlock(&app->q.mu);
		return sr_err_set(err, "event queue full (%d events waiting)",
		    SR_APP_QUEUE_MAX);
	}
	if (app->q.n + n > app->q.cap) {
		size_t cap = app->q.cap ? app->q.cap : 256;

		while (cap < app->q.n + n)
			cap *= 2;
		app->q.ev = sr_xrealloc(app->q.ev, cap * sizeof(*app->q.ev));
		app->q.cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		sr_event_copy(&app->q.ev[app->q.n++], &evs[i]);
	}
	if (app->q.npost == app->q.postcap) {
		app->q.postcap = app->q.postcap ? app->q.postcap * 2 : 64;
		app->q.post = sr_xrealloc(app->q.post,
		    app->q.postcap * sizeof(*app->q.post));
	}
	app->q.post[app->q.npost++] =
	    (struct app_post){ .ticket = ++app->q.ticket, .n = n };
	if (ticket != NULL)
		*ticket = app->q.ticket;
	pthread_mutex_unlock(&app->q.mu);
	sr_loop_wake(app->loop);
	return 0;
}

/* Resident set size of this process, from /proc/self/statm (0: unknown). */
static uint64_t
app_self_rss(void)
{
	unsigned long size, resident;
	FILE *f;
	int ok;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return 0;
	ok = fscanf(f, "%lu %lu", &size, &resident) == 2;
	(void)fclose(f); /* read-only: nothing to lose */
	return ok ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

/* Fill one snapshot source from an app source; counts go into cnt. */
static void
app_snap_source(const struct app_source *s, struct sr_snap_source *out,
    struct sr_snap_count *cnt)
{
	size_t k = 0;

	for (int r = 0; r < SR_REJ__COUNT; r++)
		if (s->by_reason[r] > 0)
			cnt[k++] =
			    (struct sr_snap_count){ .name = sr_reject_name(
							(enum sr_reject)r),
				    .count = s->by_reason[r] };
	*out = (struct sr_snap_source){
		.name = s->name,
		.kind = s->kind,
		.state = s->state,
		.last_error = s->error[0] ? s->error : NULL,
		.events = s->events,
		.rejected = s->rejected,
		.rejected_by_reason = k > 0 ? cnt : NULL,
		.n_rejected_by_reason = k,
	};
}

/* The store's health and counts to the engine (snapshot.store). */
static void
app_report_store(struct sr_app *app)
{
	const struct sr_store_status *ss = &app->store_st;
	struct sr_snap_store out = {
		.state = (int)ss->state,
		.error = ss->state != SR_STORE_OK ? ss->error : NULL,
		.errors = ss->errors,
		.committed = sr_store_committed(app->store),
		.held = ss->held,
		.rows_dropped = ss->dropped_rows,
	};

	out.dropped[SR_DROP_QUEUE_FULL] = ss->dropped_events;
	sr_engine_store(app->engine, &out);
}

/* Every source's status (and posted events, once any came) to the engine. */
static void
app_report_sources(struct sr_app *app)
{
	size_t n = 0, nd = sr_driver_count(app->drv), max = nd + 1;
	struct sr_snap_count(*cnt)[SR_REJ__COUNT] =
	    sr_xcalloc(max, sizeof(*cnt));
	struct sr_driver_input *st = sr_xcalloc(max, sizeof(*st));
	struct sr_snap_source *src = sr_xcalloc(max, sizeof(*src));

	for (size_t i = 0; i < nd; i++, n++) {
		struct app_source a;

		sr_driver_input(app->drv, i, &st[i]);
		a = (struct app_source){ .name = st[i].name,
			.kind = st[i].kind,
			.state = st[i].state,
			.events = st[i].n.accepted,
			.rejected = st[i].n.rejected };
		memcpy(a.by_reason, st[i].n.rejected_by, sizeof(a.by_reason));
		app_snap_source(&a, &src[n], cnt[n]);
		/* a's strings are copied by sr_engine_sources below, but
		 * last_error points into a: point it at st instead */
		src[n].last_error =
		    st[i].last_error[0] ? st[i].last_error : NULL;
		src[n].notice = st[i].notice[0] ? st[i].notice : NULL;
		src[n].next_attempt_ms = st[i].next_attempt_ms;
		src[n].series = st[i].series;
		src[n].series_max = st[i].series_max;
		src[n].series_dropped = st[i].series_dropped;
	}
	if (app->src_http.used)
		app_snap_source(&app->src_http, &src[n], cnt[n]), n++;
	sr_engine_sources(app->engine, src, n);
	free(src);
	free(st);
	free(cnt);
}

/* Keep one system sample for app_sysbuf_store(). */
static void
app_sysbuf_add(struct app_sysbuf *b, const char *name, double value,
    int64_t ts_ms)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->name = sr_xrealloc(b->name, b->cap * sizeof(*b->name));
		b->value = sr_xrealloc(b->value, b->cap * sizeof(*b->value));
		b->ts = sr_xrealloc(b->ts, b->cap * sizeof(*b->ts));
	}
	if (b->n == 0)
		b->since_ms = sr_mono_ms();
	b->name[b->n] = sr_xstrdup(name);
	b->value[b->n] = value;
	b->ts[b->n++] = ts_ms;
}

/*
 * Store the kept system samples, one multi-row INSERT per tick (far
 * cheaper than single ones); a failure is the store's state
 * (app_store_watch()).
 */
static void
app_sysbuf_store(struct sr_app *app)
{
	struct app_sysbuf *b = &app->sysbuf;
	struct sr_err err;

	for (size_t i = 0, j; i < b->n; i = j) {
		for (j = i + 1; j < b->n && b->ts[j] == b->ts[i]; j++)
			;
		(void)sr_store_add_samples(app->store,
		    (const char *const *)(b->name + i), b->value + i, j - i,
		    b->ts[i], &err);
	}
	for (size_t i = 0; i < b->n; i++)
		free(b->name[i]);
	b->n = 0;
}

static void
app_sample_system(struct sr_app *app, int64_t now_ms)
{
	struct sr_snap_proc cpu[SR_TOP_N], mem[SR_TOP_N];
	struct sr_toplist top;
	struct sr_err err;
	size_t n;

	if (app->sys == NULL)
		return;
	sr_metric_set_clear(app->metrics);
	if (sr_sys_sample(app->sys, sr_mono_us(), app->metrics, &err) == -1)
		return;
	sr_engine_samples(app->engine, app->metrics, now_ms);
	n = sr_metric_set_count(app->metrics);
	for (size_t i = 0; i < n; i++) {
		const struct sr_metric *m = sr_metric_set_at(app->metrics, i);

		app_sysbuf_add(&app->sysbuf, m->name, m->value, now_ms);
	}
	if (app->sysbuf.n > 0 &&
	    sr_mono_ms() - app->sysbuf.since_ms >= app->sysbuf.keep_ms)
		app_sysbuf_store(app);
	sr_sys_toplist(app->sys, &top);
	for (int i = 0; i < top.n_cpu; i++)
		cpu[i] = (struct sr_snap_proc){ .pid = top.cpu[i].pid,
			.name = top.cpu[i].comm,
			.user = top.cpu[i].user,
			.cmdline = top.cpu[i].cmdline,
			.cpu_pct = top.cpu[i].cpu_pct,
			.rss_bytes = top.cpu[i].rss_bytes };
	for (int i = 0; i < top.n_mem; i++)
		mem[i] = (struct sr_snap_proc){ .pid = top.mem[i].pid,
			.name = top.mem[i].comm,
			.user = top.mem[i].user,
			.cmdline = top.mem[i].cmdline,
			.cpu_pct = top.mem[i].cpu_pct,
			.rss_bytes = top.mem[i].rss_bytes };
	sr_engine_procs(app->engine, cpu, (size_t)top.n_cpu, mem,
	    (size_t)top.n_mem);
}

/*
 * Store every KPI tile value as a sample "kpi.<id>", so long chart
 * windows (1 h, 24 h) of any tile come from the store's rollups.
 */
static void
app_store_kpis(struct sr_app *app, const struct sr_snapshot *snap)
{
	char name[SR_KPI_COUNT][64];
	const char *names[SR_KPI_COUNT];
	double values[SR_KPI_COUNT];
	size_t n = 0;

	for (int i = 0; i < SR_KPI_COUNT; i++) {
		const struct sr_snap_kpi *k = &snap->kpi[i];

		if (k->id == NULL || isnan(k->value))
			continue;
		snprintf(name[n], sizeof(name[n]), "kpi.%s", k->id);
		names[n] = name[n];
		values[n++] = k->value;
	}
	/* a failure is the store's state (app_store_watch()) */
	if (n > 0)
		(void)sr_store_add_samples(app->store, names, values, n,
		    snap->now_ms, NULL);
}

/*
 * Retention: prune at the first tick, then every tick while the last
 * prune found rows to delete (a backlog drains SR_APP_PRUNE_ROWS per
 * table a tick), else once every APP_PRUNE_IDLE_TICKS ticks: a prune
 * that finds nothing still costs a query per table, a sizeable part of
 * an idle tick, and retention is counted in hours and days.
 */
#define APP_PRUNE_IDLE_TICKS 60

static int
app_prune(struct sr_app *app, struct sr_err *err)
{
	int64_t n;

	if (app->ticks != 0 && !app->prune_backlog &&
	    app->ticks - app->pruned_tick < APP_PRUNE_IDLE_TICKS)
		return 0;
	n = sr_store_prune(app->store, sr_now_ms(), &app->cfg.retention,
	    SR_APP_PRUNE_ROWS, err);
	app->pruned_tick = app->ticks;
	app->prune_backlog = n > 0;
	return n == -1 ? -1 : 0;
}

/* How long a stop waits for the OTLP export to send what waits. */
#define APP_OTLP_DRAIN_MS 3000

/* One tick, in the order app.h gives. */
static void
app_tick(struct sr_app *app)
{
	struct sr_snapshot *snap;
	struct sr_err err;
	int64_t now_ms = sr_now_ms();

	/* SQLite goes on writing to a deleted file: look every tick */
	(void)sr_store_check(app->store, NULL);
	app_store_watch(app);
	app_sample_system(app, now_ms);
	app_report_sources(app);
	app_report_store(app);
	if (app->otlp != NULL) {
		struct sr_snap_otlp st;

		sr_otlp_export_status(app->otlp, &st);
		sr_engine_otlp(app->engine, &st);
	}
	sr_engine_self_rss(app->engine, app_self_rss());
	if (app->replay_clock && app->newest_event_ms > 0)
		now_ms = app->newest_event_ms;
	sr_engine_tick(app->engine, now_ms, app->store);
	snap = sr_engine_snapshot(app->engine);
	app_store_kpis(app, snap);
	if (app->otlp != NULL)
		sr_otlp_export_snapshot(app->otlp, snap);
	/* a failure is the store's state: app_store_watch() shows it */
	if (sr_store_flush(app->store, &err) == 0)
		(void)app_prune(app, &err);
	app_store_watch(app);
	app->ticks++;
	if (app->publish_fn != NULL)
		app->publish_fn(app->publish_ctx, snap);
	sr_snapshot_unref(snap);
	if (app->max_ticks > 0 && app->ticks >= (uint64_t)app->max_ticks)
		app->stop = 1;
}

static int64_t
app_tick_timer(struct sr_loop *l, int64_t id, void *ctx)
{
	struct sr_app *app = ctx;
	int64_t now;

	(void)id;
	app_tick(app);
	if (app->stop) {
		sr_loop_stop(l);
		return SR_TIMER_STOP;
	}
	/* keep the cadence; after a stall, restart it from now */
	now = sr_mono_ms();
	app->next_tick_ms += app->interval_ms;
	if (app->next_tick_ms < now)
		app->next_tick_ms = now + app->interval_ms;
	return app->next_tick_ms - now;
}

struct sr_app *
sr_app_new(const struct sr_app_opts *o, struct sr_err *err)
{
	struct sr_app *app = sr_xcalloc(1, sizeof(*app));
	int want_stdin = 0;
	unsigned flags;

	app->cmd = sr_xstrdup(o->cmd ? o->cmd : "tui");
	app->max_ticks = o->max_ticks;
	app->replay_clock = o->replay_clock;
	app->sysbuf.keep_ms = o->sys_store_ms;
	pthread_mutex_init(&app->q.mu, NULL);
	app->src_http = (struct app_source){ .name = "http",
		.kind = "http",
		.state = SR_SRC_OK };

	app->cfg_loaded = 1;
	if (sr_config_load(&app->cfg, o->config_path, err) == -1)
		goto fail;
	if (o->otlp_export != NULL &&
	    sr_config_set(&app->cfg, "otlp", "export_url", o->otlp_export,
		"flag:--otlp-export", err) == -1)
		goto fail;
	for (int i = 0; i < o->nsources; i++)
		if (sr_source_spec_check(o->sources[i], err) == -1)
			goto fail;
	for (size_t i = 0; i < app->cfg.n_sources; i++)
		if (sr_source_spec_check(app->cfg.sources[i].spec, err) == -1) {
			sr_err_set(err, "config [source %s]: bad spec: %s",
			    app->cfg.sources[i].name, err->msg);
			goto fail;
		}
	/* stdin by default when it is a pipe and no --source was given */
	if (o->stdin_mode == SR_APP_STDIN_ON ||
	    (o->stdin_mode == SR_APP_STDIN_AUTO && o->nsources == 0 &&
		!isatty(0)))
		want_stdin = 1;

	app->interval_ms = o->interval_ms > 0  ? o->interval_ms
	    : app->cfg.general.interval_ms > 0 ? app->cfg.general.interval_ms
					       : SR_APP_INTERVAL_MS;
	if (o->db_path != NULL)
		app->db_path = sr_xstrdup(o->db_path);
	else if (app->cfg.general.db != NULL)
		app->db_path = sr_xstrdup(app->cfg.general.db);
	else
		app->db_path = sr_store_default_path();
	flags = o->store_flags | SR_STORE_LAZY_ROLLUPS;
	if (app->cfg.general.durable)
		flags |= SR_STORE_DURABLE;
	if ((app->store = sr_store_open(app->db_path, flags, err)) == NULL)
		goto fail;
	sr_store_set_limits(app->store, &app->cfg.limits);
	sr_store_set_flush_ms(app->store, SR_APP_COMMIT_MS);
	/* nothing added is lost to a failed commit (core/store.h) */
	sr_store_hold(app->store,
	    app->cfg.store_queue_max > 0 ? (size_t)app->cfg.store_queue_max
					 : SR_STORE_QUEUE_MAX);
	/* bounded: the page cache is most of what grows with the file */
	sr_store_cache(app->store,
	    app->cfg.store_cache_kib > 0 && app->cfg.store_cache_kib < (1 << 30)
		? (int)app->cfg.store_cache_kib
		: 0);
	app->engine = sr_engine_new(&app->cfg);
	if (sr_engine_restore(app->engine, app->store, err) == -1 ||
	    sr_engine_backfill(app->engine, app->store, sr_now_ms(), err) == -1)
		goto fail;
	if (sr_actions_attach(app->engine, &app->cfg, err) == -1)
		goto fail;
	if ((app->loop = sr_loop_new(err)) == NULL)
		goto fail;
	sr_loop_on_wake(app->loop, app_on_wake, app);
	if (app->cfg.otlp.export_url != NULL) {
		char host[256] = "";

		/* no name: host.name is left out of the resource */
		(void)gethostname(host, sizeof(host) - 1);
		if ((app->otlp = sr_otlp_export_new(&app->cfg.otlp, app->loop,
			 app->store, host, err)) == NULL)
			goto fail;
	}
	if (!o->no_system) {
		struct sr_err serr;

		/* no /proc (a container, a test): run without system data */
		if ((app->sys = sr_sys_open(NULL, NULL, &serr)) != NULL) {
			app->metrics = sr_metric_set_new();
			/* every 5 s until a front end shows the list */
			sr_sys_want_procs(app->sys, 0);
		}
	}
	{
		struct sr_driver_hooks h = { .ctx = app,
			.event = app_drv_event,
			.sample = app_drv_sample,
			.store_error = app_drv_store_error,
			.prom_series = app->cfg.limits.prom_series > 0
			    ? (size_t)app->cfg.limits.prom_series
			    : 0 };

		if ((app->drv = sr_driver_new(app->store, app->loop, &h,
			 err)) == NULL)
			goto fail;
	}
	app->remote = sr_metric_set_new();
	if (want_stdin &&
	    app_add_source(app, o->stdin_spec ? o->stdin_spec : "stdin", err) ==
		-1)
		goto fail;
	for (int i = 0; i < o->nsources; i++)
		if (o->stdin_mode == SR_APP_STDIN_OFF &&
		    (strcmp(o->sources[i], "stdin") == 0 ||
			strcmp(o->sources[i], "-") == 0))
			continue;
		else if (app_add_source(app,
			     o->stdin_spec != NULL &&
				     (strcmp(o->sources[i], "stdin") == 0 ||
					 strcmp(o->sources[i], "-") == 0)
				 ? o->stdin_spec
				 : o->sources[i],
			     err) == -1)
			goto fail;
	for (size_t i = 0; i < app->cfg.n_sources; i++)
		if (app_add_source(app, app->cfg.sources[i].spec, err) == -1)
			goto fail;
	return app;
fail:
	sr_app_free(app);
	return NULL;
}

void
sr_app_free(struct sr_app *app)
{
	if (app == NULL)
		return;
	sr_driver_free(app->drv);	/* before the loop: it unwatches fds */
	sr_otlp_export_free(app->otlp); /* the same */
	app->otlp = NULL; /* app_on_wake() below may watch the store */
	if (app->loop != NULL) {
		app_on_wake(app->loop, app); /* fold what was posted */
		sr_loop_free(app->loop);
	}
	sr_engine_free(app->engine);
	if (app->store != NULL) {
		struct sr_store_status ss;
		struct sr_err e;

		app_sysbuf_store(app);

		/* one last try for what is held, then say what is lost */
		(void)sr_store_flush_now(app->store, &e);
		sr_store_status(app->store, &ss);
		if (ss.held > 0)
			fprintf(stderr,
			    "sitrep %s: %" PRIu64 " events held for database "
			    "'%s' were not stored: %s\n",
			    app->cmd, ss.held, app->db_path, ss.error);
	}
	sr_store_close(app->store); /* commits the open batch */
	free(app->sysbuf.name);
	free(app->sysbuf.value);
	free(app->sysbuf.ts);
	sr_metric_set_free(app->metrics);
	sr_metric_set_free(app->remote);
	sr_sys_close(app->sys);
	if (app->cfg_loaded)
		sr_config_release(&app->cfg);
	pthread_mutex_destroy(&app->q.mu);
	for (size_t i = 0; i < app->q.n; i++)
		sr_event_release(&app->q.ev[i]); /* posted, never folded */
	free(app->q.ev);
	free(app->q.post);
	free(app->wait);
	free(app->db_path);
	free(app->cmd);
	free(app);
}

void
sr_app_on_publish(struct sr_app *app, sr_app_publish_fn *fn, void *ctx)
{
	app->publish_fn = fn;
	app->publish_ctx = ctx;
}

void
sr_app_on_idle(struct sr_app *app, sr_app_idle_fn *fn, void *ctx)
{
	app->idle_fn = fn;
	app->idle_ctx = ctx;
}

struct sr_loop *
sr_app_loop(struct sr_app *app)
{
	return app->loop;
}

int
sr_app_run(struct sr_app *app, struct sr_err *err)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa, old_int, old_term, old_pipe;
	int64_t tick;
	int rc = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	app_signalled = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	if (sr_loop_block_signals(app->loop, sigs, 2, err) == -1)
		return -1;
	app->stop = 0;
	app->next_tick_ms = sr_mono_ms();
	tick = sr_loop_add_timer(app->loop, 0, app_tick_timer, app);
	while (!app->stop && !app_signalled) {
		int wait = sr_driver_arm(app->drv);

		if (sr_loop_run_once(app->loop, wait, err) == -1) {
			rc = -1;
			break;
		}
		app_sources_read(app);
		/*
		 * Posts wait for their commit (their clients hold a
		 * request open): commit now rather than at the batch's
		 * SR_APP_COMMIT_MS, once per wake-up, so posts that came together
		 * share one commit.
		 */
		if (app->nwait > 0 &&
		    sr_store_state(app->store) == SR_STORE_OK) {
			(void)sr_store_flush(app->store, NULL);
			app_store_watch(app);
		}
		if (sr_loop_stopped(app->loop))
			app->stop = 1;
		if (app->idle_fn != NULL)
			app->idle_fn(app->idle_ctx);
	}
	sr_loop_del_timer(app->loop, tick);
	app_on_wake(app->loop, app);
	/*
	 * One last commit, forced past the retry backoff (the store keeps
	 * what fails: sr_app_free() tries again and says what is lost);
	 * then every post still waiting is answered.
	 */
	if (sr_store_flush_now(app->store, rc == 0 ? err : NULL) == -1)
		rc = -1;
	app_store_watch(app);
	for (size_t i = 0; i < app->nwait; i++)
		app_resolve(app, app->wait[i].ticket, 0);
	app->nwait = 0;
	/*
	 * A few seconds for what waits to reach the collector; posts that
	 * come meanwhile are folded by sr_app_free(), not exported.
	 */
	if (app->otlp != NULL && sr_otlp_export_pending(app->otlp) > 0) {
		size_t left;

		sr_loop_on_wake(app->loop, NULL, NULL);
		left = sr_otlp_export_drain(app->otlp, APP_OTLP_DRAIN_MS);
		if (left > 0)
			app_log(app, "otlp export: %zu items not sent at stop",
			    left);
		sr_loop_on_wake(app->loop, app_on_wake, app);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}

void
sr_app_stop(struct sr_app *app)
{
	app->stop = 1;
	sr_loop_stop(app->loop);
}

int
sr_app_signalled(const struct sr_app *app)
{
	(void)app;
	return app_signalled;
}

void
sr_app_want_procs(struct sr_app *app, int every_tick)
{
	if (app->sys != NULL)
		sr_sys_want_procs(app->sys, every_tick);
}

struct sr_snapshot *
sr_app_snapshot_ref(struct sr_app *app)
{
	return sr_engine_snapshot(app->engine);
}

struct sr_store *
sr_app_store(struct sr_app *app)
{
	return app->store;
}

struct sr_engine *
sr_app_engine(struct sr_app *app)
{
	return app->engine;
}

const struct sr_config *
sr_app_config(const struct sr_app *app)
{
	return &app->cfg;
}

const char *
sr_app_db_path(const struct sr_app *app)
{
	return app->db_path;
}

int64_t
sr_app_interval_ms(const struct sr_app *app)
{
	return app->interval_ms;
}

uint64_t
sr_app_ticks(const struct sr_app *app)
{
	return app->ticks;
}

int64_t
sr_app_newest_event_ms(const struct sr_app *app)
{
	return app->newest_event_ms;
}

void
sr_app_set_replay_clock(struct sr_app *app, int on)
{
	app->replay_clock = on;
}

int
sr_app_replay_clock(const struct sr_app *app)
{
	return app->replay_clock;
}

const char *
sr_app_store_error(const struct sr_app *app, uint64_t *count)
{
	if (count != NULL)
		*count = app->store_st.errors;
	return app->store_st.errors > 0 ? app->store_error : NULL;
}

void
sr_app_on_commit(struct sr_app *app, sr_app_commit_fn *fn, void *ctx)
{
	app->commit_fn = fn;
	app->commit_ctx = ctx;
}

void
sr_app_on_log(struct sr_app *app, sr_app_log_fn *fn, void *ctx)
{
	app->log_fn = fn;
	app->log_ctx = ctx;
}

struct sr_store *
sr_app_open_history(const struct sr_app *app, struct sr_err *err)
{
	struct sr_store *st;
	int kib =
	    app->cfg.store_cache_kib > 0 && app->cfg.store_cache_kib < (1 << 30)
	    ? (int)app->cfg.store_cache_kib
	    : SR_STORE_CACHE_KIB;

	if (strcmp(app->db_path, ":memory:") == 0) {
		sr_err_set(err, "history is not available for ':memory:'");
		return NULL;
	}
	st = sr_store_open(app->db_path, SR_STORE_READONLY, err);
	/*
	 * This reader's queries (backfill, drill-down, the log's older
	 * pages) touch the rollups and a few event pages: a quarter of the
	 * writer's cache, so that both stay within 1.25 x [store] cache_kib.
	 */
	if (st != NULL)
		sr_store_cache(st, kib / 4 > 64 ? kib / 4 : 64);
	return st;
}
