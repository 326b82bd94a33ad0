/* SPDX-License-Identifier: MIT */
/*
 * parse: see parse.h.  Every format turns a line into a list of key/value
 * pairs that one dispatcher maps onto the event model: a key table built
 * from the field table's aliases (core/field.h), with a per-parser index
 * on the first byte, names the field, the conversion and a rank, so that
 * when a line carries two aliases of one field the better-ranked one wins
 * and the other is kept in metadata.  Conversion happens after the walk,
 * in field table order, so a displaced alias is never converted.  A JSON
 * object is walked for dotted paths ("usage.prompt_tokens" finds the
 * member of "usage") and kept whole in metadata too.  The combined
 * access-log format is matched by hand and fills the event directly; the
 * declared formats (core/parse_fmt.c) hand their values over through
 * core/parse_int.h.
 *
 * The event kind: a line that names none is a "request" when it carries
 * a status (any value), a latency or an HTTP method, and a "log"
 * otherwise.
 *
 * Memory: the returned event's strings point into the parser (the cJSON
 * tree of the line, a scratch copy of the line for logfmt and combined,
 * the metadata buffer, small number buffers), all reused and valid until
 * the next call.
 */
#include "core/parse.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/field.h"
#include "core/hmap.h"
#include "core/otlp.h"
#include "core/parse_int.h"
#include "core/timeutil.h"

/*
 * The parser's key table, built from the field table: a key fills the
 * slot of its field (indexed by enum sr_field_id).
 */
struct parse_key {
	const char *name;
	size_t len;
	unsigned char slot; /* enum sr_field_id */
	unsigned char conv; /* enum sr_field_read */
	unsigned char rank; /* lower wins */
};

#define PARSE_MAXKEYS 192
#define PARSE_BUCKET 40	    /* most keys sharing a first byte */
#define PARSE_DEPTH 4	    /* levels of nested objects walked */
#define PARSE_KEYARENA 8192 /* dotted paths of one line */

enum parse_vtype {
	V_NULL,
	V_FALSE,
	V_TRUE,
	V_NUM,
	V_STR,
	V_OBJ,
	V_ARR
};

/* One key/value pair of a line, whatever the format. */
struct parse_val {
	const char *key;
	char *s;	    /* V_STR: NUL-terminated, mutable */
	const cJSON *node;  /* JSON: the value, for printing */
	double d;	    /* V_NUM */
	unsigned char type; /* enum parse_vtype */
	unsigned char conv; /* of the key it came under */
	unsigned char rank;
};

#define RANK_UNSET 255

/* A value kept in metadata for a reason `sitrep parse --explain` shows. */
struct parse_note {
	const char *key;
	const char *why;
};

struct sr_parser {
	enum sr_format fmt;
	struct parse_plan *plan; /* template formats and their presets */
	double dur_unit_ms;	 /* a bare duration's unit, 0: unknown */
	const char *used;	 /* format of the last line */
	char notice[480];
	int notice_state; /* 0 none, 1 to hand out, 2 handed out */
	int status_seen, method_seen;
	char keyarena[PARSE_KEYARENA];
	size_t keyused;
	struct sr_buf msgbuf; /* a MESSAGE sent as bytes */
	struct parse_note *notes;
	size_t nnotes, capnotes;
	int explain; /* keep notes for sr_parser_explain() */
	char visbuf[24];
	int64_t line_ts; /* the instant a format read itself */
	int has_line_ts;
	/* OTLP: the record handed out last, and what holds it */
	const cJSON *otlp_res, *otlp_rl, *otlp_sl, *otlp_rec;
	enum sr_otlp_signal otlp_sig; /* spans or log records */
	char otlp_num[2][24];	      /* a span's duration and TTFT, in ns */
	cJSON *json;		      /* tree of the last JSON line */
	struct sr_buf scratch; /* mutable copy of a logfmt/combined line */
	struct sr_buf meta;    /* metadata text of the last line */
	char *default_service;
	uint64_t id_seq;
	uint32_t id_seed;
	char idbuf[64];
	char numbuf[3][32]; /* numeric ids as text */
	/* Per line: the winning value of each slot, and metadata items. */
	struct parse_val slot[SR_FIELD__COUNT];
	struct parse_val *items;
	size_t nitems, capitems;
	const cJSON *meta_obj;
	unsigned has;
	/* Keys, and an index of them by first byte. */
	struct parse_key keys[PARSE_MAXKEYS];
	size_t nkeys;
	unsigned char bucket[128][PARSE_BUCKET];
	unsigned char nbucket[128];
};

const char *
sr_reject_name(enum sr_reject why)
{
	switch (why) {
	case SR_REJ_NOT_JSON:
		return "not_json";
	case SR_REJ_NOT_OBJECT:
		return "not_object";
	case SR_REJ_BAD_FIELD:
		return "bad_field";
	case SR_REJ_BAD_TIME:
		return "bad_time";
	case SR_REJ_TOO_LONG:
		return "too_long";
	case SR_REJ_BAD_UTF8:
		return "bad_utf8";
	case SR_REJ_UNRECOGNISED:
		return "unrecognised";
	case SR_REJ__COUNT:
		break;
	}
	return "unknown";
}

struct sr_parser *
sr_parser_new(enum sr_format fmt)
{
	struct sr_format_spec spec = { .fmt = fmt };

	return sr_parser_new_spec(&spec);
}

struct sr_parser *
sr_parser_new_spec(const struct sr_format_spec *spec)
{
	struct sr_parser *p = sr_xcalloc(1, sizeof *p);
	uintptr_t a = (uintptr_t)p;
	const char *tmpl = spec->tmpl;
	int apache = spec->fmt == SR_FMT_APACHE;

	p->fmt = spec->fmt;
	if (p->fmt != SR_FMT_NGINX && p->fmt != SR_FMT_APACHE)
		tmpl = parse_preset_template(p->fmt, &apache);
	if (tmpl != NULL &&
	    (p->plan = parse_plan_compile(tmpl, apache, NULL)) == NULL)
		SR_BUG("parse: a format that did not compile");
	if (p->fmt == SR_FMT_CADDY)
		p->dur_unit_ms = 1000; /* Caddy logs float seconds */
	sr_buf_init(&p->scratch);
	sr_buf_init(&p->meta);
	sr_buf_init(&p->msgbuf);
	/* Seed generated ids so that parsers of one process differ. */
	p->id_seed =
	    (uint32_t)(sr_mono_us() ^ (a >> 4) ^ (a >> 32)) * 2654435761u;
	for (int f = 0; f < SR_FIELD__COUNT; f++) {
		for (const struct sr_field_alias *al = sr_fields[f].aliases;
		     al->name != NULL; al++) {
			if (p->nkeys >= PARSE_MAXKEYS)
				SR_BUG("parse key table overflow");
			p->keys[p->nkeys++] =
			    (struct parse_key){ al->name, strlen(al->name),
				    (unsigned char)f, al->read, al->rank };
		}
	}
	for (size_t i = 0; i < p->nkeys; i++) {
		unsigned c = (unsigned char)p->keys[i].name[0] & 127;

		if (p->nbucket[c] >= PARSE_BUCKET)
			SR_BUG("parse key bucket overflow");
		p->bucket[c][p->nbucket[c]++] = (unsigned char)i;
	}
	return p;
}

void
sr_parser_free(struct sr_parser *p)
{
	if (p == NULL)
		return;
	cJSON_Delete(p->json);
	parse_plan_free(p->plan);
	sr_buf_release(&p->scratch);
	sr_buf_release(&p->meta);
	sr_buf_release(&p->msgbuf);
	free(p->notes);
	free(p->items);
	free(p->default_service);
	free(p);
}

void
sr_parser_set_default_service(struct sr_parser *p, const char *name)
{
	free(p->default_service);
	p->default_service =
	    name != NULL && *name != '\0' ? sr_xstrdup(name) : NULL;
}

static const struct parse_key *
parse_lookup(const struct sr_parser *p, const char *key)
{
	unsigned c = (unsigned char)key[0];
	size_t n;

	if (c >= 128 || p->nbucket[c] == 0)
		return NULL;
	n = strlen(key);
	for (unsigned i = 0; i < p->nbucket[c]; i++) {
		const struct parse_key *k = &p->keys[p->bucket[c][i]];

		if (k->len == n && memcmp(k->name + 1, key + 1, n - 1) == 0)
			return k;
	}
	return NULL;
}

static const char *
parse_type_name(const struct parse_val *v)
{
	switch (v->type) {
	case V_NULL:
		return "null";
	case V_FALSE:
	case V_TRUE:
		return "boolean";
	case V_NUM:
		return "number";
	case V_STR:
		return "string";
	case V_OBJ:
		return "object";
	case V_ARR:
		return "array";
	}
	return "?";
}

static void
parse_note(struct sr_parser *p, const char *key, const char *why)
{
	if (!p->explain)
		return; /* only `sitrep parse --explain` reads them */
	if (p->nnotes == p->capnotes) {
		p->capnotes = p->capnotes ? p->capnotes * 2 : 16;
		p->notes =
		    sr_xrealloc(p->notes, p->capnotes * sizeof *p->notes);
	}
	p->notes[p->nnotes++] = (struct parse_note){ key, why };
}

/* Keep a value in metadata. */
static void
parse_item(struct sr_parser *p, const struct parse_val *v)
{
	if (p->nitems == p->capitems) {
		p->capitems = p->capitems ? p->capitems * 2 : 16;
		p->items =
		    sr_xrealloc(p->items, p->capitems * sizeof *p->items);
	}
	p->items[p->nitems++] = *v;
}

static int
parse_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A decimal number in text (sign, digits, fraction, exponent, blanks
 * around), independent of the locale.  0 or -1.
 */
