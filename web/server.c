/* SPDX-License-Identifier: MIT */
/*
 * server: the HTTP server (libmicrohttpd) behind `sitrep serve`: setup,
 * TLS, limits, auth, dispatch over the route table and the SSE stream.
 * The routes themselves are rows of sr_web_routes[] (web/route.c) with
 * their handlers in web/route_*.c; this file has no route of its own but
 * the SSE stream, whose suspend and resume belong to the server.
 *
 * Layout: one MHD daemon per listen address (internal polling thread plus
 * a thread pool, suspend/resume allowed).  The main loop publishes one
 * frame per tick; publish lets each row build its shared MHD responses
 * for the per-tick bodies once, swaps them in under w->lock and resumes
 * every SSE stream waiting for the tick.  Request threads queue those
 * shared responses (MHD counts their references), take a frame reference
 * for the routes that filter events, and open their own read-only store
 * handle for history routes.
 *
 * Lock order: w->lock and w->ip_lock are leaves; MHD calls are made with
 * neither held, except MHD_queue_response() under w->lock, which takes
 * only the response's own mutex.
 */
#include "web/server.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "web/dl_mhd.h"
#include "web/guard.h"
#include "web/route.h"

#define WEB_MAX_ADDRS 16
#define WEB_SSE_BLOCK (16 * 1024)
/*
 * Idle timeout while a connection waits for a request's headers (its
 * first request, or the next one on a kept-alive connection): a peer
 * that sends part of a request, or garbage without a line end, and goes
 * quiet or half-closes frees its slot after this.  The configured
 * timeout applies from the headers to the end of the answer.
 */
#define WEB_HEADER_TIMEOUT_S 5
/* libmicrohttpd log lines kept in 10 s (web_mhd_log) */
#define WEB_MHD_LOG_BURST 20

/* Per-address connection counts, for the per-IP limit (429). */
struct web_ip {
	char addr[INET6_ADDRSTRLEN];
	unsigned n;
};

/* One open connection (its MHD socket context), in w->conns. */
struct web_conn {
	struct web_conn *prev, *next;
	size_t ip;	/* its slot in w->ips */
	int fd;		/* its socket, or -1 */
	uint64_t since; /* w->conn_seq when it last changed state */
	int busy;	/* a request is in progress */
	int sse;	/* ...and it is an SSE stream */
	int evicted;	/* shut down to make room; MHD closes it */
};

/* The responses built once per publish and shared by every request. */
struct web_pub {
	struct sr_web_frame *frame;
	/* row i's variant v at [i * SR_WEB_VARIANTS + v]; NULL = none */
	struct MHD_Response **resp;
};

struct web_sse;
struct web_later;

struct sr_web {
	struct sr_web_cfg cfg; /* strings point at the copies below */
	char *token;
	char *cors;
	char *db_path;
	struct sr_web_guard *guard; /* Host names answered */
	struct MHD_Daemon *daemons[WEB_MAX_ADDRS];
	unsigned ports[WEB_MAX_ADDRS];
	size_t n_daemons;
	/* daemons[n_main..] listen on otlp_listen: only SR_WEB_OTLP_PORT
	 * rows there.  Each daemon's request handler gets its own entry of
	 * handler_cls (with thread pools a connection's daemon is a worker,
	 * so the daemon cannot tell). */
	size_t n_main;
	struct web_listener {
		struct sr_web *w;
		int otlp_only;
	} handler_cls[WEB_MAX_ADDRS];
	int64_t started_ms;
	size_t n_routes; /* rows in sr_web_routes */
	void **state;	 /* row i's open hook result */

	pthread_mutex_t lock; /* pub, waiting, stopping, stats, mhd_log_* */
	struct web_pub pub;
	struct web_sse *waiting; /* SSE streams suspended */
	struct web_later *later; /* posts suspended until their commit */
	int stopping;
	struct sr_web_stats stats;
	int64_t mhd_log_ms; /* web_mhd_log's window start (monotonic) */
	int mhd_log_n;
	uint64_t mhd_log_dropped;

	pthread_mutex_t ip_lock; /* ips, conns and their counts */
	struct web_ip *ips;
	size_t n_ips;
	struct web_conn *conns; /* every open connection, newest first */
	size_t n_conns, n_evicted;
	uint64_t conn_seq;
	uint64_t n_evictions;  /* connections closed to make room */
	int64_t evict_log_ms;  /* when that was last logged (monotonic) */
	uint64_t evict_logged; /* n_evictions then */
};

/*
 * A POST waiting for the commit of its events (sr_web_post_later()): in
 * w->later until sr_web_post_done() takes it off, marks it resolved and
 * resumes the connection; the handler's next call answers it.
 */
struct web_later {
	struct web_later *next;
	struct MHD_Connection *c;
	uint64_t ticket;
	sr_web_later_fn *done;
	void (*free_ctx)(void *ctx);
	void *ctx;
	int listed;    /* in w->later */
	int resolved;  /* taken off with an outcome */
	int committed; /* the outcome */
};

/* One request's state, from the first call of the handler to completion. */
struct web_req {
	const struct sr_web_route *route; /* NULL: no such path */
	int method_ok;			  /* route takes the method */
	size_t route_index;		  /* route's place in sr_web_routes[] */
	size_t max_body;
	struct sr_buf body;
	int too_large;
	int answered;
	struct web_later *later; /* a post waiting for its commit */
};

/* One SSE stream. */
struct web_sse {
	struct sr_web *w;
	struct MHD_Connection *c;
	struct web_sse *next; /* in w->waiting */
	int waiting;
	uint64_t last_tick;
	uint64_t last_seq;
	int seq_known;		   /* last_seq came from the client */
	struct sr_web_frame *seen; /* last frame sent */
	struct sr_buf out;
	size_t off;
};

void
sr_web_log(const struct sr_web *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)w;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sitrep serve: %s\n", line);
}

void
sr_web_headers(const struct sr_web *w, struct MHD_Response *r, const char *type)
{
	if (type != NULL)
		(void)MHD_add_response_header(r, "Content-Type", type);
	(void)MHD_add_response_header(r, "Cache-Control", "no-store");
	(void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (w->cors != NULL) {
		(void)MHD_add_response_header(r, "Access-Control-Allow-Origin",
		    w->cors);
		(void)MHD_add_response_header(r, "Vary", "Origin");
	}
}

struct MHD_Response *
sr_web_text(const struct sr_web *w, const char *text, size_t len,
    const char *type)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)text,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		SR_BUG("cannot create a response");
	sr_web_headers(w, r, type);
	return r;
}

