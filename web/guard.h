/* SPDX-License-Identifier: MIT */
/*
 * guard: what the HTTP server (web/server.c) checks of a request before
 * any route sees it, apart from limits and the token:
 *
 * - Host (DNS rebinding): a page on another site may point its own name
 *   at 127.0.0.1; the browser then sends that name as Host.  Answered
 *   are loopback names and addresses (localhost, *.localhost,
 *   127.0.0.0/8, ::1), the listen addresses, the names given with
 *   --allow-host / [serve] allow_host and, when listening off loopback,
 *   the machine's hostname and interface addresses (re-read at most every
 *   10 s when an unknown address is asked for).  A request without Host
 *   (HTTP/1.0; MHD refuses an HTTP/1.1 one itself) is answered: only
 *   browsers can be made to rebind, and they always send Host.
 * - Origin (cross-site requests): absent, the server's own (the Host it
 *   was asked as, http or https) or the --cors origin.
 * - Content-Type of a body that changes state: one of the route's types.
 *
 * Not for other layers.  Thread-safe: the checks run on MHD's threads.
 */
#ifndef SR_WEB_GUARD_H
#define SR_WEB_GUARD_H

#include "core/util.h"

struct sr_web_guard;

/*
 * A guard answering the names of the comma (or blank) separated list
 * allow (NULL = none).  Add the listen addresses with
 * sr_web_guard_listen().
 */
struct sr_web_guard *sr_web_guard_new(const char *allow);

/*
 * Allow the host part of a listen address ("ADDR", "[V6]" or a name);
 * off_loopback: it is not a loopback address, so the hostname and every
 * interface address are allowed too.
 */
void
sr_web_guard_listen(struct sr_web_guard *g, const char *host, int off_loopback);

/*
 * Check a list as sr_web_guard_new() takes it: 0, or -1 with err naming
 * the first entry that is not a host name or address.
 */
int sr_web_guard_check(const char *allow, struct sr_err *err);

/* Frees g; NULL does nothing. */
void sr_web_guard_free(struct sr_web_guard *g);

/* 1 when a request with this Host header (NULL: none) is answered. */
int sr_web_guard_host_ok(struct sr_web_guard *g, const char *host);

/*
 * 1 when a request with this Origin header (NULL: none) and Host is
 * answered: no Origin, the cors origin (NULL: none), or http(s)://HOST.
 */
int
sr_web_guard_origin_ok(const char *origin, const char *host, const char *cors);

/*
 * 1 when Content-Type ctype (NULL: none) names one of types (a comma
 * list of media types), parameters such as "; charset=utf-8" aside.
 */
int sr_web_guard_type_ok(const char *types, const char *ctype);

#endif