static int
parse_number_text(const char *s, double *out)
{
	uint64_t mant = 0;
	int exp10 = 0, nd = 0, neg = 0, e = 0, eneg = 0;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; parse_is_digit(*s); s++, nd++) {
		if (mant < 1000000000000000000ULL)
			mant = mant * 10 + (uint64_t)(*s - '0');
		else
			exp10++;
	}
	if (*s == '.') {
		for (s++; parse_is_digit(*s); s++, nd++) {
			if (mant < 1000000000000000000ULL) {
				mant = mant * 10 + (uint64_t)(*s - '0');
				exp10--;
			}
		}
	}
	if (nd == 0)
		return -1;
	if (*s == 'e' || *s == 'E') {
		int ed = 0;

		s++;
		if (*s == '-' || *s == '+')
			eneg = *s++ == '-';
		for (; parse_is_digit(*s); s++, ed++)
			if (e < 10000)
				e = e * 10 + (*s - '0');
		if (ed == 0)
			return -1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0')
		return -1;
	exp10 += eneg ? -e : e;
	v = (double)mant;
	if (exp10 != 0 && mant != 0)
		v = exp10 < 0 ? v / pow(10, -exp10) : v * pow(10, exp10);
	if (!isfinite(v))
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* The number a value carries (a JSON number or numeric text); 0 or -1. */
static int
parse_val_number(const struct parse_val *v, double *out)
{
	if (v->type == V_NUM) {
		*out = v->d;
		return isfinite(v->d) ? 0 : -1;
	}
	if (v->type == V_STR)
		return parse_number_text(v->s, out);
	return -1;
}

static int
parse_bad_type(const struct parse_val *v, const char *want, enum sr_reject *why,
    struct sr_err *err)
{
	*why = SR_REJ_BAD_FIELD;
	if (v->type == V_STR)
		return sr_err_set(err, "field '%s': expected %s, got \"%.40s\"",
		    v->key, want, v->s);
	return sr_err_set(err, "field '%s': expected %s, got %s", v->key, want,
	    parse_type_name(v));
}

static int
parse_level_is_error(const struct parse_val *v)
{
	static const char *const levels[] = { "error", "err", "fatal",
		"critical", "crit", "alert", "emerg", "emergency", "panic",
		NULL };
	double d;

	if (v->type == V_STR) {
		for (int i = 0; levels[i] != NULL; i++)
			if (strcasecmp(v->s, levels[i]) == 0)
				return 1;
	}
	/*
	 * Numeric levels: syslog's 0-7 (3 err and below are errors) and
	 * pino/bunyan's 10-60 (50 error, 60 fatal); the ranges are apart.
	 */
	if (v->type == V_NUM && parse_val_number(v, &d) == 0)
		return d <= 7 ? d >= 0 && d <= 3 : d >= 50;
	return 0;
}

/* 1 for a key that names an HTTP method (the line is a request). */
static int
parse_is_method_key(const char *k)
{
	static const char *const names[] = { "method", "request.method",
		"http.request.method", "http.method", "req.method",
		"request_method", "verb", NULL };

	if (k[0] != 'm' && k[0] != 'r' && k[0] != 'h' && k[0] != 'v')
		return 0;
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(k, names[i]) == 0)
			return 1;
	return 0;
}

/*
 * journald sends a MESSAGE that is not UTF-8 as an array of byte values:
 * the text, with each byte of an invalid sequence written as \xHH.  0, or
 * -1 when the array is not bytes.
 */
static int
parse_bytes_text(struct sr_parser *p, const cJSON *arr, struct parse_val *v)
{
	struct sr_buf *b = &p->msgbuf;
	size_t n = 0;

	sr_buf_reset(b);
	for (const cJSON *c = arr->child; c != NULL; c = c->next, n++) {
		if (!cJSON_IsNumber(c) || c->valuedouble < 0 ||
		    c->valuedouble > 255)
			return -1;
		sr_buf_addc(b, (char)(int)c->valuedouble);
	}
	sr_buf_addc(b, '\0');
	if (memchr(b->data, '\0', n) != NULL || !sr_utf8_valid(b->data, n)) {
		struct sr_buf t;

		sr_buf_init(&t);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)b->data[i];

			if (c >= 0x80 || c == 0)
				sr_buf_addf(&t, "\\x%02x", c);
			else
				sr_buf_addc(&t, (char)c);
		}
		sr_buf_addc(&t, '\0');
		sr_buf_release(b);
		*b = t;
	}
	v->type = V_STR;
	v->s = b->data;
	return 0;
}

/*
 * The outcome rule for a status that is not an HTTP status: "failure",
 * "failed", "fail" and "error" (any case) are errors; anything else
 * ("success", "ok" ...) is not.
 */
static int
parse_outcome_is_error(const char *s)
{
	return strcasecmp(s, "failure") == 0 || strcasecmp(s, "failed") == 0 ||
	    strcasecmp(s, "fail") == 0 || strcasecmp(s, "error") == 0;
}

/* Take one key/value of a line: into a slot, a flag, or metadata. */
static int
parse_take(struct sr_parser *p, struct parse_val *v, enum sr_reject *why,
    struct sr_err *err)
{
	const struct parse_key *k = parse_lookup(p, v->key);
	struct parse_val *cur;
	double d;

	if (k == NULL) {
		if (parse_is_method_key(v->key))
			p->method_seen = 1;
		parse_item(p, v);
		parse_note(p, v->key, "not a field of the model: in metadata");
		return 0;
	}
	v->conv = k->conv;
	v->rank = k->rank;
	if (v->type == V_OBJ && k->conv != SR_READ_META &&
	    k->conv != SR_READ_ERROR && k->conv != SR_READ_INSTANT &&
	    k->conv != SR_READ_TIME && k->conv != SR_READ_TIME_US &&
	    k->conv != SR_READ_TIME_NS) {
		/* {"service":{"name":..}}: its members are walked */
		parse_item(p, v);
		return 0;
	}
	switch (k->conv) {
	case SR_READ_META:
		if (v->type == V_OBJ && v->node != NULL && p->meta_obj == NULL)
			p->meta_obj = v->node;
		else if (v->type == V_OBJ || v->type == V_STR)
			parse_item(p, v);
		else if (v->type != V_NULL)
			return parse_bad_type(v, "an object", why, err);
		return 0;
	case SR_READ_LEVEL:
		if (parse_level_is_error(v))
			p->has |= SR_EV_IS_ERROR;
		parse_item(p, v);
		return 0;
	case SR_READ_SEVNUM:
		if (parse_val_number(v, &d) == 0 && d >= 17)
			p->has |= SR_EV_IS_ERROR;
		parse_item(p, v);
		return 0;
	case SR_READ_PRIO:
		if (parse_val_number(v, &d) == 0 && d >= 0 && d <= 3)
			p->has |= SR_EV_IS_ERROR;
		parse_item(p, v);
		return 0;
	case SR_READ_ERROR:
		if (v->type == V_TRUE || v->type == V_OBJ ||
		    (v->type == V_STR && v->s[0] != '\0'))
			p->has |= SR_EV_IS_ERROR;
		/* FALLTHROUGH */
	case SR_READ_MSG:
	case SR_READ_SOFTSTR:
		if (v->type == V_ARR && v->node != NULL &&
		    k->slot == SR_FIELD_MESSAGE &&
		    parse_bytes_text(p, v->node, v) == 0)
			break;
		if (v->type != V_STR) {
			if (v->type != V_NULL)
				parse_item(p, v);
			return 0;
		}
		break;
	default:
		if (v->type == V_NULL)
			return 0;
		break;
	}
	if (k->slot == SR_FIELD_STATUS)
		p->status_seen = 1;
	cur = &p->slot[k->slot];
	if (cur->rank <= k->rank) {
		parse_item(p, v); /* a better alias came first */
		parse_note(p, v->key, "a better name for the field came first");
		return 0;
	}
	if (cur->rank != RANK_UNSET) {
		parse_item(p, cur);
		parse_note(p, cur->key,
		    "a better name for the field came later");
	}
	*cur = *v;
	return 0;
}

/* A string field; "" counts as absent. */
static int
parse_conv_str(struct parse_val *v, const char **out, enum sr_reject *why,
    struct sr_err *err)
{
	if (v->type != V_STR)
		return parse_bad_type(v, "a string", why, err);
	*out = v->s[0] != '\0' ? v->s : NULL;
	return 0;
}

/* The path of a URL or path: no scheme and host, no query, no fragment. */
static char *
parse_path_part(char *s, int url)
{
	char *q;

	if (url) {
		char *sep = strstr(s, "://");

		if (sep != NULL && strchr(sep + 3, '/') != NULL)
			s = strchr(sep + 3, '/');
		else if (sep != NULL)
			return NULL; /* a host without path */
	}
	q = strpbrk(s, "?#");
	if (q != NULL)
		*q = '\0';
	return *s != '\0' ? s : NULL;
}

/* Convert the winning value of slot s (a field) into the event. */
static int
parse_conv_slot(struct sr_parser *p, enum sr_field_id s, struct sr_event *ev,
    enum sr_reject *why, struct sr_err *err)
{
	const struct sr_field *f = &sr_fields[s];
	struct parse_val *v = &p->slot[s];
	const char **str = NULL;
	double d = 0;
	int64_t ms;
	size_t n;

