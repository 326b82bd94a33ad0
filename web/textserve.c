/* SPDX-License-Identifier: MIT */
/*
 * textserve: one path of text over HTTP, driven from the owner's loop
 * (web/textserve.h).
 */
#include "web/textserve.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "web/dl_mhd.h"
#include "web/server.h"

struct sr_web_text {
	struct MHD_Daemon *d;
	char *path;
	char *type;
	sr_web_text_fn *fn;
	void *ctx;
	unsigned port;
	struct sr_buf body;
};

static enum MHD_Result
text_reply(struct MHD_Connection *c, unsigned status, const char *type,
    const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
	    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
text_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	struct sr_web_text *t = cls;
	static const char nf[] = "not found\n", na[] = "method not allowed\n";

	(void)version;
	(void)upload;
	if (*state == NULL) { /* headers only: answer on the next call */
		*state = t;
		return MHD_YES;
	}
	if (*upload_len > 0) {
		*upload_len = 0; /* a body is read and dropped */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return text_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
		    na, sizeof(na) - 1);
	if (strcmp(url, t->path) != 0)
		return text_reply(c, MHD_HTTP_NOT_FOUND, "text/plain", nf,
		    sizeof(nf) - 1);
	sr_buf_reset(&t->body);
	t->fn(t->ctx, &t->body);
	return text_reply(c, MHD_HTTP_OK, t->type,
	    t->body.data ? t->body.data : "", t->body.len);
}

struct sr_web_text *
sr_web_text_open(const char *addr, const char *path, const char *content_type,
    sr_web_text_fn *fn, void *ctx, struct sr_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int loopback = 0;
	unsigned flags = MHD_USE_ERROR_LOG;
	struct sr_web_text *t;
	const union MHD_DaemonInfo *di;

	if (sr_web_parse_addr(addr, &ss, &sl, &loopback, err) < 0 ||
	    sr_mhd_load(err) < 0)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	t = sr_xcalloc(1, sizeof(*t));
	t->path = sr_xstrdup(path);
	t->type = sr_xstrdup(content_type);
	t->fn = fn;
	t->ctx = ctx;
	sr_buf_init(&t->body);
	t->d = MHD_start_daemon(flags, 0, NULL, NULL, text_handle, t,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, 64U, MHD_OPTION_CONNECTION_TIMEOUT,
	    10U, MHD_OPTION_END);
	if (t->d == NULL) {
		(void)sr_err_set(err,
		    "cannot listen on '%s' (address in use or not available?)",
		    addr);
		sr_web_text_close(t);
		return NULL;
	}
	di = MHD_get_daemon_info(t->d, MHD_DAEMON_INFO_BIND_PORT);
	t->port = di ? di->port : 0;
	return t;
}

unsigned
sr_web_text_port(const struct sr_web_text *t)
{
	return t->port;
}

void
sr_web_text_run(struct sr_web_text *t)
{
	/* no internal thread: MHD_run() serves what is ready and returns */
	(void)MHD_run(t->d);
}

void
sr_web_text_close(struct sr_web_text *t)
{
	if (t == NULL)
		return;
	if (t->d != NULL)
		MHD_stop_daemon(t->d);
	sr_buf_release(&t->body);
	free(t->path);
	free(t->type);
	free(t);
}
