/* SPDX-License-Identifier: MIT */
/*
 * route_otlp: the OTLP/HTTP receiver, POST /v1/traces and POST /v1/logs
 * (with --accept-otlp; also on --otlp-listen).  A body in OTLP/JSON
 * (application/json) or protobuf (application/x-protobuf) becomes its
 * OTLP/JSON tree (core/otlp.h), the parser reads each span or log record
 * of it as an event (sr_parser_otlp(), the one OTLP mapping), and the
 * events go to the main loop as one post, answered once the commit that
 * holds them succeeded: the same path, token, limits and checks as POST
 * /api/events.  Answers, in the request's encoding: 200 with
 * partialSuccess when some items were refused, 400 for a body that
 * cannot be decoded, 503 with Retry-After while the store is failing.
 * A gzip body (Content-Encoding: gzip) is inflated first, within the
 * body limit.
 */
#include "web/route.h"

#include <cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "core/otlp.h"
#include "core/parse.h"
#include "core/timeutil.h"
#include "web/guard.h"

/* Seconds a refused client is asked to wait (Retry-After). */
#define OTLP_RETRY_S "1"
/* google.rpc.Code values of the answers' Status. */
#define OTLP_INVALID_ARGUMENT 3
#define OTLP_UNAVAILABLE 14

/* A post's answer, kept while its connection waits for the commit. */
struct otlp_post {
	enum sr_otlp_signal sig;
	int pb;		  /* the request was protobuf: so is the answer */
	size_t accepted;  /* events handed to the loop */
	int64_t rejected; /* items refused */
	char msg[480];	  /* why the first was refused; "" for none */
};

/* Queue the body b of type pb's with status (and Retry-After on 503). */
static enum MHD_Result
otlp_send(const struct sr_web_req *rq, int pb, unsigned status,
    const struct sr_buf *b)
{
	struct MHD_Response *r = sr_web_text(rq->w, b->data, b->len,
	    pb ? "application/x-protobuf" : "application/json");

	if (status == 503)
		(void)MHD_add_response_header(r, "Retry-After", OTLP_RETRY_S);
	return sr_web_reply(rq, status, r);
}

/*
 * An error answer: a google.rpc.Status for a protobuf request (as OTLP
 * asks), sitrep's {"error","status"} for a JSON one; logged unless quiet.
 */
static enum MHD_Result
otlp_error(const struct sr_web_req *rq, int pb, unsigned status,
    const char *msg)
{
	struct sr_buf b;
	enum MHD_Result ret;

	if (!pb) {
		if (status == 503) {
			sr_buf_init(&b);
			sr_buf_adds(&b, "{\"error\":");
			sr_buf_add_json_str(&b, msg);
			sr_buf_addf(&b, ",\"status\":%u}", status);
			if (!rq->cfg->quiet)
				sr_web_log(rq->w, "%u POST %s: %s", status,
				    rq->url, msg);
			ret = otlp_send(rq, 0, status, &b);
			sr_buf_release(&b);
			return ret;
		}
		return sr_web_error(rq, status, msg);
	}
	if (!rq->cfg->quiet)
		sr_web_log(rq->w, "%u POST %s: %s", status, rq->url, msg);
	sr_buf_init(&b);
	sr_otlp_pb_status(&b,
	    status == 503 ? OTLP_UNAVAILABLE : OTLP_INVALID_ARGUMENT, msg);
	ret = otlp_send(rq, 1, status, &b);
	sr_buf_release(&b);
	return ret;
}

/* 200: nothing refused, or partialSuccess with the count and why. */
static enum MHD_Result
otlp_ok(const struct sr_web_req *rq, const struct otlp_post *op)
{
	struct sr_buf b;
	enum MHD_Result ret;
	const char *msg = op->rejected > 0 ? op->msg : NULL;

	sr_buf_init(&b);
	if (op->pb)
		sr_otlp_pb_response(&b, op->rejected, msg);
	else
		sr_otlp_json_response(&b, op->sig, op->rejected, msg);
	ret = otlp_send(rq, op->pb, 200, &b);
	sr_buf_release(&b);
	return ret;
}