	if (f->type == SR_FIELD_TEXT)
		str = sr_field_text_at(f, ev);
	switch (v->conv) {
	case SR_READ_STR:
	case SR_READ_SOFTSTR:
	case SR_READ_MSG:
	case SR_READ_ERROR:
		return parse_conv_str(v, str, why, err);
	case SR_READ_ID:
		if (v->type == V_NUM) {
			char *b = p->numbuf[s == SR_FIELD_ID ? 0
				: s == SR_FIELD_USER	     ? 1
							     : 2];

			if (v->d == floor(v->d) && fabs(v->d) < 1e18)
				(void)snprintf(b, sizeof p->numbuf[0],
				    "%" PRId64, (int64_t)v->d);
			else
				(void)snprintf(b, sizeof p->numbuf[0], "%.17g",
				    v->d);
			*str = b;
			return 0;
		}
		if (v->type != V_STR)
			return parse_bad_type(v, "a string or number", why,
			    err);
		return parse_conv_str(v, str, why, err);
	case SR_READ_PATH:
	case SR_READ_URL:
		if (v->type != V_STR)
			return parse_bad_type(v, "a string", why, err);
		*str = parse_path_part(v->s, v->conv == SR_READ_URL);
		return 0;
	case SR_READ_UNIT:
		if (v->type != V_STR)
			return parse_bad_type(v, "a string", why, err);
		n = strlen(v->s);
		if (n > 8 && strcmp(v->s + n - 8, ".service") == 0)
			v->s[n - 8] = '\0';
		*str = v->s[0] != '\0' ? v->s : NULL;
		return 0;
	case SR_READ_TIME:
		if (v->type == V_STR
			? sr_time_parse(v->s, strlen(v->s), &ms, err)
			: v->type == V_NUM
			? sr_time_from_number(v->d, &ms, err)
			: sr_err_set(err, "expected a time, got %s",
			      parse_type_name(v))) {
			*why = SR_REJ_BAD_TIME;
			return sr_err_prefix(err, "field '%s'", v->key);
		}
		ev->ts_ms = ms;
		return 0;
	case SR_READ_TIME_US:
		if (parse_val_number(v, &d) < 0 || d < 1e14 ||
		    sr_time_from_number(d, &ms, err) < 0) {
			*why = SR_REJ_BAD_TIME;
			return sr_err_set(err,
			    "field '%s': expected epoch "
			    "microseconds",
			    v->key);
		}
		ev->ts_ms = ms;
		return 0;
	case SR_READ_STATUS:
	case SR_READ_SOFTSTATUS:
		if (parse_val_number(v, &d) < 0 || d != floor(d) || d < 100 ||
		    d > 599) {
			/*
			 * Never a reject: kept in metadata, and the words of
			 * an outcome decide it (LiteLLM's "success").
			 */
			if (v->conv == SR_READ_STATUS && v->type == V_STR &&
			    parse_outcome_is_error(v->s))
				p->has |= SR_EV_IS_ERROR;
			parse_item(p, v);
			parse_note(p, v->key,
			    "not an HTTP status (100-599): kept; the words "
			    "failure/failed/error mark an error");
			v->key = NULL; /* not the field: explain skips it */
			return 0;
		}
		sr_field_set_num(f, ev, d);
		return 0;
	case SR_READ_TIME_NS:
		if (v->type == V_STR
			? sr_time_parse(v->s, strlen(v->s), &ms, err)
			: parse_val_number(v, &d) == 0
			? sr_time_from_number(d < 1e17 ? 1e17 : d, &ms, err)
			: -1) {
			*why = SR_REJ_BAD_TIME;
			return sr_err_set(err,
			    "field '%s': expected epoch nanoseconds", v->key);
		}
		if (ms == 0 || (v->type == V_NUM && d < 1e17)) {
			/* OTel's "0": not set */
			parse_item(p, v);
			return 0;
		}
		ev->ts_ms = ms;
		return 0;
	case SR_READ_INSTANT: {
		const cJSON *sec = cJSON_GetObjectItemCaseSensitive(v->node,
				"epochSecond"),
			    *ns = cJSON_GetObjectItemCaseSensitive(v->node,
				"nanoOfSecond");

		if (v->type != V_OBJ || !cJSON_IsNumber(sec) ||
		    sec->valuedouble < 0 || sec->valuedouble > 253402300799.0 ||
		    (ns != NULL && !cJSON_IsNumber(ns))) {
			*why = SR_REJ_BAD_TIME;
			return sr_err_set(err,
			    "field '%s': expected "
			    "{\"epochSecond\":s,\"nanoOfSecond\":n}",
			    v->key);
		}
		ev->ts_ms = (int64_t)sec->valuedouble * 1000 +
		    (ns != NULL && ns->valuedouble > 0 && ns->valuedouble < 1e9
			    ? (int64_t)(ns->valuedouble / 1e6)
			    : 0);
		return 0;
	}
	case SR_READ_DUR:
	case SR_READ_NS:
	case SR_READ_US:
	case SR_READ_MS:
	case SR_READ_SEC:
	case SR_READ_INT:
	case SR_READ_FLOAT:
		if (v->type == V_STR && v->conv != SR_READ_INT &&
		    parse_duration_text(v->s, &d) == 0) {
			/* the value's own unit wins over the name's */
			sr_field_set_num(f, ev, d);
			return 0;
		}
		if (parse_val_number(v, &d) < 0)
			return parse_bad_type(v, "a number", why, err);
		if (v->conv == SR_READ_DUR && p->dur_unit_ms <= 0) {
			parse_item(p, v);
			parse_note(p, v->key,
			    "a duration without a unit: declare the format "
			    "(--format caddy, ...) or log one (\"12ms\")");
			v->key = NULL; /* not the field: explain skips it */
			return 0;
		}
		if (d < 0) {
			*why = SR_REJ_BAD_FIELD;
			return sr_err_set(err, "field '%s': negative value %g",
			    v->key, d);
		}
		if (v->conv == SR_READ_INT && (d != floor(d) || d > 9e15)) {
			*why = SR_REJ_BAD_FIELD;
			return sr_err_set(err,
			    "field '%s': %g is not a whole "
			    "count",
			    v->key, d);
		}
		break;
	default:
		SR_BUG("parse: slot without conversion");
	}
	if (f->type != SR_FIELD_INT && f->type != SR_FIELD_REAL)
		SR_BUG("parse: numeric conversion of a text slot");
	switch (v->conv) {
	case SR_READ_SEC:
		d *= 1000;
		break;
	case SR_READ_NS:
		d /= 1e6;
		break;
	case SR_READ_US:
		d /= 1e3;
		break;
	case SR_READ_DUR:
		d *= p->dur_unit_ms;
		break;
	default:
		break;
	}
	sr_field_set_num(f, ev, d);
	return 0;
}

/* Append one metadata value as JSON. */
static void
parse_write_val(struct sr_buf *b, const struct parse_val *v)
{
	char num[64];
	char *t;

	switch (v->type) {
	case V_NULL:
		sr_buf_adds(b, "null");
		return;
	case V_FALSE:
		sr_buf_adds(b, "false");
		return;
	case V_TRUE:
		sr_buf_adds(b, "true");
		return;
	case V_STR:
		sr_buf_add_json_str(b, v->s);
		return;
	default:
		break;
	}
	if (v->node == NULL) {
		(void)snprintf(num, sizeof num, "%.17g", v->d);
		sr_buf_adds(b, num);
		return;
	}
	if (v->type == V_NUM &&
	    cJSON_PrintPreallocated((cJSON *)v->node, num, sizeof num, 0)) {
		sr_buf_adds(b, num);
		return;
	}
	t = cJSON_PrintUnformatted(v->node);
	if (t == NULL)
		sr_fatal("out of memory");
	sr_buf_adds(b, t);
	cJSON_free(t);
}

static void
parse_write_node(struct sr_buf *b, const cJSON *n)
{
	struct parse_val v = { .node = n, .type = V_OBJ };

	if (cJSON_IsString(n)) {
		v.type = V_STR;
		v.s = n->valuestring;
	} else if (cJSON_IsNumber(n)) {
		v.type = V_NUM;
		v.d = n->valuedouble;
	} else if (cJSON_IsTrue(n)) {
		v.type = V_TRUE;
	} else if (cJSON_IsFalse(n)) {
		v.type = V_FALSE;
	} else if (cJSON_IsNull(n)) {
		v.type = V_NULL;
	}
	parse_write_val(b, &v);
}

static int
parse_cmp_key(const void *a, const void *b)
{
	const struct parse_val *const *x = a, *const *y = b;
	int c = strcmp((*x)->key, (*y)->key);

	/* equal keys: the earlier one first (it is the one kept) */
	return c != 0 ? c : (*x < *y ? -1 : *x > *y);
}

/*
 * Drop the items whose key an earlier item has (a line's duplicate key,
 * a dotted key beside its nested path), so metadata never holds a key
 * twice.  Items are marked by clearing their key.
 */
static void
parse_dedupe_items(struct sr_parser *p)
{
	const struct parse_val **v;
	size_t n = p->nitems;

	if (n < 2)
		return;
	if (n <= 32) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (p->items[j].key != NULL &&
				    p->items[j].key[0] == p->items[i].key[0] &&
				    strcmp(p->items[i].key, p->items[j].key) ==
					0) {
					p->items[i].key = NULL;
					break;
				}
		return;
	}
	v = sr_xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = &p->items[i];
	qsort(v, n, sizeof *v, parse_cmp_key);
	for (size_t i = n - 1; i > 0; i--)
		if (strcmp(v[i]->key, v[i - 1]->key) == 0)
			((struct parse_val *)v[i])->key = NULL;
	free(v);
}

/* Metadata text from the metadata object and the kept items, or NULL. */
static const char *
parse_write_meta(struct sr_parser *p)
{
	struct sr_buf *b = &p->meta;
	int first = 1;

	if (p->nitems == 0 && p->meta_obj == NULL)
		return NULL;
	parse_dedupe_items(p);
	sr_buf_reset(b);
	sr_buf_addc(b, '{');
	if (p->meta_obj != NULL) {
		for (const cJSON *c = p->meta_obj->child; c; c = c->next) {
			if (c->string == NULL)
				continue;
			if (!first)
				sr_buf_addc(b, ',');
			first = 0;
			sr_buf_add_json_str(b, c->string);
			sr_buf_addc(b, ':');
			parse_write_node(b, c);
		}
	}
	for (size_t i = 0; i < p->nitems; i++) {
		const struct parse_val *v = &p->items[i];

		/* A member of "metadata" wins over a top-level duplicate. */
		if (v->key == NULL ||
		    (p->meta_obj != NULL &&
			cJSON_GetObjectItemCaseSensitive(p->meta_obj, v->key)))
			continue;
		if (!first)
			sr_buf_addc(b, ',');
		first = 0;
		sr_buf_add_json_str(b, v->key);
		sr_buf_addc(b, ':');
		parse_write_val(b, v);
	}
	sr_buf_addc(b, '}');
	return b->data;
}

static void
parse_reset_line(struct sr_parser *p, struct sr_event *ev)
{
	sr_event_clear(ev);
	for (int i = 0; i < SR_FIELD__COUNT; i++)
		p->slot[i].rank = RANK_UNSET;
	p->nitems = 0;
	p->meta_obj = NULL;
	p->has = 0;
	p->status_seen = p->method_seen = 0;
	p->has_line_ts = 0;
	p->keyused = 0;
	p->nnotes = 0;
	p->dur_unit_ms = p->fmt == SR_FMT_CADDY ? 1000 : 0;
}

/* Append v in lower-case hex, without leading zeros. */
static char *
parse_hex(char *w, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (v != 0);
	while (n > 0)
		*w++ = tmp[--n];
	return w;
}

/*
 * A generated event id, "<now_ms>-<seed>-<seq>" in hex: the seed differs
 * between parsers, the sequence between lines (snprintf is too slow here).
 */
static const char *
parse_gen_id(struct sr_parser *p, int64_t now_ms)
{
	char *w = p->idbuf;

	w = parse_hex(w, (uint64_t)now_ms);
	*w++ = '-';
	w = parse_hex(w, p->id_seed);
	*w++ = '-';
	w = parse_hex(w, ++p->id_seq);
	*w = '\0';
	return p->idbuf;
}

/* Fill what a line did not carry, and the metadata. */
static void
parse_finish(struct sr_parser *p, struct sr_event *ev, int64_t now_ms,
    int has_ts)
{
	if (!has_ts)
		ev->ts_ms = now_ms;
	if (ev->event_id == NULL)
		ev->event_id = parse_gen_id(p, now_ms);
	if (ev->event_type == NULL)
		ev->event_type =
		    (ev->has & (SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY)) ||
			p->status_seen || p->method_seen
		    ? sr_fields[SR_FIELD_TYPE].dflt
		    : "log";
	if (ev->service == NULL)
		ev->service = p->default_service;
	ev->has |= p->has;
	ev->metadata = parse_write_meta(p);
}

