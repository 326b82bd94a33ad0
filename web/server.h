/* SPDX-License-Identifier: MIT */
/*
 * server: sitrep's HTTP face (libmicrohttpd).  One MHD daemon per listen
 * address, each with an internal polling thread and a small thread pool;
 * SSE connections are suspended between ticks and resumed on publish, so
 * no thread ever blocks waiting for a tick.
 *
 * Threads: the main loop calls sr_web_publish() once per tick; everything
 * else runs on MHD's threads.  Shared state is one mutex around the
 * current frame and its pre-built responses.  Posted events go to the
 * main loop through cfg->post (the runtime's bounded queue and wake
 * pipe): HTTP threads never write the store.
 * History routes open their own read-only SQLite handle per request.
 *
 * Every error the server answers is JSON: {"error": "...", "status": N}.
 */
#ifndef SR_WEB_SERVER_H
#define SR_WEB_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/event.h"
#include "core/limits.h"
#include "core/util.h"
#include "web/frame.h"

#define SR_WEB_DEFAULT_LISTEN "127.0.0.1:8081"
#define SR_WEB_CHART_JS "/usr/share/javascript/chart.js/chart.min.js"

struct sr_web_cfg {
	const char *const *listen; /* "ADDR:PORT", "[V6]:PORT"; none =
					   SR_WEB_DEFAULT_LISTEN */
	size_t n_listen;
	const char *token;	  /* bearer token; NULL = no auth */
	const char *cors_origin;  /* NULL = no CORS headers */
	const char *tls_cert_pem; /* both set = HTTPS */
	const char *tls_key_pem;
	unsigned max_conns;	   /* open connections, all addresses together;
				0 = 512; past it an idle one is closed */
	unsigned max_conns_per_ip; /* 0 = 32; over it: 429 */
	unsigned timeout_s;	   /* idle connection timeout; 0 = 30 */
	unsigned threads;	   /* pool per address; 0 = 2 */
	size_t max_body;	   /* 0 = 1 MiB; over it: 413 */
	size_t max_url;		   /* 0 = 4096; over it: 414 */
	size_t max_header;	   /* total header bytes; 0 = 16 KiB: 431 */
	int accept_events;	   /* allow POST /api/events */
	int accept_otlp;	   /* allow POST /v1/traces, /v1/logs */
	/* one more address answering only the OTLP routes ("ADDR:PORT");
	 * NULL: none */
	const char *otlp_listen;
	/*
	 * Hands n validated posted events to the main loop as one post
	 * (thread-safe, copies what it keeps, never blocks) and sets
	 * *ticket; the main loop later calls sr_web_post_done() with it.
	 * -1 with err set when refused (queue full, store failing),
	 * answered 503 with Retry-After.  Required with accept_events and
	 * accept_otlp.
	 */
	int (*post)(void *ctx, const struct sr_event *evs, size_t n,
	    uint64_t *ticket, struct sr_err *err);
	void *post_ctx;
	const char *db_path;		/* history; NULL or ":memory:" = 503 */
	const struct sr_limits *limits; /* /api/summary's caps; NULL:
					   the defaults */
	const char *chart_js;		/* file served at /chart.js; NULL =
					   SR_WEB_CHART_JS */
	int quiet;			/* no per-error log lines */
	/* more Host names to answer (comma list; NULL: none), besides
	 * loopback and the listen addresses (web/guard.h) */
	const char *allow_hosts;
};

struct sr_web;

/*
 * Start listening on every address.  Fails with a message naming the
 * address (bad syntax, cannot bind, TLS unsupported or bad PEM).  Prints
 * one line per address on stderr, and a warning for an address off
 * loopback without a token.
 */
struct sr_web *sr_web_open(const struct sr_web_cfg *cfg, struct sr_err *err);

/* Stop every daemon (ending SSE streams) and free; NULL does nothing. */
void sr_web_close(struct sr_web *w);

/* The port the i-th address listens on (useful with port 0), or 0. */
unsigned sr_web_port(const struct sr_web *w, size_t i);

/*
 * Takes ownership of one reference to frame: it becomes what every route
 * serves, and suspended SSE streams are resumed.  Main loop only.
 */
void sr_web_publish(struct sr_web *w, struct sr_web_frame *frame);

/*
 * Main loop: the post with this ticket was committed (1) or will not be
 * acknowledged (0); its request, suspended since it was posted, is
 * resumed and answered (202, or 503 with Retry-After).  An unknown
 * ticket (its client went away) is ignored.
 */
void sr_web_post_done(struct sr_web *w, uint64_t ticket, int committed);

/* Counters for the server's own metrics. */
struct sr_web_stats {
	uint64_t requests;
	uint64_t errors;      /* answers with status >= 400 */
	uint64_t posted;      /* events accepted over HTTP */
	uint64_t queue_full;  /* events refused with 503 */
	uint64_t sse_clients; /* open now */
};
void sr_web_stats(struct sr_web *w, struct sr_web_stats *out);

/*
 * Parse "ADDR:PORT" or "[ADDR]:PORT" (a numeric address) into ss and
 * *len; *loopback is set when the address is a loopback one.  0, or -1
 * with the reason in err.
 */
int sr_web_parse_addr(const char *spec, struct sockaddr_storage *ss,
    socklen_t *len, int *loopback, struct sr_err *err);

/* libmicrohttpd's version for `sitrep --version` (sr_lib_version()). */
char *sr_web_lib_version(void);

#endif