/* Queue r and drop our reference to it. */
static enum MHD_Result
web_queue(struct sr_web *w, struct MHD_Connection *c, unsigned status,
    struct MHD_Response *r)
{
	enum MHD_Result ret = MHD_queue_response(c, status, r);

	MHD_destroy_response(r);
	pthread_mutex_lock(&w->lock);
	w->stats.requests++;
	if (status >= 400)
		w->stats.errors++;
	pthread_mutex_unlock(&w->lock);
	return ret;
}

enum MHD_Result
sr_web_reply(const struct sr_web_req *rq, unsigned status,
    struct MHD_Response *r)
{
	return web_queue(rq->w, rq->c, status, r);
}

enum MHD_Result
sr_web_json(const struct sr_web_req *rq, unsigned status,
    const struct sr_buf *b)
{
	return web_queue(rq->w, rq->c, status,
	    sr_web_text(rq->w, b->data, b->len, "application/json"));
}

/* The address sa as text, or "?". */
static void
web_addr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
	snprintf(out, outlen, "?");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		(void)inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    out, (socklen_t)outlen);
	else if (sa->sa_family == AF_INET6)
		(void)inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    out, (socklen_t)outlen);
}

/* The client address of c as text, or "?". */
static void
web_peer(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	web_addr_text(ci != NULL ? ci->client_addr : NULL, out, outlen);
}

static void
web_allow(const struct sr_web *w, const char *url, char *out, size_t len);

/* Answer {"error": msg, "status": N}, logging one line. */
static enum MHD_Result
web_error(struct sr_web *w, struct MHD_Connection *c, unsigned status,
    const char *method, const char *url, const char *msg)
{
	struct sr_buf b;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char peer[INET6_ADDRSTRLEN];

	if (!w->cfg.quiet) {
		web_peer(c, peer, sizeof(peer));
		sr_web_log(w, "%u %s %.200s from %s: %s", status,
		    method ? method : "?", url ? url : "?", peer, msg);
	}
	sr_buf_init(&b);
	sr_buf_adds(&b, "{\"error\":");
	sr_buf_add_json_str(&b, msg);
	sr_buf_addf(&b, ",\"status\":%u}", status);
	r = sr_web_text(w, b.data, b.len, "application/json");
	sr_buf_release(&b);
	if (status == 401)
		(void)MHD_add_response_header(r, "WWW-Authenticate",
		    "Bearer realm=\"sitrep\"");
	if (status == 405) {
		char allow[64];

		web_allow(w, url, allow, sizeof(allow));
		(void)MHD_add_response_header(r, "Allow", allow);
	}
	if (status == 429 || status == 413 || status == 431)
		(void)MHD_add_response_header(r, "Connection", "close");
	if (status == 503)
		(void)MHD_add_response_header(r, "Retry-After", "1");
	ret = web_queue(w, c, status, r);
	return ret;
}

enum MHD_Result
sr_web_error(const struct sr_web_req *rq, unsigned status, const char *msg)
{
	return web_error(rq->w, rq->c, status, rq->method, rq->url, msg);
}

/* ---------------------------------------------------------------------- */
/*
 * Connections (MHD_OPTION_NOTIFY_CONNECTION): counted per address for
 * the per-IP limit (429), and listed so that a new connection past
 * max_conns does not wait for a slot: the accept policy refuses it when
 * its own address holds the most, else it closes the oldest connection
 * that waits for a request (or streams SSE) of the address holding the
 * most (web_conn_evict).  A connection busy with an ordinary request is
 * never chosen.  The victim's socket is shut down
 * (MHD then sees its peer gone and closes it on its own thread); its
 * record stays until MHD reports it closed, which it does before it
 * closes the descriptor, so the shutdown under w->ip_lock never reaches
 * a reused one.
 */

/* Returns c's record (its socket context), or NULL. */
static struct web_conn *
web_conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* Mark c busy (a request is in progress) or waiting, and SSE or not. */
static void
web_conn_mark(struct sr_web *w, struct MHD_Connection *c, int busy, int sse)
{
	struct web_conn *k = web_conn_of(c);

	if (k == NULL)
		return;
	pthread_mutex_lock(&w->ip_lock);
	k->busy = busy;
	k->sse = sse;
	k->since = ++w->conn_seq;
	pthread_mutex_unlock(&w->ip_lock);
}

/* Addresses holding connections now; holds ip_lock. */
static size_t
web_ips_active(const struct sr_web *w)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n_ips; i++)
		n += w->ips[i].n > 0;
	return n;
}

/*
 * Close connections until at most max_conns stay; holds ip_lock.  The
 * victim comes from the address holding the most: the new connection
 * itself when its address already holds others, no address holds more
 * and other addresses hold some (refused at once, before it costs a
 * request), else the oldest idle or streaming one of that address (so
 * behind a proxy, one address, the oldest idle one goes).
 */
static void
web_conn_evict(struct sr_web *w, struct web_conn *fresh)
{
	while (w->n_conns - w->n_evicted > w->cfg.max_conns) {
		struct web_conn *best = NULL;
		unsigned fresh_n = fresh->evicted ? 0 : w->ips[fresh->ip].n;

		for (struct web_conn *k = w->conns; k != NULL; k = k->next) {
			if (k == fresh || k->evicted || (k->busy && !k->sse) ||
			    k->fd < 0)
				continue;
			if (best == NULL ||
			    w->ips[k->ip].n > w->ips[best->ip].n ||
			    (w->ips[k->ip].n == w->ips[best->ip].n &&
				k->since < best->since))
				best = k;
		}
		if (fresh_n >= 2 && fresh->fd >= 0 && web_ips_active(w) >= 2 &&
		    (best == NULL || fresh_n >= w->ips[best->ip].n))
			best = fresh;
		if (best == NULL)
			return; /* all busy: they end by themselves */
		best->evicted = 1;
		w->n_evicted++;
		w->n_evictions++;
		(void)shutdown(best->fd, SHUT_RDWR);
	}
}

/*
 * Evictions not logged yet when the last log line is a minute old (one
 * line a minute under a flood), else 0; holds ip_lock.
 */
static uint64_t
web_evict_news(struct sr_web *w)
{
	int64_t now = sr_mono_ms();
	uint64_t n = w->n_evictions - w->evict_logged;

	if (n == 0 || now - w->evict_log_ms < 60000)
		return 0;
	w->evict_log_ms = now;
	w->evict_logged = w->n_evictions;
	return n;
}