/* Convert every filled slot, then finish the event. */
static int
parse_convert(struct sr_parser *p, int64_t now_ms, struct sr_event *ev,
    enum sr_reject *why, struct sr_err *err)
{
	for (int s = 0; s < SR_FIELD__COUNT; s++)
		if (p->slot[s].rank != RANK_UNSET &&
		    parse_conv_slot(p, (enum sr_field_id)s, ev, why, err) < 0)
			return -1;
	if (p->has_line_ts && p->slot[SR_FIELD_TS].rank == RANK_UNSET)
		ev->ts_ms = p->line_ts;
	parse_finish(p, ev, now_ms,
	    p->slot[SR_FIELD_TS].rank != RANK_UNSET || p->has_line_ts);
	return 1;
}

/* A JSON value as a key/value of the line. */
static void
parse_val_of(const cJSON *c, const char *key, struct parse_val *v)
{
	memset(v, 0, sizeof *v);
	v->key = key;
	v->node = c;
	switch (c->type & 0xff) {
	case cJSON_String:
		v->type = V_STR;
		v->s = c->valuestring != NULL ? c->valuestring : (char *)"";
		break;
	case cJSON_Number:
		v->type = V_NUM;
		v->d = c->valuedouble;
		break;
	case cJSON_True:
		v->type = V_TRUE;
		break;
	case cJSON_False:
		v->type = V_FALSE;
		break;
	case cJSON_NULL:
		v->type = V_NULL;
		break;
	case cJSON_Array:
		v->type = V_ARR;
		break;
	default:
		v->type = V_OBJ;
		break;
	}
}

struct parse_member {
	cJSON *c;
	int pos;
};

static int
parse_cmp_member(const void *a, const void *b)
{
	const struct parse_member *x = a, *y = b;
	int c = strcmp(x->c->string ? x->c->string : "",
	    y->c->string ? y->c->string : "");

	return c != 0 ? c : x->pos - y->pos;
}

/*
 * Remove the later of two members with one key from every object of the
 * tree (cJSON keeps both; the JSON sitrep writes must not), down to a
 * depth that bounds the work on hostile input.
 */
static void
parse_dedupe_tree(cJSON *o, int depth)
{
	int n = 0;

	if (depth > 32)
		return;
	for (cJSON *c = o->child; c != NULL; c = c->next, n++)
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			parse_dedupe_tree(c, depth + 1);
	if (!cJSON_IsObject(o) || n < 2)
		return;
	if (n <= 16) {
		for (cJSON *c = o->child->next, *next; c != NULL; c = next) {
			next = c->next;
			for (const cJSON *e = o->child; e != c; e = e->next)
				if (c->string != NULL && e->string != NULL &&
				    c->string[0] == e->string[0] &&
				    strcmp(c->string, e->string) == 0) {
					cJSON_Delete(
					    cJSON_DetachItemViaPointer(o, c));
					break;
				}
		}
		return;
	}
	{
		struct parse_member *m = sr_xmalloc((size_t)n * sizeof *m);
		int i = 0;

		for (cJSON *c = o->child; c != NULL; c = c->next, i++)
			m[i] = (struct parse_member){ c, i };
		qsort(m, (size_t)n, sizeof *m, parse_cmp_member);
		for (i = n - 1; i > 0; i--)
			if (m[i].c->string != NULL &&
			    m[i - 1].c->string != NULL &&
			    strcmp(m[i].c->string, m[i - 1].c->string) == 0)
				cJSON_Delete(
				    cJSON_DetachItemViaPointer(o, m[i].c));
		free(m);
	}
}

/*
 * Take the members of object o found under the dotted path prefix[0..n)
 * whose path is a field's name ("usage.prompt_tokens"), depth levels
 * down.  The object itself is in metadata already.
 */
static int
parse_walk(struct sr_parser *p, const cJSON *o, const char *prefix, size_t n,
    int depth, enum sr_reject *why, struct sr_err *err)
{
	for (const cJSON *c = o->child; c != NULL; c = c->next) {
		size_t k = c->string != NULL ? strlen(c->string) : 0;
		char *path = p->keyarena + p->keyused;
		struct parse_val v;

		if (k == 0 || p->keyused + n + k + 2 > sizeof p->keyarena)
			continue;
		memcpy(path, prefix, n);
		path[n] = '.';
		memcpy(path + n + 1, c->string, k + 1);
		int taken = parse_lookup(p, path) != NULL;

		if (taken) {
			p->keyused += n + k + 2; /* v.key points here */
			parse_val_of(c, path, &v);
			if (parse_take(p, &v, why, err) < 0)
				return -1;
		} else if (parse_is_method_key(path)) {
			p->method_seen = 1;
		}
		if (cJSON_IsObject(c) && depth < PARSE_DEPTH) {
			size_t below;

			if (!taken) /* the path stays while the walk is below */
				p->keyused += n + k + 2;
			below = p->keyused;
			if (parse_walk(p, c, path, n + k + 1, depth + 1, why,
				err) < 0)
				return -1;
			if (!taken && p->keyused == below)
				p->keyused -= n + k + 2; /* nothing kept it */
		}
	}
	return 0;
}

static int parse_otlp_next(struct sr_parser *p, int64_t now_ms,
    struct sr_event *ev, enum sr_reject *why, struct sr_err *err);

/*
 * A Caddy access-log line without a user: GoAccess's visitor, from the
 * client's address (request.client_ip, else remote_ip), the UTC day of
 * ts (epoch seconds, or the date of a time string) and the User-Agent.
 */
static void
parse_caddy_visitor(struct sr_parser *p, const cJSON *root)
{
	const cJSON *rq = cJSON_GetObjectItemCaseSensitive(root, "request");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(root, "ts");
	const cJSON *ip, *ua;
	struct parse_val *u = &p->slot[SR_FIELD_USER];
	char day[24];

	/* Caddy writes "user_id":"" when no user authenticated */
	if ((u->rank != RANK_UNSET &&
		!(u->type == V_STR && u->s != NULL && u->s[0] == '\0')) ||
	    !cJSON_IsObject(rq))
		return;
	ip = cJSON_GetObjectItemCaseSensitive(rq, "client_ip");
	if (!cJSON_IsString(ip) || ip->valuestring[0] == '\0')
		ip = cJSON_GetObjectItemCaseSensitive(rq, "remote_ip");
	if (!cJSON_IsString(ip) || ip->valuestring[0] == '\0')
		return;
	ua = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(rq, "headers"), "User-Agent");
	if (cJSON_IsArray(ua))
		ua = cJSON_GetArrayItem(ua, 0);
	if (cJSON_IsNumber(ts) && ts->valuedouble >= 0 &&
	    ts->valuedouble < 1e13)
		(void)snprintf(day, sizeof day, "%lld",
		    (long long)(ts->valuedouble / 86400));
	else if (cJSON_IsString(ts))
		(void)snprintf(day, sizeof day, "%.10s", ts->valuestring);
	else
		return;
	u->rank = RANK_UNSET;
	parse_visitor(p, ip->valuestring, day, strlen(day),
	    cJSON_IsString(ua) ? ua->valuestring : NULL);
}

static int
parse_json(struct sr_parser *p, const char *line, size_t len, int64_t now_ms,
    struct sr_event *ev, enum sr_reject *why, struct sr_err *err)
{
	const char *end = NULL;
	cJSON *root;

	root = p->json = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (root == NULL) {
		*why = SR_REJ_NOT_JSON;
		return sr_err_set(err, "not JSON: syntax error at byte %zu",
		    end != NULL && end >= line ? (size_t)(end - line) + 1
					       : (size_t)0);
	}
	while (end < line + len &&
	    (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end != line + len) {
		*why = SR_REJ_NOT_JSON;
		return sr_err_set(err,
		    "not JSON: text after the value at "
		    "byte %zu",
		    (size_t)(end - line) + 1);
	}
	if (!cJSON_IsObject(root)) {
		*why = SR_REJ_NOT_OBJECT;
		return sr_err_set(err, "not an object: JSON %s",
		    cJSON_IsArray(root)	       ? "array"
			: cJSON_IsString(root) ? "string"
			: cJSON_IsNumber(root) ? "number"
			: cJSON_IsNull(root)   ? "null"
					       : "boolean");
	}
	parse_dedupe_tree(root, 0);
	if (p->fmt == SR_FMT_OTLP ||
	    cJSON_GetObjectItemCaseSensitive(root, "resourceLogs") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(root, "resourceSpans") != NULL) {
		p->used = sr_format_name(SR_FMT_OTLP);
		p->otlp_sig = cJSON_GetObjectItemCaseSensitive(root,
				  "resourceSpans") != NULL
		    ? SR_OTLP_TRACES
		    : SR_OTLP_LOGS;
		p->otlp_rl = p->otlp_sl = p->otlp_rec = NULL;
		return parse_otlp_next(p, now_ms, ev, why, err);
	}
	{
		const cJSON *lg =
		    cJSON_GetObjectItemCaseSensitive(root, "logger");

		/* Caddy's access log: its durations are float seconds */
		if (cJSON_IsString(lg) &&
		    strncmp(lg->valuestring, "http.log.access", 15) == 0) {
			p->dur_unit_ms = 1000;
			p->used = sr_format_name(SR_FMT_CADDY);
		}
	}
	for (cJSON *c = root->child; c != NULL; c = c->next) {
		struct parse_val v;

		if (c->string == NULL)
			continue;
		parse_val_of(c, c->string, &v);
		if (parse_take(p, &v, why, err) < 0)
			return -1;
		if (v.type == V_OBJ && strcmp(c->string, "metadata") != 0 &&
		    parse_walk(p, c, c->string, strlen(c->string), 1, why,
			err) < 0)
			return -1;
	}
	if (p->used == sr_format_name(SR_FMT_CADDY))
		parse_caddy_visitor(p, root);
	return parse_convert(p, now_ms, ev, why, err);
}

/*
 * ---- OTLP: JSON lines (the Collector's file exporter), and the export
 * requests sitrep serve receives (sr_parser_otlp()) ----
 */

/* An OTLP AnyValue as a key/value of the line. */
static void
parse_anyvalue(const cJSON *av, const char *key, struct parse_val *v)
{
	const cJSON *c = av != NULL ? av->child : NULL;

	memset(v, 0, sizeof *v);
	v->key = key;
	v->node = av;
	v->type = V_NULL;
	if (c == NULL || c->string == NULL)
		return;
	if ((strcmp(c->string, "stringValue") == 0 ||
		strcmp(c->string, "intValue") == 0 ||
		strcmp(c->string, "bytesValue") == 0) &&
	    cJSON_IsString(c)) {
		v->type = V_STR;
		v->s = c->valuestring;
	} else if (cJSON_IsNumber(c)) {
		v->type = V_NUM;
		v->d = c->valuedouble;
		v->node = c;
	} else if (cJSON_IsBool(c)) {
		v->type = cJSON_IsTrue(c) ? V_TRUE : V_FALSE;
	} else {
		v->type = V_OBJ; /* arrayValue, kvlistValue: kept as sent */
	}
}

/* Take an OTLP attribute list [{"key":k,"value":AnyValue}...]. */
static int
parse_otlp_attrs(struct sr_parser *p, const cJSON *list, enum sr_reject *why,
    struct sr_err *err)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, list)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "key");
		struct parse_val v;

		if (!cJSON_IsString(k) || k->valuestring[0] == '\0')
			continue;
		parse_anyvalue(cJSON_GetObjectItemCaseSensitive(a, "value"),
		    k->valuestring, &v);
		if (v.type != V_NULL && parse_take(p, &v, why, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * The record after p->otlp_rec in resourceLogs/scopeLogs/logRecords, or
 * in resourceSpans/scopeSpans/spans.
 */
static const cJSON *
parse_otlp_step(struct sr_parser *p)
{
	const cJSON *rl = p->otlp_rl, *sl = p->otlp_sl, *rec = p->otlp_rec;
	int spans = p->otlp_sig == SR_OTLP_TRACES;

	if (rec != NULL && rec->next != NULL)
		return p->otlp_rec = rec->next;
	for (;;) {
		if (sl != NULL)
			sl = sl->next;
		while (sl == NULL) {
			rl = rl == NULL
			    ? cJSON_GetArrayItem(
				  cJSON_GetObjectItemCaseSensitive(p->json,
				      sr_otlp_top_name(p->otlp_sig)),
				  0)
			    : rl->next;
			if (rl == NULL)
				return p->otlp_rec = NULL;
			sl = cJSON_GetArrayItem(
			    cJSON_GetObjectItemCaseSensitive(rl,
				spans ? "scopeSpans" : "scopeLogs"),
			    0);
		}
		p->otlp_rl = rl;
		p->otlp_sl = sl;
		rec = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sl,
					     spans ? "spans" : "logRecords"),
		    0);
		if (rec != NULL)
			return p->otlp_rec = rec;
	}
}

