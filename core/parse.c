/* SPDX-License-Identifier: MIT */
/*
 * parse: see parse.h.  Every format turns a line into a list of key/value
 * pairs that one dispatcher maps onto the event model: a key table built
 * from the field table's aliases (core/field.h), with a per-parser index
 * on the first byte, names the field, the conversion and a rank, so that
 * when a line carries two aliases of one field the better-ranked one wins
 * and the other is kept in metadata.  Conversion happens after the walk,
 * in field table order, so a displaced alias is never converted.  The combined access-log format is matched by hand and fills
 * the event directly.
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
#include "core/timeutil.h"

/*
 * The parser's key table, built from the field table: a key fills the
 * slot of its field (indexed by enum sr_field_id).
 */
struct parse_key {
	const char *name;
	unsigned char slot; /* enum sr_field_id */
	unsigned char conv; /* enum sr_field_read */
	unsigned char rank; /* lower wins */
};

#define PARSE_MAXKEYS 64
#define PARSE_BUCKET 12 /* most keys sharing a first byte */

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

struct sr_parser {
	enum sr_format fmt;
	cJSON *json;	       /* tree of the last JSON line */
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

int
sr_format_parse(const char *s, enum sr_format *fmt)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "auto") == 0)
		*fmt = SR_FMT_AUTO;
	else if (strcmp(s, "json") == 0 || strcmp(s, "jsonl") == 0)
		*fmt = SR_FMT_JSON;
	else if (strcmp(s, "logfmt") == 0)
		*fmt = SR_FMT_LOGFMT;
	else if (strcmp(s, "combined") == 0)
		*fmt = SR_FMT_COMBINED;
	else
		return -1;
	return 0;
}