/*
 * The accept policy: with max_conns open, a new connection from an
 * address that already holds others, and at least as many as any other
 * address holding some, is refused before MHD sets it up (what
 * web_conn_evict() would choose, at the least cost: a flood that
 * reconnects at once costs an accept and a close).
 */
static enum MHD_Result
web_accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct sr_web *w = cls;
	char peer[INET6_ADDRSTRLEN];
	unsigned mine = 0, most = 0, active = 0;
	int refuse = 0;

	(void)addrlen;
	web_addr_text(addr, peer, sizeof(peer));
	pthread_mutex_lock(&w->ip_lock);
	if (w->n_conns - w->n_evicted >= w->cfg.max_conns) {
		for (size_t i = 0; i < w->n_ips; i++) {
			active += w->ips[i].n > 0;
			if (w->ips[i].n > most)
				most = w->ips[i].n;
			if (w->ips[i].n > 0 &&
			    strcmp(w->ips[i].addr, peer) == 0)
				mine = w->ips[i].n;
		}
		refuse = active >= 2 && mine >= 1 && mine + 1 >= most;
		if (refuse)
			w->n_evictions++;
	}
	pthread_mutex_unlock(&w->ip_lock);
	return refuse ? MHD_NO : MHD_YES;
}

/* The slot of w->ips counting peer (a free one taken); holds ip_lock. */
static size_t
web_ip_slot(struct sr_web *w, const char *peer)
{
	struct web_ip *slot = NULL;

	for (size_t i = 0; i < w->n_ips; i++) {
		if (w->ips[i].n > 0 && strcmp(w->ips[i].addr, peer) == 0)
			return i;
		if (w->ips[i].n == 0 && slot == NULL)
			slot = &w->ips[i];
	}
	if (slot == NULL) {
		w->ips = sr_xrealloc(w->ips, (w->n_ips + 1) * sizeof(*w->ips));
		slot = &w->ips[w->n_ips++];
		slot->n = 0;
	}
	snprintf(slot->addr, sizeof(slot->addr), "%s", peer);
	return (size_t)(slot - w->ips);
}

static void
web_notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct sr_web *w = cls;
	char peer[INET6_ADDRSTRLEN];
	struct web_conn *k;
	uint64_t evicted;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);

		web_peer(c, peer, sizeof(peer));
		k = sr_xcalloc(1, sizeof(*k));
		k->fd = ci != NULL ? ci->connect_fd : -1;
		pthread_mutex_lock(&w->ip_lock);
		/* an index, not a pointer: w->ips may move */
		k->ip = web_ip_slot(w, peer);
		w->ips[k->ip].n++;
		k->since = ++w->conn_seq;
		k->next = w->conns;
		if (w->conns != NULL)
			w->conns->prev = k;
		w->conns = k;
		w->n_conns++;
		web_conn_evict(w, k);
		evicted = web_evict_news(w);
		pthread_mutex_unlock(&w->ip_lock);
		*socket_context = k;
		if (evicted > 0)
			sr_web_log(w,
			    "%" PRIu64 " connections closed to make room "
			    "(max_conns %u)",
			    evicted, w->cfg.max_conns);
		if (w->cfg.timeout_s > WEB_HEADER_TIMEOUT_S)
			(void)MHD_set_connection_option(c,
			    MHD_CONNECTION_OPTION_TIMEOUT,
			    (unsigned)WEB_HEADER_TIMEOUT_S);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED &&
	    *socket_context != NULL) {
		k = *socket_context;
		pthread_mutex_lock(&w->ip_lock);
		if (w->ips[k->ip].n > 0)
			w->ips[k->ip].n--;
		if (k->prev != NULL)
			k->prev->next = k->next;
		else
			w->conns = k->next;
		if (k->next != NULL)
			k->next->prev = k->prev;
		w->n_conns--;
		if (k->evicted)
			w->n_evicted--;
		pthread_mutex_unlock(&w->ip_lock);
		free(k);
		*socket_context = NULL;
	}
}

/* Open connections from c's address, c included. */
static unsigned
web_conns_from(struct sr_web *w, struct MHD_Connection *c)
{
	struct web_conn *k = web_conn_of(c);
	unsigned n = 0;

	if (k == NULL)
		return 0;
	pthread_mutex_lock(&w->ip_lock);
	n = w->ips[k->ip].n;
	pthread_mutex_unlock(&w->ip_lock);
	return n;
}

/* ---------------------------------------------------------------------- */
/* Small helpers for the routes. */

/* Constant-time comparison of the bearer token. */
static int
web_token_ok(const struct sr_web *w, struct MHD_Connection *c)
{
	const char *h;
	size_t hl, tl;
	unsigned char diff;

	if (w->token == NULL)
		return 1;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	h += 7;
	while (*h == ' ')
		h++;
	hl = strlen(h);
	tl = strlen(w->token);
	diff = hl != tl;
	for (size_t i = 0; i < tl; i++)
		diff |= (unsigned char)(w->token[i] ^ (i < hl ? h[i] : 0));
	return diff == 0;
}

const char *
sr_web_arg(const struct sr_web_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->c, MHD_GET_ARGUMENT_KIND, name);
}

struct sr_web_frame *
sr_web_frame_current(struct sr_web *w)
{
	struct sr_web_frame *f = NULL;

	pthread_mutex_lock(&w->lock);
	if (w->pub.frame != NULL)
		f = sr_web_frame_ref(w->pub.frame);
	pthread_mutex_unlock(&w->lock);
	return f;
}

int64_t
sr_web_started_ms(const struct sr_web *w)
{
	return w->started_ms;
}

void
sr_web_count_posted(struct sr_web *w, uint64_t ok, uint64_t full)
{
	pthread_mutex_lock(&w->lock);
	w->stats.posted += ok;
	w->stats.queue_full += full;
	pthread_mutex_unlock(&w->lock);
}

int
sr_web_shared_try(const struct sr_web_req *rq, int variant,
    enum MHD_Result *ret)
{
	return sr_web_shared_try_status(rq, variant, 200, ret);
}

