/* SPDX-License-Identifier: MIT */
/*
 * route_metrics: /metrics, the Prometheus text exposition (0.0.4) that
 * web/render.c writes once per tick, served as shared responses built
 * once per tick: the text (variant 0) and its gzip (variant 1, for a
 * client whose Accept-Encoding takes gzip, as Prometheus's does).  Both
 * carry the weak ETag of the tick's text, W/"<fnv-1a 64 of the text>", so
 * a client that sends it back in If-None-Match gets 304 and no body until
 * the text changes.
 */
#include "web/route.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/hmap.h"
#include "web/frame.h"

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The weak ETag of a text: W/"16 hex digits". */
static void
metrics_etag(char *buf, size_t n, const char *text)
{
	(void)snprintf(buf, n, "W/\"%016" PRIx64 "\"",
	    sr_hash_bytes(text, strlen(text))); /* 20 bytes: never cut */
}

/* Headers both variants carry: the validator and what varies. */
static void
metrics_headers(struct MHD_Response *r, const char *etag)
{
	/* revalidate with the ETag instead of never storing */
	(void)MHD_del_response_header(r, "Cache-Control", "no-store");
	(void)MHD_add_response_header(r, "Cache-Control", "no-cache");
	(void)MHD_add_response_header(r, "ETag", etag);
	(void)MHD_add_response_header(r, "Vary", "Accept-Encoding");
}

/* gzip of text into *out (the caller frees); 0, or -1 when zlib fails. */
static int
metrics_gzip(const char *text, size_t len, struct sr_buf *out)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip wrapper, as Content-Encoding: gzip means */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	sr_buf_grow(out, deflateBound(&z, (uLong)len) + 1);
	z.next_in = (Bytef *)(uintptr_t)text;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)(out->cap - 1);
	rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static void
sr_route_metrics_publish(struct sr_web *w, const struct sr_web_frame *f,
    struct MHD_Response **out)
{
	char etag[32];
	struct sr_buf gz;
	size_t len;

	if (f->metrics == NULL)
		return;
	len = strlen(f->metrics);
	metrics_etag(etag, sizeof(etag), f->metrics);
	out[0] = sr_web_text(w, f->metrics, len, METRICS_TYPE);
	metrics_headers(out[0], etag);
	sr_buf_init(&gz);
	if (metrics_gzip(f->metrics, len, &gz) == 0) {
		out[1] = sr_web_text(w, gz.data, gz.len, METRICS_TYPE);
		metrics_headers(out[1], etag);
		(void)MHD_add_response_header(out[1], "Content-Encoding",
		    "gzip");
	}
	sr_buf_release(&gz);
}

/*
 * 1 when an Accept-Encoding list takes gzip: a "gzip" (or "x-gzip", or
 * "*") coding whose q is not 0.
 */
static int
metrics_wants_gzip(const char *ae)
{
	const char *p = ae;

	while (p != NULL && *p != '\0') {
		size_t n;
		const char *q, *end = strchr(p, ',');

		p += strspn(p, " \t");
		n = strcspn(p, " \t;,");
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(p, "x-gzip", 6) == 0) ||
		    (n == 1 && *p == '*')) {
			q = strstr(p, "q=");
			/* q=0, q=0.0, q=0.000: refused */
			if (q == NULL || (end != NULL && q > end) ||
			    strspn(q + 2, "0.") < strcspn(q + 2, " \t,"))
				return 1;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

/* 1 when an If-None-Match list names etag (weakly) or is "*". */
static int
metrics_not_modified(const char *inm, const char *etag)
{
	const char *tag = etag + 2; /* compare without W/ */
	size_t n = strlen(tag);
	const char *p;

	if (strspn(inm, " \t") == strlen(inm))
		return 0;
	if (strcmp(inm + strspn(inm, " \t"), "*") == 0)
		return 1;
	for (p = strstr(inm, tag); p != NULL; p = strstr(p + 1, tag))
		if (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t')
			return 1;
	return 0;
}

static enum MHD_Result
sr_route_metrics(const struct sr_web_req *rq)
{
	const char *inm = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ae = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	enum MHD_Result ret;

	if (inm != NULL) { /* the hash only for clients that revalidate */
		struct sr_web_frame *f = sr_web_frame_current(rq->w);
		char etag[32];
		int same = 0;

		if (f != NULL && f->metrics != NULL) {
			metrics_etag(etag, sizeof(etag), f->metrics);
			same = metrics_not_modified(inm, etag);
		}
		sr_web_frame_unref(f);
		if (same) {
			struct MHD_Response *r =
			    sr_web_text(rq->w, "", 0, NULL);

			metrics_headers(r, etag);
			return sr_web_reply(rq, 304, r);
		}
	}
	if (ae != NULL && metrics_wants_gzip(ae) &&
	    sr_web_shared_try(rq, 1, &ret))
		return ret;
	return sr_web_shared(rq, 0);
}

/* Rows of the route table (web/route.c lists them, in order). */
const struct sr_web_route sr_web_route_prometheus = { "GET", "/metrics",
	SR_WEB_EXACT, SR_WEB_AUTH, { 0, 0 }, sr_route_metrics,
	sr_route_metrics_publish, NULL, NULL, NULL };
