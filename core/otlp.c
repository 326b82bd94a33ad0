/* SPDX-License-Identifier: MIT */
/*
 * otlp: see otlp.h.  The reader is table-driven: each OTLP message is a
 * list of (field number, JSON name, kind) rows taken from the .proto
 * files of opentelemetry-proto v1.11.0
 * (https://github.com/open-telemetry/opentelemetry-proto, tag v1.11.0:
 * common.proto, resource.proto, trace.proto and logs.proto under
 * opentelemetry/proto/, and trace_service.proto and logs_service.proto
 * under opentelemetry/proto/collector/), and
 * the JSON names are those of the OTLP/JSON encoding (proto3 JSON's
 * lowerCamelCase).  Every read is checked against the end of its
 * enclosing message before it happens.
 */
#include "core/otlp.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* How a field is read and what JSON it becomes. */
enum pb_kind {
	PB_STRING,  /* LEN: UTF-8 string */
	PB_HEX,	    /* LEN: bytes as lower-case hex (trace and span ids) */
	PB_BASE64,  /* LEN: bytes as base64 (AnyValue.bytes_value) */
	PB_MSG,	    /* LEN: a nested message, an object */
	PB_FIXED64, /* I64: unsigned, as a decimal string (times) */
	PB_DOUBLE,  /* I64: a number */
	PB_FIXED32, /* I32: a number (flags) */
	PB_INT64,   /* VARINT: signed 64-bit, as a decimal string */
	PB_UINT32,  /* VARINT: a number (counts) */
	PB_ENUM,    /* VARINT: int32, a number */
	PB_BOOL	    /* VARINT: true/false */
};

enum pb_wire {
	W_VARINT = 0,
	W_I64 = 1,
	W_LEN = 2,
	W_I32 = 5
};

struct pb_msg;

struct pb_field {
	uint32_t num;
	const char *json;
	unsigned char kind;	/* enum pb_kind */
	unsigned char repeated; /* an array of them */
	const struct pb_msg *msg;
};

struct pb_msg {
	const struct pb_field *f;
	size_t n;
	int oneof; /* every field is one member of a oneof (AnyValue) */
};

#define PB_ROWS(a) a, sizeof(a) / sizeof((a)[0])

/* ---- the messages (common.proto, resource.proto) ---- */
static const struct pb_msg m_anyvalue, m_keyvalue;

static const struct pb_field f_arrayvalue[] = {
	{ 1, "values", PB_MSG, 1, &m_anyvalue },
};
static const struct pb_msg m_arrayvalue = { PB_ROWS(f_arrayvalue), 0 };
static const struct pb_field f_kvlist[] = {
	{ 1, "values", PB_MSG, 1, &m_keyvalue },
};
static const struct pb_msg m_kvlist = { PB_ROWS(f_kvlist), 0 };
static const struct pb_field f_anyvalue[] = {
	{ 1, "stringValue", PB_STRING, 0, NULL },
	{ 2, "boolValue", PB_BOOL, 0, NULL },
	{ 3, "intValue", PB_INT64, 0, NULL },
	{ 4, "doubleValue", PB_DOUBLE, 0, NULL },
	{ 5, "arrayValue", PB_MSG, 0, &m_arrayvalue },
	{ 6, "kvlistValue", PB_MSG, 0, &m_kvlist },
	{ 7, "bytesValue", PB_BASE64, 0, NULL },
};
static const struct pb_msg m_anyvalue = { PB_ROWS(f_anyvalue), 1 };
static const struct pb_field f_keyvalue[] = {
	{ 1, "key", PB_STRING, 0, NULL },
	{ 2, "value", PB_MSG, 0, &m_anyvalue },
};
static const struct pb_msg m_keyvalue = { PB_ROWS(f_keyvalue), 0 };
static const struct pb_field f_scope[] = {
	{ 1, "name", PB_STRING, 0, NULL },
	{ 2, "version", PB_STRING, 0, NULL },
	{ 3, "attributes", PB_MSG, 1, &m_keyvalue },
	{ 4, "droppedAttributesCount", PB_UINT32, 0, NULL },
};
static const struct pb_msg m_scope = { PB_ROWS(f_scope), 0 };
static const struct pb_field f_resource[] = {
	{ 1, "attributes", PB_MSG, 1, &m_keyvalue },
	{ 2, "droppedAttributesCount", PB_UINT32, 0, NULL },
};
static const struct pb_msg m_resource = { PB_ROWS(f_resource), 0 };