int
sr_web_shared_try_status(const struct sr_web_req *rq, int variant,
    unsigned status, enum MHD_Result *ret)
{
	struct sr_web *w = rq->w;
	size_t i = rq->route_index * SR_WEB_VARIANTS + (size_t)variant;

	assert(variant >= 0 && variant < SR_WEB_VARIANTS);
	pthread_mutex_lock(&w->lock);
	if (w->pub.resp == NULL || w->pub.resp[i] == NULL) {
		pthread_mutex_unlock(&w->lock);
		return 0;
	}
	*ret = MHD_queue_response(rq->c, status, w->pub.resp[i]);
	w->stats.requests++;
	if (status >= 400)
		w->stats.errors++;
	pthread_mutex_unlock(&w->lock);
	return 1;
}

enum MHD_Result
sr_web_shared(const struct sr_web_req *rq, int variant)
{
	enum MHD_Result ret;

	if (sr_web_shared_try(rq, variant, &ret))
		return ret;
	return sr_web_error(rq, 503,
	    "no data yet: the first tick has not been published");
}

/* ---------------------------------------------------------------------- */
/* Server-Sent Events. */

/* Append the SSE lines for frame f that s has not seen yet. */
static void
sse_render(struct web_sse *s, const struct sr_web_frame *f)
{
	struct sr_buf *o = &s->out;
	size_t i = 0;

	if (!s->seq_known) {
		/* a fresh stream starts from now */
		s->last_seq = f->events_seq;
		s->seq_known = 1;
	}
	while (i < f->n_events && f->events[i].seq <= s->last_seq)
		i++;
	for (; i < f->n_events; i++) {
		sr_buf_addf(o, "id: %" PRIu64 "\nevent: event\ndata: %s\n\n",
		    f->events[i].seq, f->events[i].json);
		s->last_seq = f->events[i].seq;
	}
	for (i = 0; i < f->n_insights; i++) {
		const struct sr_web_insight *in = &f->insights[i];
		int changed = 1;

		if (s->seen == NULL) {
			changed = in->state == 1; /* first: what fires */
		} else {
			for (size_t j = 0; j < s->seen->n_insights; j++)
				if (strcmp(s->seen->insights[j].id, in->id) ==
				    0) {
					changed =
					    strcmp(s->seen->insights[j].key,
						in->key) != 0;
					break;
				}
		}
		if (changed)
			sr_buf_addf(o,
			    "id: %" PRIu64 "\nevent: insight\n"
			    "data: %s\n\n",
			    s->last_seq, in->json);
	}
	if (f->overview != NULL)
		sr_buf_addf(o, "id: %" PRIu64 "\nevent: overview\ndata: %s\n\n",
		    s->last_seq, f->overview);
}