/*
 * Inflate a gzip body into out, at most max bytes (the body limit holds
 * for what it inflates to).  0; -1 with err set for a body that is not
 * gzip (400); -2 when it inflates past max (413).
 */
static int
otlp_gunzip(const struct sr_buf *in, size_t max, struct sr_buf *out,
    struct sr_err *err)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip wrapper, as Content-Encoding: gzip means */
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return sr_err_set(err, "cannot inflate the body: zlib failed");
	z.next_in = (Bytef *)(uintptr_t)in->data;
	z.avail_in = (uInt)in->len;
	do {
		if (out->len == max) {
			inflateEnd(&z);
			return -2;
		}
		sr_buf_grow(out,
		    64 * 1024 < max - out->len ? 64 * 1024 : max - out->len);
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)(out->cap - out->len - 1 < max - out->len
			? out->cap - out->len - 1
			: max - out->len);
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)((char *)z.next_out - out->data);
		out->data[out->len] = '\0';
	} while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
	inflateEnd(&z);
	if (rc != Z_STREAM_END || z.avail_in > 0)
		return sr_err_set(err,
		    "body is not gzip, or is cut short (Content-Encoding: "
		    "gzip)");
	return 0;
}

/* sr_web_later_fn: the loop said whether the post's commit succeeded. */
static enum MHD_Result
otlp_done(const struct sr_web_req *rq, void *ctx, int committed)
{
	struct otlp_post *op = ctx;

	sr_web_count_posted(rq->w, committed ? op->accepted : 0,
	    committed ? 0 : op->accepted);
	if (committed)
		return otlp_ok(rq, op);
	return otlp_error(rq, op->pb, 503,
	    "not committed: the store failed or the server is stopping; "
	    "retry later");
}

/*
 * The body as an OTLP/JSON tree, or NULL with the reason in err (400):
 * protobuf through the strict reader, JSON through cJSON; either way an
 * object whose top list, when present, is an array.
 */
static cJSON *
otlp_decode(const struct sr_buf *b, enum sr_otlp_signal sig, int pb,
    struct sr_err *err)
{
	const cJSON *top;
	cJSON *root;