/* ---- trace.proto, collector/trace/v1/trace_service.proto ---- */
static const struct pb_field f_status[] = {
	{ 2, "message", PB_STRING, 0, NULL },
	{ 3, "code", PB_ENUM, 0, NULL },
};
static const struct pb_msg m_status = { PB_ROWS(f_status), 0 };
static const struct pb_field f_event[] = {
	{ 1, "timeUnixNano", PB_FIXED64, 0, NULL },
	{ 2, "name", PB_STRING, 0, NULL },
	{ 3, "attributes", PB_MSG, 1, &m_keyvalue },
	{ 4, "droppedAttributesCount", PB_UINT32, 0, NULL },
};
static const struct pb_msg m_event = { PB_ROWS(f_event), 0 };
static const struct pb_field f_link[] = {
	{ 1, "traceId", PB_HEX, 0, NULL },
	{ 2, "spanId", PB_HEX, 0, NULL },
	{ 3, "traceState", PB_STRING, 0, NULL },
	{ 4, "attributes", PB_MSG, 1, &m_keyvalue },
	{ 5, "droppedAttributesCount", PB_UINT32, 0, NULL },
	{ 6, "flags", PB_FIXED32, 0, NULL },
};
static const struct pb_msg m_link = { PB_ROWS(f_link), 0 };
static const struct pb_field f_span[] = {
	{ 1, "traceId", PB_HEX, 0, NULL },
	{ 2, "spanId", PB_HEX, 0, NULL },
	{ 3, "traceState", PB_STRING, 0, NULL },
	{ 4, "parentSpanId", PB_HEX, 0, NULL },
	{ 5, "name", PB_STRING, 0, NULL },
	{ 6, "kind", PB_ENUM, 0, NULL },
	{ 7, "startTimeUnixNano", PB_FIXED64, 0, NULL },
	{ 8, "endTimeUnixNano", PB_FIXED64, 0, NULL },
	{ 9, "attributes", PB_MSG, 1, &m_keyvalue },
	{ 10, "droppedAttributesCount", PB_UINT32, 0, NULL },
	{ 11, "events", PB_MSG, 1, &m_event },
	{ 12, "droppedEventsCount", PB_UINT32, 0, NULL },
	{ 13, "links", PB_MSG, 1, &m_link },
	{ 14, "droppedLinksCount", PB_UINT32, 0, NULL },
	{ 15, "status", PB_MSG, 0, &m_status },
	{ 16, "flags", PB_FIXED32, 0, NULL },
};
static const struct pb_msg m_span = { PB_ROWS(f_span), 0 };
static const struct pb_field f_scopespans[] = {
	{ 1, "scope", PB_MSG, 0, &m_scope },
	{ 2, "spans", PB_MSG, 1, &m_span },
	{ 3, "schemaUrl", PB_STRING, 0, NULL },
};
static const struct pb_msg m_scopespans = { PB_ROWS(f_scopespans), 0 };
static const struct pb_field f_resourcespans[] = {
	{ 1, "resource", PB_MSG, 0, &m_resource },
	{ 2, "scopeSpans", PB_MSG, 1, &m_scopespans },
	{ 3, "schemaUrl", PB_STRING, 0, NULL },
};
static const struct pb_msg m_resourcespans = { PB_ROWS(f_resourcespans), 0 };
static const struct pb_field f_tracereq[] = {
	{ 1, "resourceSpans", PB_MSG, 1, &m_resourcespans },
};
static const struct pb_msg m_tracereq = { PB_ROWS(f_tracereq), 0 };