static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct web_sse *s = cls;
	struct sr_web *w = s->w;
	struct sr_web_frame *f = NULL;
	size_t n;

	(void)pos;
	if (s->off >= s->out.len) {
		sr_buf_reset(&s->out);
		s->off = 0;
		pthread_mutex_lock(&w->lock);
		if (w->stopping) {
			pthread_mutex_unlock(&w->lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (w->pub.frame != NULL && w->pub.frame->tick > s->last_tick)
			f = sr_web_frame_ref(w->pub.frame);
		else if (!s->waiting) {
			s->waiting = 1;
			s->next = w->waiting;
			w->waiting = s;
		}
		pthread_mutex_unlock(&w->lock);
		if (f == NULL) {
			/* publish resumes us; a resume that comes first
			 * cancels this suspend (MHD keeps a flag) */
			MHD_suspend_connection(s->c);
			return 0;
		}
		sse_render(s, f);
		s->last_tick = f->tick;
		sr_web_frame_unref(s->seen);
		s->seen = f;
	}
	n = s->out.len - s->off;
	if (n > max)
		n = max;
	memcpy(buf, s->out.data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void
sse_free(void *cls)
{
	struct web_sse *s = cls;
	struct sr_web *w = s->w;

	pthread_mutex_lock(&w->lock);
	for (struct web_sse **pp = &w->waiting; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	w->stats.sse_clients--;
	pthread_mutex_unlock(&w->lock);
	sr_web_frame_unref(s->seen);
	sr_buf_release(&s->out);
	free(s);
}

static enum MHD_Result
sr_route_stream(const struct sr_web_req *rq)
{
	struct sr_web *w = rq->w;
	struct MHD_Connection *c = rq->c;
	struct web_sse *s;
	struct MHD_Response *r;
	const char *last;
	long long v;

	last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
	if (last == NULL)
		last = sr_web_arg(rq, "last_event_id");
	if (last != NULL && sr_web_parse_int(last, 0, INT64_MAX, &v) < 0)
		return sr_web_error(rq, 400,
		    "Last-Event-ID is not an id this server gave");
	s = sr_xcalloc(1, sizeof(*s));
	s->w = w;
	s->c = c;
	sr_buf_init(&s->out);
	sr_buf_adds(&s->out, "retry: 1000\n\n");
	if (last != NULL) {
		s->last_seq = (uint64_t)v;
		s->seq_known = 1;
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WEB_SSE_BLOCK,
	    sse_read, s, sse_free);
	if (r == NULL)
		SR_BUG("cannot create a response");
	sr_web_headers(w, r, "text/event-stream");
	(void)MHD_add_response_header(r, "X-Accel-Buffering", "no");
	pthread_mutex_lock(&w->lock);
	w->stats.sse_clients++;
	pthread_mutex_unlock(&w->lock);
	web_conn_mark(w, c, 1, 1); /* may be closed to make room */
	return sr_web_reply(rq, 200, r);
}

/* ---------------------------------------------------------------------- */
/* Dispatch. */

/* 1 if the row's path matches url. */
static int
web_path_match(const struct sr_web_route *rt, const char *url)
{
	if (rt->match == SR_WEB_PREFIX)
		return strncmp(url, rt->path, strlen(rt->path)) == 0;
	return strcmp(url, rt->path) == 0;
}

/*
 * The first row for url that takes method (*method_ok = 1), else the
 * first exact row for url (*method_ok = 0: 405), else NULL (404).  GET
 * rows take HEAD.  A prefix row names a family of URLs, not one
 * resource, so it never turns a 404 into a 405.
 */
static const struct sr_web_route *
web_route_find(const struct sr_web *w, const char *method, const char *url,
    int otlp_port, int *method_ok, size_t *index)
{
	const struct sr_web_route *rt, *path_hit = NULL;
	int head = strcmp(method, "HEAD") == 0;

	*method_ok = 0;
	for (size_t i = 0; (rt = sr_web_routes[i]) != NULL; i++) {
		if ((rt->flags & SR_WEB_IF_CORS) && w->cors == NULL)
			continue;
		if (otlp_port && !(rt->flags & SR_WEB_OTLP_PORT))
			continue;
		if (!web_path_match(rt, url))
			continue;
		if (strcmp(rt->method, method) == 0 ||
		    (head && strcmp(rt->method, "GET") == 0)) {
			*method_ok = 1;
			*index = i;
			return rt;
		}
		if (path_hit == NULL && rt->match == SR_WEB_EXACT) {
			path_hit = rt;
			*index = i;
		}
	}
	return path_hit;
}

/* 1 when row rt is on for this server (its IF_ flags hold). */
static int
web_route_on(const struct sr_web *w, const struct sr_web_route *rt)
{
	if ((rt->flags & SR_WEB_IF_CORS) && w->cors == NULL)
		return 0;
	if ((rt->flags & SR_WEB_IF_POSTING) &&
	    (!w->cfg.accept_events || w->cfg.post == NULL))
		return 0;
	if ((rt->flags & SR_WEB_IF_OTLP) &&
	    (!w->cfg.accept_otlp || w->cfg.post == NULL))
		return 0;
	return 1;
}

/*
 * The Allow header of a 405 for url: the methods of the rows that take
 * it and are on here, in table order, HEAD after GET ("GET, HEAD").
 */
static void
web_allow(const struct sr_web *w, const char *url, char *out, size_t len)
{
	const struct sr_web_route *rt;
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; url != NULL && (rt = sr_web_routes[i]) != NULL;
	     i++) {
		const char *m =
		    strcmp(rt->method, "GET") == 0 ? "GET, HEAD" : rt->method;
		int n;

		if (!web_route_on(w, rt) || !web_path_match(rt, url) ||
		    strstr(out, rt->method) != NULL)
			continue;
		n = snprintf(out + at, len - at, "%s%s", at ? ", " : "", m);
		if (n < 0 || (size_t)n >= len - at)
			break;
		at += (size_t)n;
	}
}

/* Sum of the request's header sizes (MHD_KeyValueIterator). */
static enum MHD_Result
web_count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t *n = cls;

	(void)kind;
	*n += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/*
 * The checks of a request's headers that come before its route: Host
 * (DNS rebinding), Origin (cross-site requests) and the Content-Type of
 * a body that changes state (web/guard.h).  0, or the error answered.
 */
static int
web_admit(struct sr_web *w, struct MHD_Connection *c, struct web_req *rq,
    const char *url, const char *method, enum MHD_Result *ret)
{
	const char *host, *origin, *ctype;

	host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	if (!sr_web_guard_host_ok(w->guard, host)) {
		*ret = web_error(w, c, 403, method, url, "host not allowed");
		return -1;
	}
	origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	if (!sr_web_guard_origin_ok(origin, host, w->cors)) {
		*ret = web_error(w, c, 403, method, url, "origin not allowed");
		return -1;
	}
	if (rq->route == NULL || !rq->method_ok ||
	    rq->route->body_types == NULL || !web_route_on(w, rq->route))
		return 0;
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (!sr_web_guard_type_ok(rq->route->body_types, ctype)) {
		*ret = web_error(w, c, 415, method, url,
		    "unsupported content type");
		return -1;
	}
	return 0;
}

/* The handler's view of a request. */
static void
web_req_view(struct sr_web *w, struct MHD_Connection *c, struct web_req *rq,
    const char *url, const char *method, struct sr_web_req *x)
{
	*x = (struct sr_web_req){ .w = w,
		.c = c,
		.cfg = &w->cfg,
		.route = rq->route,
		.route_index = rq->route_index,
		.method = method,
		.url = url,
		.body = &rq->body,
		.body_too_large = rq->too_large,
		.state = w->state[rq->route_index],
		.conn = rq };
}

int
sr_web_post_later(const struct sr_web_req *rq, const struct sr_event *evs,
    size_t n, sr_web_later_fn *done, void (*free_ctx)(void *ctx), void *ctx,
    struct sr_err *err)
{
	struct sr_web *w = rq->w;
	struct web_req *r = rq->conn;
	struct web_later *l;
	uint64_t ticket;

	/*
	 * Posted, listed and suspended under w->lock: the main loop's
	 * sr_web_post_done() takes the lock before it resumes, so the
	 * resume always follows the suspend.
	 */
	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		return sr_err_set(err, "server stopping");
	}
	if (w->cfg.post(w->cfg.post_ctx, evs, n, &ticket, err) < 0) {
		pthread_mutex_unlock(&w->lock);
		return -1;
	}
	l = sr_xcalloc(1, sizeof(*l));
	*l = (struct web_later){ .next = w->later,
		.c = rq->c,
		.ticket = ticket,
		.done = done,
		.free_ctx = free_ctx,
		.ctx = ctx,
		.listed = 1 };
	w->later = l;
	r->later = l;
	MHD_suspend_connection(rq->c);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

/* Take l off w->later with an outcome; caller holds w->lock. */
static void
web_later_unlist(struct sr_web *w, struct web_later *l, int committed)
{
	for (struct web_later **pp = &w->later; *pp != NULL; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	l->next = NULL;
	l->listed = 0;
	l->resolved = 1;
	l->committed = committed;
}

void
sr_web_post_done(struct sr_web *w, uint64_t ticket, int committed)
{
	struct web_later *l;

	pthread_mutex_lock(&w->lock);
	for (l = w->later; l != NULL && l->ticket != ticket; l = l->next)
		;
	if (l != NULL)
		web_later_unlist(w, l, committed);
	pthread_mutex_unlock(&w->lock);
	if (l != NULL)
		MHD_resume_connection(l->c);
}

static enum MHD_Result
web_dispatch(struct sr_web *w, struct MHD_Connection *c, struct web_req *rq,
    const char *url, const char *method)
{
	const struct sr_web_route *rt = rq->route;
	struct sr_web_req x;

	if (rt == NULL)
		return web_error(w, c, 404, method, url, "no such route");
	if ((rt->flags & SR_WEB_AUTH) && !web_token_ok(w, c))
		return web_error(w, c, 401, method, url,
		    "missing or wrong bearer token");
	if (!rq->method_ok)
		return web_error(w, c, 405, method, url, "method not allowed");
	web_req_view(w, c, rq, url, method, &x);
	return rt->handler(&x);
}

static enum MHD_Result
web_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	const struct web_listener *ls = cls;
	struct sr_web *w = ls->w;
	struct web_req *rq = *req_cls;

	(void)version;
	if (rq == NULL) {
		const char *cl;
		size_t hdr = 0, qlen = 0;
		unsigned per_ip;
		long long v;
		enum MHD_Result ret;

		rq = sr_xcalloc(1, sizeof(*rq));
		sr_buf_init(&rq->body);
		*req_cls = rq;
		web_conn_mark(w, c, 1, 0);
		rq->route = web_route_find(w, method, url, ls->otlp_only,
		    &rq->method_ok, &rq->route_index);
		if (web_admit(w, c, rq, url, method, &ret) < 0) {
			rq->answered = 1;
			return ret;
		}
		per_ip = w->cfg.max_conns_per_ip;
		rq->max_body = w->cfg.max_body;
		if (rq->route != NULL && rq->route->limits.max_conns_per_ip > 0)
			per_ip = rq->route->limits.max_conns_per_ip;
		if (rq->route != NULL && rq->route->limits.max_body > 0)
			rq->max_body = rq->route->limits.max_body;
		/* headers complete: the normal idle timeout from now on */
		(void)MHD_set_connection_option(c,
		    MHD_CONNECTION_OPTION_TIMEOUT, w->cfg.timeout_s);
		if (per_ip > 0 && web_conns_from(w, c) > per_ip) {
			rq->answered = 1;
			return web_error(w, c, 429, method, url,
			    "too many connections from this address");
		}
		(void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
		    web_count_header, &qlen);
		if (strlen(url) + qlen > w->cfg.max_url) {
			rq->answered = 1;
			return web_error(w, c, 414, method, "(long)",
			    "URL too long");
		}
		(void)MHD_get_connection_values(c, MHD_HEADER_KIND,
		    web_count_header, &hdr);
		if (hdr > w->cfg.max_header) {
			rq->answered = 1;
			return web_error(w, c, 431, method, url,
			    "request headers too large");
		}
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "Content-Length");
		if (cl != NULL &&
		    (sr_web_parse_int(cl, 0, INT64_MAX, &v) < 0 ||
			(unsigned long long)v > rq->max_body)) {
			rq->answered = 1;
			return web_error(w, c, 413, method, url,
			    "request body too large");
		}
		/*
		 * Answer on the next call, once MHD knows the request has no
		 * more body: a response queued in this first call makes MHD
		 * close the connection after it (no keep-alive).
		 */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!rq->too_large &&
		    rq->body.len + *upload_size <= rq->max_body)
			sr_buf_add(&rq->body, upload, *upload_size);
		else
			rq->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->later != NULL && rq->later->resolved) {
		/* resumed by sr_web_post_done(): answer the post now */
		struct web_later *l = rq->later;
		struct sr_web_req x;
		enum MHD_Result ret;

		rq->later = NULL;
		web_req_view(w, c, rq, url, method, &x);
		ret = l->done(&x, l->ctx, l->committed);
		l->free_ctx(l->ctx);
		free(l);
		return ret;
	}
	if (rq->answered)
		return MHD_YES;
	rq->answered = 1;
	return web_dispatch(w, c, rq, url, method);
}

static void
web_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct sr_web *w = cls;
	struct web_req *rq = *req_cls;

	/* between requests on a kept-alive connection: the short timeout
	 * (not on a connection being closed) */
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    w->cfg.timeout_s > WEB_HEADER_TIMEOUT_S)
		(void)MHD_set_connection_option(c,
		    MHD_CONNECTION_OPTION_TIMEOUT,
		    (unsigned)WEB_HEADER_TIMEOUT_S);
	web_conn_mark(w, c, 0, 0); /* waits for its next request */
	if (rq == NULL)
		return;
	if (rq->later != NULL) {
		/* closed before its answer (the server stopping) */
		pthread_mutex_lock(&w->lock);
		if (rq->later->listed)
			web_later_unlist(w, rq->later, 0);
		pthread_mutex_unlock(&w->lock);
		rq->later->free_ctx(rq->later->ctx);
		free(rq->later);
	}
	sr_buf_release(&rq->body);
	free(rq);
	*req_cls = NULL;
}