/*
 * An OTLP time: nanoseconds since the epoch as a decimal string or a
 * number (OTLP/JSON allows both for 64-bit integers).  0, or -1 when
 * absent or not a time.
 */
static int
parse_otlp_ns(const cJSON *c, uint64_t *out)
{
	if (cJSON_IsString(c)) {
		const char *s = c->valuestring;
		uint64_t v = 0;
		size_t n = strlen(s);

		if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
			return -1;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		*out = v;
		return 0;
	}
	if (cJSON_IsNumber(c) && c->valuedouble >= 0 &&
	    c->valuedouble < 9.2e18 &&
	    c->valuedouble == floor(c->valuedouble)) {
		*out = (uint64_t)c->valuedouble;
		return 0;
	}
	return -1;
}

/* 1 for an OTLP span status code that says error (2, or its name). */
static int
parse_otlp_status_error(const cJSON *code)
{
	return (cJSON_IsNumber(code) && code->valuedouble == 2) ||
	    (cJSON_IsString(code) &&
		strcmp(code->valuestring, "STATUS_CODE_ERROR") == 0);
}

/*
 * The time to first token a span event says: the first event named
 * first_token, gen_ai.first_token, first_chunk or gen_ai.first_chunk,
 * measured from the span's start (nanoseconds).  0, or -1 when none.
 */
static int
parse_otlp_ttft(const cJSON *events, uint64_t start, uint64_t *out)
{
	static const char *const names[] = { "first_token",
		"gen_ai.first_token", "first_chunk", "gen_ai.first_chunk" };
	const cJSON *e;

	cJSON_ArrayForEach(e, events)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
		uint64_t t;

		if (!cJSON_IsString(n) ||
		    parse_otlp_ns(cJSON_GetObjectItemCaseSensitive(e,
				      "timeUnixNano"),
			&t) < 0 ||
		    t < start)
			continue;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strcmp(n->valuestring, names[i]) == 0) {
				*out = t - start;
				return 0;
			}
	}
	return -1;
}

/* The text of the first "exception" span event, or NULL. */
static char *
parse_otlp_exception(const cJSON *events)
{
	const cJSON *e, *a;

	cJSON_ArrayForEach(e, events)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");

		if (!cJSON_IsString(n) ||
		    strcmp(n->valuestring, "exception") != 0)
			continue;
		cJSON_ArrayForEach(a,
		    cJSON_GetObjectItemCaseSensitive(e, "attributes"))
		{
			const cJSON *k =
			    cJSON_GetObjectItemCaseSensitive(a, "key");
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(a, "value"),
			    "stringValue");

			if (cJSON_IsString(k) && cJSON_IsString(v) &&
			    strcmp(k->valuestring, "exception.message") == 0)
				return v->valuestring;
		}
	}
	return NULL;
}

/*
 * A span as a request: its start is the event's time and end - start its
 * latency; the span id its event id; an error status (code 2) makes it
 * an error, with the status message (or the first exception event's) as
 * its message; a first-token event gives the TTFT; the attributes are
 * read as any line's keys (service.name, http.route,
 * http.response.status_code, gen_ai.* ...: core/field.c), and the span's
 * name is the endpoint when no attribute gave one.  What the span says
 * itself comes first, so an attribute cannot contradict it.  traceId,
 * parentSpanId and kind go to metadata; events and links are left out.
 */
static int
parse_otlp_span(struct sr_parser *p, const cJSON *sp, enum sr_reject *why,
    struct sr_err *err)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(sp, "status");
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(sp, "events");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(sp, "name");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(sp, "spanId");
	uint64_t start, end, ttft;

	if (parse_otlp_ns(cJSON_GetObjectItemCaseSensitive(sp,
			      "startTimeUnixNano"),
		&start) < 0 ||
	    parse_otlp_ns(cJSON_GetObjectItemCaseSensitive(sp,
			      "endTimeUnixNano"),
		&end) < 0 ||
	    start == 0) {
		*why = SR_REJ_BAD_TIME;
		return sr_err_set(err,
		    "span without a valid startTimeUnixNano and "
		    "endTimeUnixNano");
	}
	if (end < start) {
		*why = SR_REJ_BAD_TIME;
		return sr_err_set(err, "span ends before it starts");
	}
	parse_set_time(p, (int64_t)(start / 1000000));
	(void)snprintf(p->otlp_num[0], sizeof p->otlp_num[0], "%" PRIu64,
	    end - start); /* fits: at most 20 digits */
	parse_set(p, SR_FIELD_LATENCY, SR_READ_NS, "endTimeUnixNano",
	    p->otlp_num[0]);
	if (cJSON_IsString(id))
		parse_set(p, SR_FIELD_ID, SR_READ_ID, "spanId",
		    id->valuestring);
	if (parse_otlp_ttft(events, start, &ttft) == 0) {
		(void)snprintf(p->otlp_num[1], sizeof p->otlp_num[1],
		    "%" PRIu64, ttft);
		parse_set(p, SR_FIELD_TTFT, SR_READ_NS, "events",
		    p->otlp_num[1]);
	}
	if (parse_otlp_status_error(
		cJSON_GetObjectItemCaseSensitive(status, "code"))) {
		const cJSON *m =
		    cJSON_GetObjectItemCaseSensitive(status, "message");

		parse_mark_error(p);
		parse_set(p, SR_FIELD_MESSAGE, SR_READ_MSG, "status.message",
		    cJSON_IsString(m) && m->valuestring[0] != '\0'
			? m->valuestring
			: parse_otlp_exception(events));
	}
	for (const cJSON *c = sp->child; c != NULL; c = c->next) {
		struct parse_val v;

		if (c->string == NULL)
			continue;
		if (strcmp(c->string, "attributes") == 0) {
			if (parse_otlp_attrs(p, c, why, err) < 0)
				return -1;
			continue;
		}
		if (strcmp(c->string, "traceId") != 0 &&
		    strcmp(c->string, "parentSpanId") != 0 &&
		    strcmp(c->string, "kind") != 0)
			continue;
		parse_val_of(c, c->string, &v);
		if (v.type != V_NULL && !(v.type == V_STR && v.s[0] == '\0'))
			parse_item(p, &v);
	}
	if (p->slot[SR_FIELD_ENDPOINT].rank == RANK_UNSET &&
	    cJSON_IsString(name))
		parse_set(p, SR_FIELD_ENDPOINT, SR_READ_STR, "name",
		    name->valuestring);
	return 0;
}

/* The next log record or span of an OTLP line as an event: 1, 0 at the
 * end. */
static int
parse_otlp_next(struct sr_parser *p, int64_t now_ms, struct sr_event *ev,
    enum sr_reject *why, struct sr_err *err)
{
	const cJSON *rec = parse_otlp_step(p), *res, *scope;

	if (rec == NULL)
		return 0;
	parse_reset_line(p, ev);
	res = cJSON_GetObjectItemCaseSensitive(p->otlp_rl, "resource");
	if (parse_otlp_attrs(p,
		cJSON_GetObjectItemCaseSensitive(res, "attributes"), why,
		err) < 0)
		return -1;
	scope = cJSON_GetObjectItemCaseSensitive(p->otlp_sl, "scope");
	scope = cJSON_GetObjectItemCaseSensitive(scope, "name");
	if (cJSON_IsString(scope) && scope->valuestring[0] != '\0') {
		struct parse_val v;

		parse_val_of(scope, "scope", &v);
		parse_item(p, &v);
	}
	if (p->otlp_sig == SR_OTLP_TRACES) {
		if (parse_otlp_span(p, rec, why, err) < 0)
			return -1;
		return parse_convert(p, now_ms, ev, why, err);
	}
	for (const cJSON *c = rec->child; c != NULL; c = c->next) {
		struct parse_val v;

		if (c->string == NULL)
			continue;
		if (strcmp(c->string, "attributes") == 0) {
			if (parse_otlp_attrs(p, c, why, err) < 0)
				return -1;
			continue;
		}
		if (strcmp(c->string, "body") == 0)
			parse_anyvalue(c, "body", &v);
		else
			parse_val_of(c, c->string, &v);
		if (parse_take(p, &v, why, err) < 0)
			return -1;
	}
	return parse_convert(p, now_ms, ev, why, err);
}