/* ---- logs.proto, collector/logs/v1/logs_service.proto ---- */
static const struct pb_field f_logrecord[] = {
	{ 1, "timeUnixNano", PB_FIXED64, 0, NULL },
	{ 2, "severityNumber", PB_ENUM, 0, NULL },
	{ 3, "severityText", PB_STRING, 0, NULL },
	{ 5, "body", PB_MSG, 0, &m_anyvalue },
	{ 6, "attributes", PB_MSG, 1, &m_keyvalue },
	{ 7, "droppedAttributesCount", PB_UINT32, 0, NULL },
	{ 8, "flags", PB_FIXED32, 0, NULL },
	{ 9, "traceId", PB_HEX, 0, NULL },
	{ 10, "spanId", PB_HEX, 0, NULL },
	{ 11, "observedTimeUnixNano", PB_FIXED64, 0, NULL },
	{ 12, "eventName", PB_STRING, 0, NULL },
};
static const struct pb_msg m_logrecord = { PB_ROWS(f_logrecord), 0 };
static const struct pb_field f_scopelogs[] = {
	{ 1, "scope", PB_MSG, 0, &m_scope },
	{ 2, "logRecords", PB_MSG, 1, &m_logrecord },
	{ 3, "schemaUrl", PB_STRING, 0, NULL },
};
static const struct pb_msg m_scopelogs = { PB_ROWS(f_scopelogs), 0 };
static const struct pb_field f_resourcelogs[] = {
	{ 1, "resource", PB_MSG, 0, &m_resource },
	{ 2, "scopeLogs", PB_MSG, 1, &m_scopelogs },
	{ 3, "schemaUrl", PB_STRING, 0, NULL },
};
static const struct pb_msg m_resourcelogs = { PB_ROWS(f_resourcelogs), 0 };
static const struct pb_field f_logsreq[] = {
	{ 1, "resourceLogs", PB_MSG, 1, &m_resourcelogs },
};
static const struct pb_msg m_logsreq = { PB_ROWS(f_logsreq), 0 };

const char *
sr_otlp_top_name(enum sr_otlp_signal sig)
{
	return sig == SR_OTLP_TRACES ? "resourceSpans" : "resourceLogs";
}

const char *
sr_otlp_item_name(enum sr_otlp_signal sig)
{
	return sig == SR_OTLP_TRACES ? "spans" : "log records";
}

/* ---- the reader ---- */

/* A bounded view of the input: [p, end). */
struct pb_in {
	const unsigned char *p, *end;
	const unsigned char *start; /* of the whole request, for offsets */
};

static int
pb_fail(const struct pb_in *in, struct sr_err *err, const char *what)
{
	return sr_err_set(err, "not an OTLP protobuf request: %s at byte %zu",
	    what, (size_t)(in->p - in->start));
}

/* A base-128 varint of at most 10 bytes.  0 or -1. */
static int
pb_varint(struct pb_in *in, uint64_t *out, struct sr_err *err)
{
	uint64_t v = 0;

	for (int i = 0; i < 10; i++) {
		unsigned char b;

		if (in->p >= in->end)
			return pb_fail(in, err, "truncated varint");
		b = *in->p++;
		if (i == 9 && b > 1)
			return pb_fail(in, err, "varint over 64 bits");
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			*out = v;
			return 0;
		}
	}
	return pb_fail(in, err, "varint over 64 bits");
}

/* n little-endian bytes (4 or 8). */
static int
pb_fixed(struct pb_in *in, int n, uint64_t *out, struct sr_err *err)
{
	uint64_t v = 0;

	if (in->end - in->p < n)
		return pb_fail(in, err, "truncated fixed-width value");
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | in->p[i];
	in->p += n;
	*out = v;
	return 0;
}