	if (pb) {
		root = sr_otlp_pb_decode(sig, b->data, b->len, err);
		if (root == NULL)
			return NULL;
	} else {
		if (!sr_utf8_valid(b->data, b->len)) {
			sr_err_set(err, "body is not valid UTF-8");
			return NULL;
		}
		root = cJSON_ParseWithLength(b->data, b->len);
		if (root == NULL || !cJSON_IsObject(root)) {
			cJSON_Delete(root);
			sr_err_set(err,
			    "body is not an OTLP/JSON export request (a JSON "
			    "object)");
			return NULL;
		}
	}
	top = cJSON_GetObjectItemCaseSensitive(root, sr_otlp_top_name(sig));
	if (top != NULL && !cJSON_IsArray(top)) {
		sr_err_set(err, "'%s' is not an array", sr_otlp_top_name(sig));
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static enum MHD_Result
otlp_receive(const struct sr_web_req *rq, enum sr_otlp_signal sig)
{
	const struct sr_web_cfg *cfg = rq->cfg;
	const char *ctype, *enc;
	struct otlp_post *op;
	struct sr_parser *p;
	struct sr_event *evs = NULL, ev;
	enum sr_reject why;
	struct sr_err err;
	enum MHD_Result ret;
	cJSON *root;
	size_t cap = 0, nev;
	int64_t now = sr_now_ms();
	struct sr_buf plain;
	int pb, r, gz;

	ctype =
	    MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND, "Content-Type");
	pb = sr_web_guard_type_ok("application/x-protobuf", ctype);
	if (!cfg->accept_otlp || cfg->post == NULL)
		return otlp_error(rq, pb, 404,
		    "the OTLP receiver is off: start sitrep serve with "
		    "--accept-otlp");
	enc = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND,
	    "Content-Encoding");
	gz = enc != NULL && strcasecmp(enc, "gzip") == 0;
	if (enc != NULL && !gz && strcasecmp(enc, "identity") != 0)
		return otlp_error(rq, pb, 415,
		    "unsupported Content-Encoding: send gzip or none");
	if (rq->body_too_large)
		return otlp_error(rq, pb, 413, "request body too large");
	if (gz) {
		sr_buf_init(&plain);
		r = otlp_gunzip(rq->body, cfg->max_body, &plain, &err);
		if (r < 0) {
			sr_buf_release(&plain);
			return otlp_error(rq, pb, r == -2 ? 413 : 400,
			    r == -2 ? "request body too large once inflated"
				    : err.msg);
		}
	}
	root = otlp_decode(gz ? &plain : rq->body, sig, pb, &err);
	if (gz)
		sr_buf_release(&plain);
	if (root == NULL)
		return otlp_error(rq, pb, 400, err.msg);
	op = sr_xcalloc(1, sizeof(*op));
	op->sig = sig;
	op->pb = pb;
	p = sr_parser_new(SR_FMT_OTLP);
	for (r = sr_parser_otlp(p, root, sig, now, &ev, &why, &err); r != 0;
	     r = sr_parser_more(p, now, &ev, &why, &err)) {
		if (r < 0) {
			if (op->rejected++ == 0)
				(void)snprintf(op->msg, sizeof(op->msg),
				    "%s: %s", sr_reject_name(why), err.msg);
			continue;
		}
		if (op->accepted == cap) {
			cap = cap ? cap * 2 : 64;
			evs = sr_xrealloc(evs, cap * sizeof(*evs));
		}
		sr_event_copy(&evs[op->accepted++], &ev);
	}
	sr_parser_free(p); /* and the tree */
	if (op->rejected > 0) {
		char first[sizeof(op->msg)];

		memcpy(first, op->msg, sizeof(first));
		(void)snprintf(op->msg, sizeof(op->msg),
		    "%" PRId64 " of %" PRId64 " %s refused; the first: %.360s",
		    op->rejected, op->rejected + (int64_t)op->accepted,
		    sr_otlp_item_name(sig), first); /* cut: still one line */
		if (!cfg->quiet)
			sr_web_log(rq->w, "POST %s: %s", rq->url, op->msg);
	}
	if (op->accepted == 0) {
		ret = otlp_ok(rq, op); /* nothing to commit */
		free(op);
		free(evs);
		return ret;
	}
	nev = op->accepted; /* op belongs to the server after a post */
	if (sr_web_post_later(rq, evs, nev, otlp_done, free, op, &err) == 0) {
		ret = MHD_YES; /* answered after the commit */
	} else {
		char msg[320];

		(void)snprintf(msg, sizeof(msg), "%s; retry later", err.msg);
		sr_web_count_posted(rq->w, 0, nev);
		ret = otlp_error(rq, pb, 503, msg);
		free(op);
	}
	for (size_t i = 0; i < nev; i++)
		sr_event_release(&evs[i]); /* the loop keeps its own copies */
	free(evs);
	return ret;
}

static enum MHD_Result
sr_route_otlp_traces(const struct sr_web_req *rq)
{
	return otlp_receive(rq, SR_OTLP_TRACES);
}

static enum MHD_Result
sr_route_otlp_logs(const struct sr_web_req *rq)
{
	return otlp_receive(rq, SR_OTLP_LOGS);
}

/* Rows of the route table (web/route.c lists them, in order). */
const struct sr_web_route sr_web_route_otlp_traces = { "POST", "/v1/traces",
	SR_WEB_EXACT, SR_WEB_AUTH | SR_WEB_IF_OTLP | SR_WEB_OTLP_PORT, { 0, 0 },
	sr_route_otlp_traces, NULL, NULL, NULL,
	"application/json,application/x-protobuf" };
const struct sr_web_route sr_web_route_otlp_logs = { "POST", "/v1/logs",
	SR_WEB_EXACT, SR_WEB_AUTH | SR_WEB_IF_OTLP | SR_WEB_OTLP_PORT, { 0, 0 },
	sr_route_otlp_logs, NULL, NULL, NULL,
	"application/json,application/x-protobuf" };