/*
 * libmicrohttpd's messages, at most WEB_MHD_LOG_BURST in a 10 s window
 * (a flood of clients that vanish mid-answer would otherwise write a
 * line each); the next window says how many were left out.
 */
static void
web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct sr_web *w = cls;
	char line[512];
	size_t n;
	int64_t now = sr_mono_ms();
	uint64_t dropped = 0;

	pthread_mutex_lock(&w->lock);
	if (now - w->mhd_log_ms >= 10000) {
		dropped = w->mhd_log_dropped;
		w->mhd_log_ms = now;
		w->mhd_log_n = 0;
		w->mhd_log_dropped = 0;
	}
	if (w->mhd_log_n >= WEB_MHD_LOG_BURST) {
		w->mhd_log_dropped++;
		pthread_mutex_unlock(&w->lock);
		return;
	}
	w->mhd_log_n++;
	pthread_mutex_unlock(&w->lock);
	if (dropped > 0)
		sr_web_log(w,
		    "libmicrohttpd: %" PRIu64 " more messages left out "
		    "(at most %d in 10 s)",
		    dropped, WEB_MHD_LOG_BURST);
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	fprintf(stderr, "sitrep serve: libmicrohttpd: %s\n", line);
}

/* ---------------------------------------------------------------------- */
/* Setup. */

/* Parse "ADDR:PORT" or "[ADDR]:PORT" into ss; 0 or -1. */
static int
web_parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
    int *loopback, struct sr_err *err)
{
	char host[256];
	const char *colon, *port;
	struct addrinfo hints, *res = NULL;
	long long p;
	int rc;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
			return sr_err_set(err,
			    "bad listen address '%s': "
			    "want [ADDR]:PORT",
			    spec);
		snprintf(host, sizeof(host), "%.*s", (int)(close - spec - 1),
		    spec + 1);
		port = close + 2;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || strchr(spec, ':') != colon)
			return sr_err_set(err,
			    "bad listen address '%s': "
			    "want ADDR:PORT",
			    spec);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	}
	if (sr_web_parse_int(port, 0, 65535, &p) < 0)
		return sr_err_set(err, "bad listen address '%s': bad port",
		    spec);
	if (host[0] == '\0')
		snprintf(host, sizeof(host), "0.0.0.0");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return sr_err_set(err, "bad listen address '%s': %s", spec,
		    gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		*loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

int
sr_web_parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
    int *loopback, struct sr_err *err)
{
	return web_parse_addr(spec, ss, len, loopback, err);
}