/* A length prefix, checked against what is left of the message. */
static int
pb_len(struct pb_in *in, size_t *out, struct sr_err *err)
{
	uint64_t n;

	if (pb_varint(in, &n, err) < 0)
		return -1;
	if (n > (uint64_t)(in->end - in->p))
		return pb_fail(in, err, "length past the end of its message");
	*out = (size_t)n;
	return 0;
}

static int
pb_skip(struct pb_in *in, unsigned wire, struct sr_err *err)
{
	uint64_t v;
	size_t n;

	switch (wire) {
	case W_VARINT:
		return pb_varint(in, &v, err);
	case W_I64:
		return pb_fixed(in, 8, &v, err);
	case W_I32:
		return pb_fixed(in, 4, &v, err);
	case W_LEN:
		if (pb_len(in, &n, err) < 0)
			return -1;
		in->p += n;
		return 0;
	default:
		return pb_fail(in, err, "group or unknown wire type");
	}
}

static unsigned
pb_wire_of(enum pb_kind k)
{
	switch (k) {
	case PB_FIXED64:
	case PB_DOUBLE:
		return W_I64;
	case PB_FIXED32:
		return W_I32;
	case PB_INT64:
	case PB_UINT32:
	case PB_ENUM:
	case PB_BOOL:
		return W_VARINT;
	default:
		return W_LEN;
	}
}

static cJSON *
pb_hex(const unsigned char *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	struct sr_buf s;
	cJSON *j;

	sr_buf_init(&s);
	for (size_t i = 0; i < n; i++) {
		sr_buf_addc(&s, hex[b[i] >> 4]);
		sr_buf_addc(&s, hex[b[i] & 15]);
	}
	j = cJSON_CreateString(s.data);
	sr_buf_release(&s);
	return j;
}

static cJSON *
pb_base64(const unsigned char *b, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	struct sr_buf s;
	cJSON *j;

	sr_buf_init(&s);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)b[i + 1] << 8;
		if (i + 2 < n)
			v |= b[i + 2];
		sr_buf_addc(&s, tab[v >> 18 & 63]);
		sr_buf_addc(&s, tab[v >> 12 & 63]);
		sr_buf_addc(&s, i + 1 < n ? tab[v >> 6 & 63] : '=');
		sr_buf_addc(&s, i + 2 < n ? tab[v & 63] : '=');
	}
	j = cJSON_CreateString(s.data);
	sr_buf_release(&s);
	return j;
}

static cJSON *
pb_decimal(int neg, uint64_t v)
{
	char t[32];

	if (neg)
		(void)snprintf(t, sizeof t, "%" PRId64, (int64_t)v);
	else
		(void)snprintf(t, sizeof t, "%" PRIu64, v);
	return cJSON_CreateString(t); /* fits: at most 20 digits and sign */
}

static int pb_message(struct pb_in *in, const struct pb_msg *m, cJSON *obj,
    int depth, struct sr_err *err);

/* Put v under f's name in obj: appended, or replacing the last value. */
static void
pb_put(cJSON *obj, const struct pb_field *f, cJSON *v)
{
	if (f->repeated) {
		cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, f->json);

		if (a == NULL)
			a = cJSON_AddArrayToObject(obj, f->json);
		if (a == NULL)
			SR_BUG("cJSON out of memory");
		cJSON_AddItemToArray(a, v);
	} else if (cJSON_GetObjectItemCaseSensitive(obj, f->json) != NULL) {
		cJSON_ReplaceItemInObjectCaseSensitive(obj, f->json, v);
	} else {
		cJSON_AddItemToObject(obj, f->json, v);
	}
}

/* Read the value of field f (its tag read, wire type checked). */
static int
pb_value(struct pb_in *in, const struct pb_field *f, cJSON *obj, int depth,
    struct sr_err *err)
{
	uint64_t v = 0;
	size_t n;
	cJSON *j = NULL;
	double d;