int
sr_parser_otlp(struct sr_parser *p, void *root, enum sr_otlp_signal sig,
    int64_t now_ms, struct sr_event *ev, enum sr_reject *why,
    struct sr_err *err)
{
	cJSON_Delete(p->json);
	p->json = root;
	p->used = sr_format_name(SR_FMT_OTLP);
	p->otlp_sig = sig;
	p->otlp_rl = p->otlp_sl = p->otlp_rec = NULL;
	if (p->json == NULL)
		return 0;
	parse_dedupe_tree(p->json, 0);
	return parse_otlp_next(p, now_ms, ev, why, err);
}

int
sr_parser_more(struct sr_parser *p, int64_t now_ms, struct sr_event *ev,
    enum sr_reject *why, struct sr_err *err)
{
	if (p->json == NULL || p->otlp_rec == NULL)
		return 0;
	return parse_otlp_next(p, now_ms, ev, why, err);
}

/* A copy of the line that the parser may cut and unescape in place. */
char *
parse_copy(struct sr_parser *p, const char *line, size_t len)
{
	sr_buf_reset(&p->scratch);
	sr_buf_add(&p->scratch, line, len);
	return p->scratch.data;
}

static int
parse_is_key_char(char c)
{
	return (unsigned char)c > ' ' && c != '=' && c != '"';
}

/* A character of a logfmt key: letters, digits and _ . - / @ : [ ] */
static int
parse_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    parse_is_digit(c) || (c != '\0' && strchr("_.-/@:[]", c) != NULL);
}

/* 1 if the line holds a key=value pair. */
static int
parse_has_kv(const char *line, size_t len)
{
	for (size_t i = 1; i < len; i++)
		if (line[i] == '=' && parse_is_key_char(line[i - 1]))
			return 1;
	return 0;
}

static int
parse_logfmt(struct sr_parser *p, const char *line, size_t len, int64_t now_ms,
    struct sr_event *ev, enum sr_reject *why, struct sr_err *err)
{
	char *s = parse_copy(p, line, len), *end = s + len;
	int pairs = 0;

	while (s < end) {
		struct parse_val v = { .type = V_TRUE };
		char *key;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			break;
		key = s;
		while (s < end && parse_is_key_char(*s))
			s++;
		if (s == key || (s < end && *s == '"')) {
			*why = SR_REJ_UNRECOGNISED;
			return sr_err_set(err,
			    "logfmt: unexpected '%c' at byte "
			    "%zu",
			    *s, (size_t)(s - p->scratch.data) + 1);
		}
		for (const char *c = key; c < s; c++)
			if (!parse_is_name_char(*c)) {
				*why = SR_REJ_UNRECOGNISED;
				return sr_err_set(err,
				    "logfmt: '%.*s' at byte %zu is not a key",
				    (int)(s - key > 40 ? 40 : s - key), key,
				    (size_t)(key - p->scratch.data) + 1);
			}
		v.key = key;
		if (s < end && *s == '=') {
			*s++ = '\0';
			v.type = V_STR;
			if (s < end && *s == '"') {
				char *w = ++s;

				v.s = w;
				while (s < end && *s != '"') {
					if (*s == '\\' && s + 1 < end) {
						s++;
						switch (*s) {
						case 'n':
							*w++ = '\n';
							break;
						case 't':
							*w++ = '\t';
							break;
						case 'r':
							*w++ = '\r';
							break;
						case '"':
						case '\\':
							*w++ = *s;
							break;
						default:
							*w++ = '\\';
							*w++ = *s;
						}
						s++;
					} else
						*w++ = *s++;
				}
				if (s == end) {
					*why = SR_REJ_UNRECOGNISED;
					return sr_err_set(err,
					    "logfmt: "
					    "unterminated quote in '%s'",
					    key);
				}
				*w = '\0'; /* w <= s, the closing quote */
				s++;
				if (s < end && *s != ' ' && *s != '\t') {
					*why = SR_REJ_UNRECOGNISED;
					return sr_err_set(err,
					    "logfmt: text "
					    "after the quoted value of '%s'",
					    key);
				}
			} else {
				v.s = s;
				while (s < end && *s != ' ' && *s != '\t')
					s++;
			}
			pairs++;
		}
		if (s < end)
			*s++ = '\0';
		if (parse_take(p, &v, why, err) < 0)
			return -1;
	}
	if (pairs == 0) {
		*why = SR_REJ_UNRECOGNISED;
		return sr_err_set(err, "logfmt: no key=value pair");
	}
	return parse_convert(p, now_ms, ev, why, err);
}

/* Access-log text field with the escapes nginx writes (\" \\ \xHH kept). */
static char *
parse_quoted(char **sp, char *end)
{
	char *s = *sp, *w, *start;

	if (s >= end || *s != '"')
		return NULL;
	start = w = ++s;
	while (s < end && *s != '"') {
		if (*s == '\\' && s + 1 < end && (s[1] == '"' || s[1] == '\\'))
			s++;
		*w++ = *s++;
	}
	if (s == end)
		return NULL;
	*w = '\0';
	*sp = s + 1;
	return start;
}

/* Token up to the next space, NUL-terminated; NULL when empty. */
static char *
parse_token(char **sp, char *end)
{
	char *s = *sp, *t = s;

	while (s < end && *s != ' ')
		s++;
	if (s == t || s == end)
		return NULL;
	*s = '\0';
	*sp = s + 1;
	return t;
}

/* ---- what the formats hand over (core/parse_int.h) ---- */

void
parse_set(struct sr_parser *p, enum sr_field_id f, unsigned conv,
    const char *key, char *s)
{
	struct parse_val v = { .key = key, .s = s, .type = V_STR };
	struct parse_val *cur = &p->slot[f];

	if (s == NULL || *s == '\0' || strcmp(s, "-") == 0)
		return;
	v.conv = (unsigned char)conv;
	v.rank = 0;
	if (f == SR_FIELD_STATUS)
		p->status_seen = 1;
	if (cur->rank != RANK_UNSET) {
		parse_item(p, &v);
		parse_note(p, key, "the field was set earlier in the line");
		return;
	}
	*cur = v;
}

void
parse_meta(struct sr_parser *p, const char *key, char *s)
{
	struct parse_val v = { .key = key, .s = s, .type = V_STR };

	if (s == NULL || *s == '\0' || strcmp(s, "-") == 0)
		return;
	parse_item(p, &v);
}

void
parse_meta_number(struct sr_parser *p, const char *key, double v)
{
	struct parse_val x = { .key = key, .d = v, .type = V_NUM };

	parse_item(p, &x);
}

/* Keep a count ("512") as a number in metadata, other text as text. */
void
parse_meta_num(struct sr_parser *p, const char *key, char *s)
{
	struct parse_val v = { .key = key, .s = s, .type = V_STR };

	if (s == NULL || *s == '\0' || strcmp(s, "-") == 0)
		return;
	if (strlen(s) <= 15 && strspn(s, "0123456789") == strlen(s) &&
	    parse_number_text(s, &v.d) == 0)
		v.type = V_NUM;
	parse_item(p, &v);
}

void
parse_mark_error(struct sr_parser *p)
{
	p->has |= SR_EV_IS_ERROR;
}

void
parse_mark_method(struct sr_parser *p)
{
	p->method_seen = 1;
}

void
parse_set_time(struct sr_parser *p, int64_t ms)
{
	p->line_ts = ms;
	p->has_line_ts = 1;
}

int
parse_is_number(const char *s)
{
	int dots = 0, nd = 0;

	for (; *s != '\0'; s++) {
		if (*s == '.')
			dots++;
		else if (parse_is_digit(*s))
			nd++;
		else
			return 0;
	}
	return nd > 0 && dots <= 1;
}

int
parse_duration_text(const char *s, double *ms)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "ns", 1e-6 },
		{ "us", 1e-3 },
		{ "\xc2\xb5s", 1e-3 }, /* U+00B5 micro sign */
		{ "\xce\xbcs", 1e-3 }, /* U+03BC Greek mu, as Go writes */
		{ "ms", 1 },
		{ "s", 1000 },
		{ "m", 60000 },
		{ "h", 3600000 },
	};
	double total = 0;
	int parts = 0;

	while (*s == ' ')
		s++;
	while (*s != '\0') {
		const char *num = s;
		char buf[40];
		double v;
		size_t n, best = 0, bi = 0;

		while (parse_is_digit(*s) || *s == '.')
			s++;
		n = (size_t)(s - num);
		if (n == 0 || n >= sizeof buf)
			return -1;
		memcpy(buf, num, n);
		buf[n] = '\0';
		if (parse_number_text(buf, &v) < 0)
			return -1;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t k = strlen(units[i].unit);

			if (k > best && strncmp(s, units[i].unit, k) == 0) {
				best = k;
				bi = i;
			}
		}
		if (best == 0)
			return -1;
		total += v * units[bi].ms;
		s += best;
		parts++;
	}
	if (parts == 0 || !isfinite(total))
		return -1;
	*ms = total;
	return 0;
}

void
parse_request_line(struct sr_parser *p, char *req)
{
	char *end = req + strlen(req), *method = req, *target, *proto = NULL;
	char *q;

	while (*method == ' ')
		method++;
	target = strchr(method, ' ');
	/* a method is a word of capitals: "GET", "PROPFIND" */
	for (const char *c = method; c < (target ? target : end); c++)
		if (*c < 'A' || *c > 'Z')
			target = NULL;
	if (target == NULL || target == method) {
		struct parse_val v = { .key = "request",
			.s = req,
			.type = V_STR };

		parse_item(p, &v); /* as it came, even "-" */
		return;
	}
	*target++ = '\0';
	while (end > target && end[-1] == ' ')
		*--end = '\0';
	/* the protocol is the last word when it is "HTTP/x": a space in
	 * the target stays in the target */
	q = strrchr(target, ' ');
	if (q != NULL && strncmp(q + 1, "HTTP/", 5) == 0) {
		*q = '\0';
		proto = q + 1;
	}
	if (*target == '\0') {
		parse_meta(p, "request", req);
		return;
	}
	p->method_seen = 1;
	parse_meta(p, "method", method);
	parse_meta(p, "protocol", proto);
	q = strstr(target, "://");
	if (q != NULL && q < target + 16) {
		char *path = strpbrk(q + 3, "/?#");

		if (path == NULL || *path != '/') {
			/* only a host (and maybe a query): the root */
			if (path != NULL && *path == '?')
				parse_meta(p, "query", path + 1);
			target = (char *)"/";
			parse_set(p, SR_FIELD_ENDPOINT, SR_READ_PATH, "request",
			    target);
			return;
		}
		target = path;
	}
	q = strchr(target, '?');
	if (q != NULL) {
		*q = '\0';
		parse_meta(p, "query", q + 1);
	}
	parse_set(p, SR_FIELD_ENDPOINT, SR_READ_PATH, "request", target);
}