/*
 * Let the Host a listen address was given as be answered (a wildcard
 * address names no host); off loopback, the machine's names too.
 */
static void
web_guard_listen(struct sr_web *w, const char *spec,
    const struct sockaddr_storage *ss, int loopback)
{
	char host[256];
	const char *end = spec[0] == '[' ? strchr(spec, ']') : NULL;
	int any;

	if (end != NULL)
		end++;
	else
		end = strrchr(spec, ':');
	if (end == NULL)
		end = spec + strlen(spec);
	snprintf(host, sizeof(host), "%.*s", (int)(end - spec), spec);
	if (ss->ss_family == AF_INET)
		any = ((const struct sockaddr_in *)(const void *)ss)
			  ->sin_addr.s_addr == htonl(INADDR_ANY);
	else
		any = IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)(const void *)ss)
			 ->sin6_addr);
	sr_web_guard_listen(w->guard, any ? "" : host, !loopback);
}

/*
 * MHD's own connection limit for one address: room for max_conns on
 * each pool thread (MHD splits its limit between them, and they need not
 * share the load evenly) and for those being closed to make room, so
 * that the server's count (web_conn_evict) is what decides.
 */
static unsigned
web_mhd_limit(const struct sr_web *w)
{
	return (w->cfg.max_conns + 64) * w->cfg.threads;
}

/*
 * Raise the soft limit on open files towards the hard one when the
 * connections could need more (a connection is a descriptor).
 */
static void
web_raise_nofile(const struct sr_web *w, size_t n_addrs)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)(w->cfg.max_conns + 64) * (rlim_t)n_addrs + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want
	    ? want
	    : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < want)
		sr_web_log(w,
		    "warning: open files limited to %llu, below what "
		    "max_conns %u needs",
		    (unsigned long long)rl.rlim_cur, w->cfg.max_conns);
}

static int
web_start(struct sr_web *w, const char *spec, int otlp_only, struct sr_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int loopback = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_EPOLL;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	struct MHD_OptionItem tls[3];
	int n_tls = 0;

	if (w->n_daemons == WEB_MAX_ADDRS)
		return sr_err_set(err, "too many listen addresses (max %d)",
		    WEB_MAX_ADDRS);
	if (web_parse_addr(spec, &ss, &sl, &loopback, err) < 0 ||
	    sr_mhd_load(err) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (w->cfg.tls_cert_pem != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return sr_err_set(err,
			    "this libmicrohttpd was built "
			    "without TLS support");
		flags |= MHD_USE_TLS;
		tls[n_tls++] =
		    (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
			    (void *)(uintptr_t)w->cfg.tls_cert_pem };
		tls[n_tls++] =
		    (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
			    (void *)(uintptr_t)w->cfg.tls_key_pem };
	}
	tls[n_tls] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	w->handler_cls[w->n_daemons] = (struct web_listener){ w, otlp_only };
	d = MHD_start_daemon(flags, 0, web_accept_policy, w, web_handle,
	    &w->handler_cls[w->n_daemons], MHD_OPTION_EXTERNAL_LOGGER,
	    web_mhd_log, w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, w->cfg.threads,
	    MHD_OPTION_CONNECTION_LIMIT, web_mhd_limit(w),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, w->cfg.max_conns_per_ip * 2 + 8,
	    MHD_OPTION_CONNECTION_TIMEOUT, w->cfg.timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(w->cfg.max_header + w->cfg.max_url + 32 * 1024),
	    MHD_OPTION_NOTIFY_CONNECTION, web_notify_conn, w,
	    MHD_OPTION_NOTIFY_COMPLETED, web_completed, w, MHD_OPTION_ARRAY,
	    tls, MHD_OPTION_END);
	if (d == NULL)
		return sr_err_set(err, "cannot listen on '%s'%s", spec,
		    w->cfg.tls_cert_pem
			? " (check the TLS certificate and "
			  "key, and that the port is free)"
			: " (address in use or not available?)");
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	w->ports[w->n_daemons] = di ? di->port : 0;
	w->daemons[w->n_daemons++] = d;
	sr_web_log(w, "listening on %s (port %u)%s%s", spec,
	    w->ports[w->n_daemons - 1], w->cfg.tls_cert_pem ? ", HTTPS" : "",
	    otlp_only ? ", OTLP only" : "");
	if (!loopback && w->token == NULL)
		sr_web_log(w,
		    "warning: %s is reachable off this machine and no "
		    "--token-file is set: anyone who can connect reads the "
		    "data",
		    spec);
	return 0;
}

struct sr_web *
sr_web_open(const struct sr_web_cfg *cfg, struct sr_err *err)
{
	struct sr_web *w = sr_xcalloc(1, sizeof(*w));

	w->cfg = *cfg;
	if (w->cfg.max_conns == 0)
		w->cfg.max_conns = 512;
	if (w->cfg.max_conns_per_ip == 0)
		w->cfg.max_conns_per_ip = 32;
	if (w->cfg.timeout_s == 0)
		w->cfg.timeout_s = 30;
	if (w->cfg.threads == 0)
		w->cfg.threads = 2;
	if (w->cfg.max_body == 0)
		w->cfg.max_body = 1024 * 1024;
	if (w->cfg.max_url == 0)
		w->cfg.max_url = 4096;
	if (w->cfg.max_header == 0)
		w->cfg.max_header = 16 * 1024;
	w->token = cfg->token && *cfg->token ? sr_xstrdup(cfg->token) : NULL;
	w->cors = cfg->cors_origin ? sr_xstrdup(cfg->cors_origin) : NULL;
	w->db_path = cfg->db_path ? sr_xstrdup(cfg->db_path) : NULL;
	w->cfg.token = w->token;
	w->cfg.cors_origin = w->cors;
	w->cfg.db_path = w->db_path;
	w->cfg.allow_hosts = NULL;
	w->guard = sr_web_guard_new(cfg->allow_hosts);
	w->started_ms = sr_now_ms();
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->ip_lock, NULL);
	while (sr_web_routes[w->n_routes] != NULL) {
		const struct sr_web_route *rt = sr_web_routes[w->n_routes++];

		if (strcmp(rt->method, "GET") != 0 &&
		    strcmp(rt->method, "OPTIONS") != 0 &&
		    rt->body_types == NULL)
			SR_BUG("a route that changes state names no body type");
	}
	w->state = sr_xcalloc(w->n_routes, sizeof(*w->state));
	for (size_t i = 0; i < w->n_routes; i++)
		if (sr_web_routes[i]->open != NULL)
			w->state[i] =
			    sr_web_routes[i]->open(w, sr_web_routes[i], cfg);
	/* borrowed for the open hooks only */
	w->cfg.listen = NULL;
	w->cfg.chart_js = NULL;
	w->cfg.otlp_listen = NULL;
	web_raise_nofile(w,
	    (cfg->n_listen > 0 ? cfg->n_listen : 1) +
		(cfg->otlp_listen != NULL));
	/* every Host name first: a daemon answers as soon as it starts */
	for (size_t i = 0; i < (cfg->n_listen > 0 ? cfg->n_listen : 1) +
		 (cfg->otlp_listen != NULL);
	     i++) {
		size_t nl = cfg->n_listen > 0 ? cfg->n_listen : 1;
		const char *spec = i == nl ? cfg->otlp_listen
		    : cfg->n_listen > 0	   ? cfg->listen[i]
					   : SR_WEB_DEFAULT_LISTEN;
		struct sockaddr_storage ss;
		socklen_t sl;
		int loopback = 0;

		if (web_parse_addr(spec, &ss, &sl, &loopback, err) < 0) {
			if (i == nl)
				(void)sr_err_prefix(err, "--otlp-listen");
			sr_web_close(w);
			return NULL;
		}
		web_guard_listen(w, spec, &ss, loopback);
	}
	if (cfg->n_listen == 0) {
		if (web_start(w, SR_WEB_DEFAULT_LISTEN, 0, err) < 0) {
			sr_web_close(w);
			return NULL;
		}
	}
	for (size_t i = 0; i < cfg->n_listen; i++)
		if (web_start(w, cfg->listen[i], 0, err) < 0) {
			sr_web_close(w);
			return NULL;
		}
	w->n_main = w->n_daemons;
	if (cfg->otlp_listen != NULL &&
	    web_start(w, cfg->otlp_listen, 1, err) < 0) {
		(void)sr_err_prefix(err, "--otlp-listen");
		sr_web_close(w);
		return NULL;
	}
	return w;
}