	switch ((enum pb_kind)f->kind) {
	case PB_STRING:
		if (pb_len(in, &n, err) < 0)
			return -1;
		if (memchr(in->p, '\0', n) != NULL ||
		    !sr_utf8_valid((const char *)in->p, n))
			return pb_fail(in, err,
			    "string with a NUL byte or bad UTF-8");
		j = cJSON_CreateString("");
		if (j == NULL)
			SR_BUG("cJSON out of memory");
		cJSON_free(j->valuestring);
		j->valuestring = cJSON_malloc(n + 1);
		if (j->valuestring == NULL)
			SR_BUG("cJSON out of memory");
		memcpy(j->valuestring, in->p, n);
		j->valuestring[n] = '\0';
		in->p += n;
		break;
	case PB_HEX:
	case PB_BASE64:
		if (pb_len(in, &n, err) < 0)
			return -1;
		j = f->kind == PB_HEX ? pb_hex(in->p, n) : pb_base64(in->p, n);
		in->p += n;
		break;
	case PB_MSG: {
		struct pb_in sub;
		cJSON *cur = f->repeated
		    ? NULL
		    : cJSON_GetObjectItemCaseSensitive(obj, f->json);

		if (depth >= SR_OTLP_DEPTH)
			return pb_fail(in, err, "messages nested too deep");
		if (pb_len(in, &n, err) < 0)
			return -1;
		sub = (struct pb_in){ in->p, in->p + n, in->start };
		/* a message met twice is merged, as protobuf does */
		if (cJSON_IsObject(cur)) {
			if (pb_message(&sub, f->msg, cur, depth + 1, err) < 0)
				return -1;
			in->p += n;
			return 0;
		}
		j = cJSON_CreateObject();
		if (j == NULL)
			SR_BUG("cJSON out of memory");
		if (pb_message(&sub, f->msg, j, depth + 1, err) < 0) {
			cJSON_Delete(j);
			return -1;
		}
		in->p += n;
		break;
	}
	case PB_FIXED64:
		if (pb_fixed(in, 8, &v, err) < 0)
			return -1;
		j = pb_decimal(0, v);
		break;
	case PB_DOUBLE:
		if (pb_fixed(in, 8, &v, err) < 0)
			return -1;
		memcpy(&d, &v, sizeof d);
		/* JSON has no NaN or infinity: kept as OTLP/JSON writes them */
		j = d != d	 ? cJSON_CreateString("NaN")
		    : d > 1e308	 ? cJSON_CreateString("Infinity")
		    : d < -1e308 ? cJSON_CreateString("-Infinity")
				 : cJSON_CreateNumber(d);
		break;
	case PB_FIXED32:
		if (pb_fixed(in, 4, &v, err) < 0)
			return -1;
		j = cJSON_CreateNumber((double)v);
		break;
	case PB_INT64:
		if (pb_varint(in, &v, err) < 0)
			return -1;
		j = pb_decimal(1, v);
		break;
	case PB_UINT32:
		if (pb_varint(in, &v, err) < 0)
			return -1;
		j = cJSON_CreateNumber((double)(uint32_t)v);
		break;
	case PB_ENUM:
		if (pb_varint(in, &v, err) < 0)
			return -1;
		j = cJSON_CreateNumber((double)(int32_t)(uint32_t)v);
		break;
	case PB_BOOL:
		if (pb_varint(in, &v, err) < 0)
			return -1;
		j = cJSON_CreateBool(v != 0);
		break;
	}
	if (j == NULL)
		SR_BUG("cJSON out of memory");
	pb_put(obj, f, j);
	return 0;
}