struct sr_parser *
sr_parser_new(enum sr_format fmt)
{
	struct sr_parser *p = sr_xcalloc(1, sizeof *p);
	uintptr_t a = (uintptr_t)p;

	p->fmt = fmt;
	sr_buf_init(&p->scratch);
	sr_buf_init(&p->meta);
	/* Seed generated ids so that parsers of one process differ. */
	p->id_seed =
	    (uint32_t)(sr_mono_us() ^ (a >> 4) ^ (a >> 32)) * 2654435761u;
	for (int f = 0; f < SR_FIELD__COUNT; f++) {
		for (const struct sr_field_alias *al = sr_fields[f].aliases;
		     al->name != NULL; al++) {
			if (p->nkeys >= PARSE_MAXKEYS)
				SR_BUG("parse key table overflow");
			p->keys[p->nkeys++] = (struct parse_key){ al->name,
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
	sr_buf_release(&p->scratch);
	sr_buf_release(&p->meta);
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

	if (c >= 128)
		return NULL;
	for (unsigned i = 0; i < p->nbucket[c]; i++) {
		const struct parse_key *k = &p->keys[p->bucket[c][i]];

		if (strcmp(k->name + 1, key + 1) == 0)
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
	/* bunyan/pino numeric levels: 50 error, 60 fatal */
	if (v->type == V_NUM && parse_val_number(v, &d) == 0)
		return d >= 50;
	return 0;
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
		parse_item(p, v);
		return 0;
	}
	v->conv = k->conv;
	v->rank = k->rank;
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
	cur = &p->slot[k->slot];
	if (cur->rank <= k->rank) {
		parse_item(p, v); /* a better alias came first */
		return 0;
	}
	if (cur->rank != RANK_UNSET)
		parse_item(p, cur);
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
			if (v->conv == SR_READ_SOFTSTATUS) {
				parse_item(p, v);
				return 0;
			}
			if (parse_val_number(v, &d) < 0)
				return parse_bad_type(v, "a number", why, err);
			*why = SR_REJ_BAD_FIELD;
			return sr_err_set(err,
			    "field '%s': %g is not an HTTP "
			    "status (100-599)",
			    v->key, d);
		}
		sr_field_set_num(f, ev, d);
		return 0;
	case SR_READ_MS:
	case SR_READ_SEC:
	case SR_READ_INT:
	case SR_READ_FLOAT:
		if (parse_val_number(v, &d) < 0)
			return parse_bad_type(v, "a number", why, err);
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
	sr_field_set_num(f, ev, v->conv == SR_READ_SEC ? d * 1000 : d);
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

/* Metadata text from the metadata object and the kept items, or NULL. */
static const char *
parse_write_meta(struct sr_parser *p)
{
	struct sr_buf *b = &p->meta;
	int first = 1;

	if (p->nitems == 0 && p->meta_obj == NULL)
		return NULL;
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
		if (p->meta_obj != NULL &&
		    cJSON_GetObjectItemCaseSensitive(p->meta_obj, v->key))
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
		ev->event_type = sr_fields[SR_FIELD_TYPE].dflt;
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
	parse_finish(p, ev, now_ms, p->slot[SR_FIELD_TS].rank != RANK_UNSET);
	return 1;
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
	for (cJSON *c = root->child; c != NULL; c = c->next) {
		struct parse_val v = { .key = c->string, .node = c };

		if (c->string == NULL)
			continue;
		switch (c->type & 0xff) {
		case cJSON_String:
			v.type = V_STR;
			v.s = c->valuestring;
			break;
		case cJSON_Number:
			v.type = V_NUM;
			v.d = c->valuedouble;
			break;
		case cJSON_True:
			v.type = V_TRUE;
			break;
		case cJSON_False:
			v.type = V_FALSE;
			break;
		case cJSON_NULL:
			v.type = V_NULL;
			break;
		case cJSON_Array:
			v.type = V_ARR;
			break;
		default:
			v.type = V_OBJ;
			break;
		}
		if (v.type == V_STR && v.s == NULL)
			v.s = (char *)"";
		if (parse_take(p, &v, why, err) < 0)
			return -1;
	}
	return parse_convert(p, now_ms, ev, why, err);
}

/* A copy of the line that the parser may cut and unescape in place. */
static char *
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

static void
parse_meta_str(struct sr_buf *b, const char *key, const char *val)
{
	if (val == NULL || strcmp(val, "-") == 0 || *val == '\0')
		return;
	sr_buf_addc(b, b->len > 1 ? ',' : '{');
	sr_buf_add_json_str(b, key);
	sr_buf_addc(b, ':');
	sr_buf_add_json_str(b, val);
}

/*
 * The combined (or common) access-log format, optionally followed by a
 * request time in seconds.  Returns 1, -1 with why set, or 0 when the line
 * is not in this format.
 */
static int
parse_combined(struct sr_parser *p, const char *line, size_t len,
    int64_t now_ms, struct sr_event *ev, enum sr_reject *why,
    struct sr_err *err)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char *s = parse_copy(p, line, len), *end = s + len;
	char *ip, *ident, *user, *date, *req, *bytes, *ref = NULL,
						      *agent = NULL;
	char *method = NULL, *target = NULL, *proto = NULL, *query = NULL;
	char *extra = NULL;
	int day, mon = 0, year, h, mi, sec, oh, om, status;
	double rt = -1, d;
	int64_t ms;
	struct sr_buf *b = &p->meta;

	if ((ip = parse_token(&s, end)) == NULL ||
	    (ident = parse_token(&s, end)) == NULL ||
	    (user = parse_token(&s, end)) == NULL || *s != '[')
		return 0;
	/* [10/Oct/2000:13:55:36 -0700] */
	date = ++s;
	if (end - s < 27 || s[26] != ']' || s[2] != '/' || s[6] != '/' ||
	    s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ' ||
	    (s[21] != '+' && s[21] != '-'))
		return 0;
	for (int i = 0; i < 12; i++)
		if (memcmp(s + 3, months + 3 * i, 3) == 0)
			mon = i + 1;
	if (sscanf(s, "%2d/", &day) != 1 || sscanf(s + 7, "%4d", &year) != 1 ||
	    sscanf(s + 12, "%2d:%2d:%2d", &h, &mi, &sec) != 3 ||
	    sscanf(s + 22, "%2d%2d", &oh, &om) != 2)
		return 0;
	for (int i = 0; i < 26; i++)
		if (i != 2 && i != 6 && i != 11 && i != 14 && i != 17 &&
		    i != 20 && i != 21 && !(i >= 3 && i <= 5) &&
		    !parse_is_digit(s[i]))
			return 0;
	s += 27;
	if (s >= end || *s != ' ')
		return 0;
	s++;
	if ((req = parse_quoted(&s, end)) == NULL || s >= end || *s != ' ')
		return 0;
	s++;
	if (end - s < 3 || !parse_is_digit(s[0]) || !parse_is_digit(s[1]) ||
	    !parse_is_digit(s[2]) || (end - s > 3 && s[3] != ' '))
		return 0;
	status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
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
	if (s < end) {
		char *t = s;

		while (s < end && *s != ' ')
			s++;
		if (s < end)
			*s++ = '\0';
		else
			*s = '\0';
		if (parse_number_text(t, &d) == 0 && d >= 0) {
			rt = d;
			while (s < end && *s == ' ')
				s++;
			t = s;
		} else if (s < end) {
			s[-1] = ' '; /* keep the rest whole */
		}
		if (*t != '\0')
			extra = t;
	}

	/* The line is in this format: from here on, failures are rejects. */
	if (mon == 0 || oh > 23 || om > 59 ||
	    sr_time_civil_ms(year, mon, day, h, mi, sec, 0, &ms) < 0) {
		*why = SR_REJ_BAD_TIME;
		return sr_err_set(err, "combined: impossible date '%.26s'",
		    date);
	}
	ms -= (date[21] == '-' ? -1 : 1) * (oh * 60 + om) * 60000LL;
	if (status < 100 || status > 599) {
		*why = SR_REJ_BAD_FIELD;
		return sr_err_set(err,
		    "combined: %d is not an HTTP status "
		    "(100-599)",
		    status);
	}
	/* "GET /path?q HTTP/1.1" */
	{
		char *r = req, *rend = req + strlen(req);

		method = parse_token(&r, rend);
		if (method != NULL) {
			target = r;
			while (r < rend && *r != ' ')
				r++;
			if (r < rend) {
				*r++ = '\0';
				proto = r;
			}
			if (*target == '\0')
				target = NULL;
		}
		if (target != NULL) {
			char *sep = strstr(target, "://");
			char *q;

			if (sep != NULL && strchr(sep + 3, '/') != NULL)
				target = strchr(sep + 3, '/');
			q = strchr(target, '?');
			if (q != NULL) {
				*q = '\0';
				query = q + 1;
			}
		}
	}
	parse_reset_line(p, ev);
	ev->ts_ms = ms;
	ev->status_code = status;
	ev->has |= SR_EV_HAS_STATUS;
	if (rt >= 0) {
		ev->response_time_ms = rt * 1000;
		ev->has |= SR_EV_HAS_LATENCY;
	}
	ev->endpoint = target;
	if (strcmp(user, "-") != 0)
		ev->user_id = user;
	sr_buf_reset(b);
	sr_buf_addc(b, '{');
	sr_buf_adds(b, "\"ip\":");
	sr_buf_add_json_str(b, ip);
	parse_meta_str(b, "ident", ident);
	if (method != NULL) {
		parse_meta_str(b, "method", method);
		parse_meta_str(b, "protocol", proto);
		parse_meta_str(b, "query", query);
	} else {
		sr_buf_adds(b, ",\"request\":"); /* as it came, even "-" */
		sr_buf_add_json_str(b, req);
	}
	if (strcmp(bytes, "-") != 0)
		sr_buf_addf(b, ",\"bytes\":%s", bytes);
	parse_meta_str(b, "referer", ref);
	parse_meta_str(b, "agent", agent);
	parse_meta_str(b, "extra", extra);
	sr_buf_addc(b, '}');
	parse_finish(p, ev, now_ms, 1);
	ev->metadata = b->data;
	return 1;
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
			if (!parse_has_kv(line, len)) {
				*why = SR_REJ_UNRECOGNISED;
				return sr_err_set(err,
				    "unrecognised line: not "
				    "JSON, combined log or logfmt");
			}
			fmt = SR_FMT_LOGFMT;
		}
	}
	switch (fmt) {
	case SR_FMT_JSON:
		return parse_json(p, line, len, now_ms, ev, why, err);
	case SR_FMT_LOGFMT:
		return parse_logfmt(p, line, len, now_ms, ev, why, err);
	case SR_FMT_COMBINED:
		rc = parse_combined(p, line, len, now_ms, ev, why, err);
		if (rc != 0)
			return rc;
		*why = SR_REJ_UNRECOGNISED;
		return sr_err_set(err, "not a combined access-log line");
	case SR_FMT_AUTO:
		break;
	}
	SR_BUG("parse: unknown format");
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