/* Drop the shared responses of p (the frame reference too). */
static void
web_pub_release(struct sr_web *w, struct web_pub *p)
{
	if (p->resp != NULL)
		for (size_t i = 0; i < w->n_routes * SR_WEB_VARIANTS; i++)
			if (p->resp[i] != NULL)
				MHD_destroy_response(p->resp[i]);
	free(p->resp);
	sr_web_frame_unref(p->frame);
	memset(p, 0, sizeof(*p));
}

/* Resume every waiting SSE stream (taken off the list under the lock). */
static void
web_resume(struct web_sse *list)
{
	while (list != NULL) {
		struct web_sse *next = list->next;

		/* suspended (or about to be): cannot be freed meanwhile */
		MHD_resume_connection(list->c);
		list = next;
	}
}

/* Take the waiting list; caller holds w->lock. */
static struct web_sse *
web_take_waiting(struct sr_web *w)
{
	struct web_sse *list = w->waiting;

	for (struct web_sse *s = list; s != NULL; s = s->next)
		s->waiting = 0;
	w->waiting = NULL;
	return list;
}

/* The insights list filtered by state, as {"insights":[...]}. */
void
sr_web_publish(struct sr_web *w, struct sr_web_frame *f)
{
	struct web_pub np, old;
	struct web_sse *list;

	memset(&np, 0, sizeof(np));
	np.frame = f;
	np.resp = sr_xcalloc(w->n_routes * SR_WEB_VARIANTS, sizeof(*np.resp));
	for (size_t i = 0; i < w->n_routes; i++)
		if (sr_web_routes[i]->publish != NULL)
			sr_web_routes[i]->publish(w, f,
			    &np.resp[i * SR_WEB_VARIANTS]);
	pthread_mutex_lock(&w->lock);
	old = w->pub;
	w->pub = np;
	list = web_take_waiting(w);
	pthread_mutex_unlock(&w->lock);
	web_resume(list);
	web_pub_release(w, &old);
}

void
sr_web_close(struct sr_web *w)
{
	struct web_sse *list;
	struct web_later *posts;

	if (w == NULL)
		return;

	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	list = web_take_waiting(w);
	/* posts still waiting are answered 503: nothing hangs the stop */
	posts = w->later;
	w->later = NULL;
	for (struct web_later *l = posts; l != NULL; l = l->next) {
		l->listed = 0;
		l->resolved = 1;
		l->committed = 0;
	}
	pthread_mutex_unlock(&w->lock);
	web_resume(list);
	while (posts != NULL) {
		struct web_later *next = posts->next;

		posts->next = NULL;
		MHD_resume_connection(posts->c);
		posts = next;
	}
	for (size_t i = 0; i < w->n_daemons; i++) {
		MHD_stop_daemon(w->daemons[i]);
		sr_web_log(w, "stopped listening on port %u", w->ports[i]);
	}
	web_pub_release(w, &w->pub);
	for (size_t i = 0; i < w->n_routes; i++)
		if (sr_web_routes[i]->close != NULL)
			sr_web_routes[i]->close(w->state[i]);
	free(w->state);
	free(w->ips);
	sr_web_guard_free(w->guard);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->ip_lock);
	free(w->token);
	free(w->cors);
	free(w->db_path);
	free(w);
}

unsigned
sr_web_port(const struct sr_web *w, size_t i)
{
	return i < w->n_daemons ? w->ports[i] : 0;
}

void
sr_web_stats(struct sr_web *w, struct sr_web_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}

/* Rows of the route table (web/route.c lists them, in order). */
const struct sr_web_route sr_web_route_stream = { "GET", "/api/stream",
	SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 }, sr_route_stream, NULL, NULL, NULL,
	NULL };

char *
sr_web_lib_version(void)
{
	char built[32];
	struct sr_err e;

	/* MHD_VERSION is 0xMMmmpp00, each part written in hex digits */
	snprintf(built, sizeof built, "%x.%x.%x",
	    (unsigned)(MHD_VERSION >> 24) & 0xff,
	    (unsigned)(MHD_VERSION >> 16) & 0xff,
	    (unsigned)(MHD_VERSION >> 8) & 0xff);
	if (sr_mhd_load(&e) < 0)
		return sr_xasprintf("libmicrohttpd (built with %s): %s", built,
		    e.msg);
	return sr_lib_version("libmicrohttpd", MHD_get_version(), built);
}