/* The fields of message m from in into obj, until in's end. */
static int
pb_message(struct pb_in *in, const struct pb_msg *m, cJSON *obj, int depth,
    struct sr_err *err)
{
	while (in->p < in->end) {
		uint64_t tag;
		uint32_t num;
		unsigned wire;
		const struct pb_field *f = NULL;

		if (pb_varint(in, &tag, err) < 0)
			return -1;
		num = (uint32_t)(tag >> 3);
		wire = (unsigned)(tag & 7);
		if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
			return pb_fail(in, err, "bad field number");
		for (size_t i = 0; i < m->n; i++)
			if (m->f[i].num == num)
				f = &m->f[i];
		if (f == NULL) {
			if (pb_skip(in, wire, err) < 0)
				return -1;
			continue;
		}
		if (wire != pb_wire_of((enum pb_kind)f->kind))
			return pb_fail(in, err,
			    "known field with a wrong type");
		if (m->oneof) {
			/* a later member of the oneof replaces the earlier */
			cJSON *c = obj->child;

			while (c != NULL) {
				cJSON *next = c->next;

				if (strcmp(c->string, f->json) != 0)
					cJSON_Delete(
					    cJSON_DetachItemViaPointer(obj, c));
				c = next;
			}
		}
		if (pb_value(in, f, obj, depth, err) < 0)
			return -1;
	}
	return 0;
}

void *
sr_otlp_pb_decode(enum sr_otlp_signal sig, const void *buf, size_t len,
    struct sr_err *err)
{
	const unsigned char *b = len > 0 ? buf : (const unsigned char *)"";
	struct pb_in in = { b, b + len, b };
	cJSON *root = cJSON_CreateObject();

	if (root == NULL)
		SR_BUG("cJSON out of memory");
	if (pb_message(&in, sig == SR_OTLP_TRACES ? &m_tracereq : &m_logsreq,
		root, 0, err) < 0) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* ---- the answers ---- */

static void
pb_put_varint(struct sr_buf *out, uint64_t v)
{
	while (v >= 0x80) {
		sr_buf_addc(out, (char)((v & 0x7f) | 0x80));
		v >>= 7;
	}
	sr_buf_addc(out, (char)v);
}

static void
pb_put_string(struct sr_buf *out, uint32_t num, const char *s)
{
	size_t n = strlen(s);

	pb_put_varint(out, (uint64_t)num << 3 | W_LEN);
	pb_put_varint(out, n);
	sr_buf_add(out, s, n);
}

void
sr_otlp_pb_response(struct sr_buf *out, int64_t rejected, const char *msg)
{
	struct sr_buf ps;

	if (rejected == 0 && msg == NULL)
		return;
	sr_buf_init(&ps);
	if (rejected != 0) {
		pb_put_varint(&ps, 1 << 3 | W_VARINT);
		pb_put_varint(&ps, (uint64_t)rejected);
	}
	if (msg != NULL && *msg != '\0')
		pb_put_string(&ps, 2, msg);
	pb_put_varint(out, 1 << 3 | W_LEN);
	pb_put_varint(out, ps.len);
	sr_buf_add(out, ps.data, ps.len);
	sr_buf_release(&ps);
}

void
sr_otlp_pb_status(struct sr_buf *out, int code, const char *msg)
{
	if (code != 0) {
		pb_put_varint(out, 1 << 3 | W_VARINT);
		pb_put_varint(out, (uint64_t)(int64_t)code);
	}
	if (msg != NULL && *msg != '\0')
		pb_put_string(out, 2, msg);
}

void
sr_otlp_json_response(struct sr_buf *out, enum sr_otlp_signal sig,
    int64_t rejected, const char *msg)
{
	if (rejected == 0 && msg == NULL) {
		sr_buf_adds(out, "{}");
		return;
	}
	sr_buf_addf(out, "{\"partialSuccess\":{\"%s\":\"%" PRId64 "\"",
	    sig == SR_OTLP_TRACES ? "rejectedSpans" : "rejectedLogRecords",
	    rejected);
	if (msg != NULL) {
		sr_buf_adds(out, ",\"errorMessage\":");
		sr_buf_add_json_str(out, msg);
	}
	sr_buf_adds(out, "}}");
}