int
parse_clf_time(const char *s, size_t n, int64_t *ms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int day, mon = 0, year, h, mi, sec, frac = 0, oh = 0, om = 0, sign = 0;
	size_t i = 20;

	/* 10/Oct/2000:13:55:36[.mmm][ -0700] */
	if (n < 20 || s[2] != '/' || s[6] != '/' || s[11] != ':' ||
	    s[14] != ':' || s[17] != ':')
		return -1;
	for (int k = 0; k < 20; k++)
		if (k != 2 && k != 6 && k != 11 && k != 14 && k != 17 &&
		    !(k >= 3 && k <= 5) && !parse_is_digit(s[k]))
			return -1;
	for (int k = 0; k < 12; k++)
		if (memcmp(s + 3, months + 3 * k, 3) == 0)
			mon = k + 1;
	day = (s[0] - '0') * 10 + (s[1] - '0');
	year = ((s[7] - '0') * 10 + (s[8] - '0')) * 100 + (s[9] - '0') * 10 +
	    (s[10] - '0');
	h = (s[12] - '0') * 10 + (s[13] - '0');
	mi = (s[15] - '0') * 10 + (s[16] - '0');
	sec = (s[18] - '0') * 10 + (s[19] - '0');
	if (i < n && s[i] == '.') {
		int nd = 0;

		for (i++; i < n && parse_is_digit(s[i]); i++, nd++)
			if (nd < 3)
				frac = frac * 10 + (s[i] - '0');
		for (; nd > 0 && nd < 3; nd++)
			frac *= 10;
	}
	if (i + 6 <= n && s[i] == ' ' && (s[i + 1] == '+' || s[i + 1] == '-')) {
		for (int k = 2; k < 6; k++)
			if (!parse_is_digit(s[i + k]))
				return -1;
		sign = s[i + 1] == '-' ? -1 : 1;
		oh = (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
		om = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
		i += 6;
	}
	if (i != n || mon == 0 || oh > 23 || om > 59 ||
	    sr_time_civil_ms(year, mon, day, h, mi, sec, frac, ms) < 0)
		return -1;
	*ms -= sign * (oh * 60 + om) * 60000LL;
	return 0;
}

void
parse_visitor(struct sr_parser *p, const char *ip, const char *day,
    size_t daylen, const char *agent)
{
	uint64_t h = sr_hash(ip);

	h = sr_hash_mix(h ^ sr_hash_bytes(day, daylen));
	h = sr_hash_mix(h ^ sr_hash(agent != NULL ? agent : ""));
	(void)snprintf(p->visbuf, sizeof p->visbuf, "v-%016" PRIx64, h);
	parse_set(p, SR_FIELD_USER, SR_READ_ID, "visitor", p->visbuf);
}

/* An access-log user: a token, or a quoted name (spaces allowed). */
static char *
parse_user_token(char **sp, char *end)
{
	char *u;

	if (*sp < end && **sp == '"') {
		if ((u = parse_quoted(sp, end)) == NULL || *sp >= end ||
		    **sp != ' ')
			return NULL;
		*(*sp)++ = '\0';
		return u;
	}
	return parse_token(sp, end);
}

/*
 * What follows the user agent of a combined line: key=value pairs
 * (nginx's rt=$request_time, urt=...), a duration with its unit
 * (Traefik's "3ms"), a fraction first (nginx's $request_time, seconds),
 * quoted text; the whole is kept as "extra" too.  A bare whole number is
 * not read as a latency: its unit could be anything (Apache %D is
 * microseconds, %T seconds, Traefik's first number a request count).
 */
static void
parse_trailer(struct sr_parser *p, const char *t)
{
	struct sr_buf *b = &p->msgbuf;
	char *s, *end;
	int first = 1, bare_int = 0;

	sr_buf_reset(b);
	sr_buf_adds(b, t);
	sr_buf_addc(b, '\0');
	s = b->data;
	end = s + strlen(s);
	while (s < end) {
		char *tok = s, *eq;

		while (s < end && *s != ' ') {
			if (*s == '"') { /* a quoted part, spaces and all */
				for (s++; s < end && *s != '"'; s++)
					if (*s == '\\' && s + 1 < end)
						s++;
			}
			if (s < end)
				s++;
		}
		if (s < end)
			*s++ = '\0';
		while (s < end && *s == ' ')
			s++;
		eq = strchr(tok, '=');
		if (eq != NULL && eq > tok && *tok != '"') {
			struct parse_val v = { .key = tok, .type = V_STR };
			size_t n;

			*eq = '\0';
			v.s = eq + 1;
			n = strlen(v.s);
			if (n >= 2 && v.s[0] == '"' && v.s[n - 1] == '"') {
				v.s[n - 1] = '\0';
				v.s++;
			}
			enum sr_reject why;
			struct sr_err err;

			(void)parse_take(p, &v, &why, &err); /* text: no fail */
		} else if (*tok != '"') {
			double ms;

			if (parse_duration_text(tok, &ms) == 0)
				parse_set(p, SR_FIELD_LATENCY, SR_READ_MS,
				    "duration", tok);
			else if (first && parse_is_number(tok) &&
			    strchr(tok, '.') != NULL)
				parse_set(p, SR_FIELD_LATENCY, SR_READ_SEC,
				    "request_time", tok);
			else if (parse_is_number(tok))
				bare_int = 1;
		}
		first = 0;
	}
	if (bare_int && p->slot[SR_FIELD_LATENCY].rank == RANK_UNSET) {
		parse_note(p, "extra",
		    "a bare number has no unit: no latency is read");
		if (p->notice_state == 0) {
			(void)snprintf(p->notice, sizeof p->notice, "%s",
			    "an access-log line ends in a number without a "
			    "unit, so no latency is read from it; if it is "
			    "one, declare the format: --format "
			    "apache:'%h %l %u %t \"%r\" %>s %b "
			    "\"%{Referer}i\" \"%{User-agent}i\" %D' "
			    "(microseconds), or --format timed_combined");
			p->notice_state = 1;
		}
	}
}

/*
 * The combined (or common) access-log format, optionally preceded by a
 * virtual host (Apache's vhost_combined) and followed by more fields
 * (parse_trailer).  Returns 1, -1 with why set, or 0 when the line is not
 * in this format.
 */
static int
parse_combined(struct sr_parser *p, const char *line, size_t len,
    int64_t now_ms, struct sr_event *ev, enum sr_reject *why,
    struct sr_err *err)
{
	char *s = parse_copy(p, line, len), *end = s + len;
	char *ip, *ident, *user, *date, *req, *bytes, *ref = NULL,
						      *agent = NULL;
	char *vhost = NULL, *t4, *extra = NULL, *status;
	int64_t ms = 0;
	int bad_date;

	if ((ip = parse_token(&s, end)) == NULL ||
	    (ident = parse_token(&s, end)) == NULL ||
	    (user = parse_user_token(&s, end)) == NULL)
		return 0;
	if (*s != '[') {
		/* %v:%p %h %l %u: the virtual host first */
		if (*user == '\0' || user[-1] == '"' ||
		    (t4 = parse_user_token(&s, end)) == NULL || *s != '[')
			return 0;
		vhost = ip;
		ip = ident;
		ident = user;
		user = t4;
	}
	date = ++s;
	s = memchr(s, ']', (size_t)(end - s));
	if (s == NULL || s - date < 20 || s - date > 40 || date[2] != '/' ||
	    date[6] != '/' || date[11] != ':' || s + 1 >= end || s[1] != ' ')
		return 0;
	bad_date = parse_clf_time(date, (size_t)(s - date), &ms) < 0;
	*s = '\0';
	s += 2;
	if ((req = parse_quoted(&s, end)) == NULL || s >= end || *s != ' ')
		return 0;
	s++;
	if (end - s < 3 || !parse_is_digit(s[0]) || !parse_is_digit(s[1]) ||
	    !parse_is_digit(s[2]) || (end - s > 3 && s[3] != ' '))
		return 0;
	status = s;
	s += 3;
	if (s < end)
		*s++ = '\0';
	bytes = s;
	while (s < end && *s != ' ')
		s++;
	if (s == bytes)
		return 0;
	if (s < end)
		*s++ = '\0';
	else
		*s = '\0'; /* the scratch buffer holds len + 1 bytes */
	if (strcmp(bytes, "-") != 0) {
		/* digits only, up to the token's end (a NUL is not a digit) */
		if (*bytes == '\0')
			return 0;
		for (char *c = bytes; c < s && *c != '\0'; c++)
			if (!parse_is_digit(*c))
				return 0;
		if (strlen(bytes) > 18)
			return 0;
	}
	if (s < end && *s == '"') {
		if ((ref = parse_quoted(&s, end)) == NULL)
			return 0;
		if (s < end && *s == ' ')
			s++;
		if ((agent = parse_quoted(&s, end)) == NULL)
			return 0;
	}
	while (s < end && *s == ' ')
		s++;
	if (s < end)
		extra = s; /* NUL-terminated: the end of the scratch copy */

	/* The line is in this format: every field that parses is kept. */
	if (bad_date) {
		*why = SR_REJ_BAD_TIME;
		return sr_err_set(err, "combined: impossible date '%.26s'",
		    date);
	}
	p->used = sr_format_name(
	    vhost != NULL ? SR_FMT_VHOST_COMBINED : SR_FMT_COMBINED);
	parse_set_time(p, ms);
	parse_meta(p, "ip", ip);
	parse_meta(p, "ident", ident);
	if (vhost != NULL) {
		char *colon = strrchr(vhost, ':');

		if (colon != NULL && parse_is_number(colon + 1)) {
			*colon = '\0';
			parse_meta_num(p, "port", colon + 1);
		}
		parse_set(p, SR_FIELD_SERVICE, SR_READ_STR, "vhost", vhost);
	}
	parse_set(p, SR_FIELD_STATUS, SR_READ_STATUS, "status", status);
	parse_request_line(p, req);
	parse_meta_num(p, "bytes", bytes);
	parse_meta(p, "referer", ref);
	parse_meta(p, "agent", agent);
	if (extra != NULL) {
		parse_meta(p, "extra", extra);
		parse_trailer(p, extra);
	}
	if (strcmp(user, "-") != 0 && *user != '\0')
		parse_set(p, SR_FIELD_USER, SR_READ_ID, "user", user);
	else
		parse_visitor(p, ip, date, 11, agent);
	return parse_convert(p, now_ms, ev, why, err);
}

/* sr_utf8_valid after a word-at-a-time skip over the ASCII prefix. */
static int
parse_utf8_valid(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
	}
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	return i == n || sr_utf8_valid(s + i, n - i);
}

/*
 * 1 when a line may be syslog: a <PRI>, a BSD time ("Dec  4 ...") or an
 * RFC 3339 time as its first word (a logfmt line's first word has '=').
 */
static int
parse_maybe_syslog(const char *s, size_t n)
{
	size_t w = 0;

	if (n > 0 && s[0] == '<')
		return 1;
	if (n >= 16 && s[0] >= 'A' && s[0] <= 'S' && s[3] == ' ' &&
	    s[6] == ' ' && s[9] == ':')
		return 1;
	while (w < n && s[w] != ' ' && s[w] != '=')
		w++;
	return w >= 10 && w < n && s[w] == ' ' && parse_is_digit(s[0]) &&
	    s[4] == '-';
}

/* A format of the parse_fmt.c kind: 1, or 0 when the line is not one. */
static int
parse_declared(struct sr_parser *p, enum sr_format fmt, const char *line,
    size_t len, int64_t now_ms)
{
	char *s = parse_copy(p, line, len);

	switch (fmt) {
	case SR_FMT_SYSLOG:
		return parse_syslog(p, s, len, now_ms);
	case SR_FMT_HAPROXY:
		return parse_haproxy(p, s, len, now_ms);
	default:
		return p->plan != NULL &&
		    parse_plan_run(p, p->plan, s, len, now_ms);
	}
}

int
sr_parser_line(struct sr_parser *p, const char *line, size_t len,
    int64_t now_ms, struct sr_event *ev, enum sr_reject *why,
    struct sr_err *err)
{
	enum sr_format fmt = p->fmt;
	size_t i;
	int rc;

	cJSON_Delete(p->json);
	p->json = NULL;
	p->otlp_rec = NULL;
	p->used = NULL;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > SR_LINE_MAX) {
		*why = SR_REJ_TOO_LONG;
		return sr_err_set(err,
		    "line is %zu bytes, over the limit of %d", len,
		    SR_LINE_MAX);
	}
	for (i = 0; i < len &&
	     (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' ||
		 line[i] == '\n' || line[i] == '\f' || line[i] == '\v');
	     i++)
		;
	if (i == len)
		return 0;
	if (!parse_utf8_valid(line, len)) {
		*why = SR_REJ_BAD_UTF8;
		return sr_err_set(err, "line is not valid UTF-8");
	}
	parse_reset_line(p, ev);
	if (fmt == SR_FMT_AUTO) {
		if (line[i] == '{' || line[i] == '[')
			fmt = SR_FMT_JSON;
		else {
			rc = parse_combined(p, line, len, now_ms, ev, why, err);
			if (rc != 0)
				return rc;
			/* a matcher that returns 0 has handed nothing over;
			 * HAProxy's HTTP log (raw or in syslog) before
			 * syslog, syslog before logfmt: its text may hold a
			 * '=' */
			if (parse_declared(p, SR_FMT_HAPROXY, line, len,
				now_ms)) {
				p->used = sr_format_name(SR_FMT_HAPROXY);
				return parse_convert(p, now_ms, ev, why, err);
			}
			if (parse_maybe_syslog(line + i, len - i)) {
				if (parse_declared(p, SR_FMT_SYSLOG, line, len,
					now_ms)) {
					p->used = sr_format_name(SR_FMT_SYSLOG);
					return parse_convert(p, now_ms, ev, why,
					    err);
				}
				parse_reset_line(p, ev);
			}
			if (!parse_has_kv(line, len)) {
				*why = SR_REJ_UNRECOGNISED;
				return sr_err_set(err,
				    "unrecognised line: not JSON, an access "
				    "log, syslog or logfmt; see sitrep formats");
			}
			fmt = SR_FMT_LOGFMT;
		}
	}
	switch (fmt) {
	case SR_FMT_JSON:
	case SR_FMT_CADDY:
	case SR_FMT_ECS:
	case SR_FMT_JOURNALD:
	case SR_FMT_OTLP:
		if (p->used == NULL)
			p->used = sr_format_name(fmt);
		rc = parse_json(p, line, len, now_ms, ev, why, err);
		if (p->used == sr_format_name(fmt) && p->fmt == SR_FMT_AUTO)
			p->used = sr_format_name(SR_FMT_JSON);
		return rc;
	case SR_FMT_LOGFMT:
		p->used = sr_format_name(SR_FMT_LOGFMT);
		return parse_logfmt(p, line, len, now_ms, ev, why, err);
	case SR_FMT_COMBINED:
		rc = parse_combined(p, line, len, now_ms, ev, why, err);
		if (rc != 0)
			return rc;
		*why = SR_REJ_UNRECOGNISED;
		return sr_err_set(err, "not a combined access-log line");
	default:
		if (parse_declared(p, fmt, line, len, now_ms)) {
			p->used = sr_format_name(fmt);
			return parse_convert(p, now_ms, ev, why, err);
		}
		*why = SR_REJ_UNRECOGNISED;
		return sr_err_set(err, "not a line of the format %s",
		    sr_format_name(fmt));
	case SR_FMT_AUTO:
		break;
	}
	SR_BUG("parse: unknown format");
}

const char *
sr_parser_format_used(const struct sr_parser *p)
{
	return p->used != NULL ? p->used : sr_format_name(p->fmt);
}

void
sr_parser_set_explain(struct sr_parser *p, int on)
{
	p->explain = on;
}

const char *
sr_parser_notice(struct sr_parser *p)
{
	if (p->notice_state != 1)
		return NULL;
	p->notice_state = 2;
	return p->notice;
}

void
sr_parser_explain(const struct sr_parser *p, struct sr_buf *out)
{
	int first = 1;

	sr_buf_adds(out, ",\"format\":");
	sr_buf_add_json_str(out, sr_parser_format_used(p));
	sr_buf_adds(out, ",\"fields\":{");
	for (int f = 0; f < SR_FIELD__COUNT; f++) {
		const struct parse_val *v = &p->slot[f];

		if (v->rank == RANK_UNSET || v->key == NULL)
			continue;
		if (!first)
			sr_buf_addc(out, ',');
		first = 0;
		sr_buf_add_json_str(out, sr_fields[f].name);
		sr_buf_addc(out, ':');
		sr_buf_add_json_str(out, v->key);
	}
	if (p->has_line_ts && p->slot[SR_FIELD_TS].rank == RANK_UNSET) {
		if (!first)
			sr_buf_addc(out, ',');
		sr_buf_adds(out, "\"timestamp\":\"time\"");
	}
	sr_buf_adds(out, "},\"ignored\":[");
	for (size_t i = 0; i < p->nnotes; i++) {
		if (i > 0)
			sr_buf_addc(out, ',');
		sr_buf_adds(out, "{\"key\":");
		sr_buf_add_json_str(out, p->notes[i].key);
		sr_buf_adds(out, ",\"why\":");
		sr_buf_add_json_str(out, p->notes[i].why);
		sr_buf_addc(out, '}');
	}
	sr_buf_addc(out, ']');
}

/* ---- line splitter ---- */

struct sr_lines {
	char *buf;
	size_t len, cap;
	size_t start;	/* first byte not yet returned */
	size_t scan;	/* bytes before this hold no '\n' */
	int discarding; /* dropping an over-long line */
	uint64_t lineno;
};

struct sr_lines *
sr_lines_new(void)
{
	return sr_xcalloc(1, sizeof(struct sr_lines));
}

void
sr_lines_free(struct sr_lines *l)
{
	if (l == NULL)
		return;
	free(l->buf);
	free(l);
}

void
sr_lines_feed(struct sr_lines *l, const char *data, size_t n)
{
	if (l->discarding) {
		const char *nl = memchr(data, '\n', n);

		if (nl == NULL)
			return;
		l->discarding = 0;
		n -= (size_t)(nl + 1 - data);
		data = nl + 1;
	}
	if (n == 0)
		return;
	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->len - l->start);
		l->len -= l->start;
		l->scan -= l->start;
		l->start = 0;
	}
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap ? l->cap : 65536;

		while (cap < l->len + n + 1)
			cap *= 2;
		l->buf = sr_xrealloc(l->buf, cap);
		l->cap = cap;
	}
	memcpy(l->buf + l->len, data, n);
	l->len += n;
}

int
sr_lines_next(struct sr_lines *l, int eof, const char **line, size_t *len)
{
	char *nl;
	size_t n;

	if (l->scan < l->start)
		l->scan = l->start;
	nl = l->scan < l->len ? memchr(l->buf + l->scan, '\n', l->len - l->scan)
			      : NULL;
	if (nl != NULL) {
		n = (size_t)(nl - (l->buf + l->start));
		*nl = '\0';
		*line = l->buf + l->start;
		*len = n;
		l->start = l->scan = (size_t)(nl - l->buf) + 1;
		l->lineno++;
		return n > SR_LINE_MAX ? 2 : 1;
	}
	l->scan = l->len;
	n = l->len - l->start;
	if (n > SR_LINE_MAX) {
		/* Report it now and drop its bytes until its newline. */
		*line = l->buf + l->start;
		*len = n;
		l->len = l->start = l->scan = 0;
		l->discarding = 1;
		l->lineno++;
		return 2;
	}
	if (eof && n > 0) {
		l->buf[l->len] = '\0'; /* cap > len since feed */
		*line = l->buf + l->start;
		*len = n;
		l->start = l->scan = l->len;
		l->lineno++;
		return 1;
	}
	return 0;
}

uint64_t
sr_lines_lineno(const struct sr_lines *l)
{
	return l->lineno;
}

size_t
sr_lines_buffered(const struct sr_lines *l)
{
	return l->len - l->start;
}

char *
sr_parse_lib_version(void)
{
	char built[32];

	snprintf(built, sizeof built, "%d.%d.%d", CJSON_VERSION_MAJOR,
	    CJSON_VERSION_MINOR, CJSON_VERSION_PATCH);
	return sr_lib_version("cJSON", cJSON_Version(), built);
}
