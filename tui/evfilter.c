/* SPDX-License-Identifier: MIT */
/*
 * evfilter: parse and match the event log filter (see evfilter.h).
 */
#include "tui/evfilter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum evf_field {
	EVF_SERVICE,
	EVF_ENDPOINT,
	EVF_STATUS,
	EVF_LATENCY,
	EVF_USER,
	EVF_SESSION,
	EVF_TYPE,
	EVF_MODEL,
	EVF_MESSAGE,
	EVF_HOST,
	EVF_ID,
	EVF_TOKENS_IN,
	EVF_TOKENS_OUT,
	EVF_TTFT,
	EVF__COUNT
};

enum evf_op {
	EVF_EQ,
	EVF_NE,
	EVF_HAS,
	EVF_GE,
	EVF_GT,
	EVF_LE,
	EVF_LT,
	EVF_5XX
};

static const struct {
	const char *name;
	int field;
} evf_names[] = {
	{ "service", EVF_SERVICE },
	{ "endpoint", EVF_ENDPOINT },
	{ "path", EVF_ENDPOINT },
	{ "status", EVF_STATUS },
	{ "latency", EVF_LATENCY },
	{ "latency_ms", EVF_LATENCY },
	{ "ms", EVF_LATENCY },
	{ "user", EVF_USER },
	{ "user_id", EVF_USER },
	{ "session", EVF_SESSION },
	{ "session_id", EVF_SESSION },
	{ "type", EVF_TYPE },
	{ "event_type", EVF_TYPE },
	{ "model", EVF_MODEL },
	{ "message", EVF_MESSAGE },
	{ "msg", EVF_MESSAGE },
	{ "host", EVF_HOST },
	{ "id", EVF_ID },
	{ "event_id", EVF_ID },
	{ "tokens_in", EVF_TOKENS_IN },
	{ "tokens_out", EVF_TOKENS_OUT },
	{ "ttft", EVF_TTFT },
	{ "ttft_ms", EVF_TTFT },
};

static int
evf_numeric(int field)
{
	return field == EVF_STATUS || field == EVF_LATENCY ||
	    field == EVF_TOKENS_IN || field == EVF_TOKENS_OUT ||
	    field == EVF_TTFT;
}

void
sr_evfilter_init(struct sr_evfilter *f)
{
	memset(f, 0, sizeof(*f));
}

void
sr_evfilter_release(struct sr_evfilter *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->t[i].text);
	free(f->src);
	sr_evfilter_init(f);
}

int
sr_evfilter_empty(const struct sr_evfilter *f)
{
	return f->n == 0 && f->from_ms == 0 && f->to_ms == 0;
}

/* Parse one term "field OP value" or free text into t. */
static int
evf_term(struct sr_evf_term *t, const char *w, struct sr_err *err)
{
	static const char *const ops[] = { "!=", ">=", "<=", "=", "~", ">",
		"<" };
	static const int opv[] = { EVF_NE, EVF_GE, EVF_LE, EVF_EQ, EVF_HAS,
		EVF_GT, EVF_LT };
	size_t klen = strcspn(w, "!=<>~");
	const char *v;
	char *end;
	int op = -1;

	t->field = -1;
	if (w[klen] == '\0' || klen == 0) {
		t->op = EVF_HAS;
		t->text = sr_xstrdup(w);
		return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(w + klen, ops[i], strlen(ops[i])) == 0) {
			op = opv[i];
			v = w + klen + strlen(ops[i]);
			break;
		}
	if (op < 0)
		return sr_err_set(err, "bad operator in '%s'", w);
	for (size_t i = 0; i < sizeof(evf_names) / sizeof(evf_names[0]); i++)
		if (strlen(evf_names[i].name) == klen &&
		    strncasecmp(w, evf_names[i].name, klen) == 0)
			t->field = evf_names[i].field;
	if (t->field < 0)
		return sr_err_set(err, "unknown field '%.*s'", (int)klen, w);
	t->op = op;
	t->text = sr_xstrdup(v);
	if (t->field == EVF_STATUS && op == EVF_EQ && strlen(v) == 3 &&
	    isdigit((unsigned char)v[0]) && strcasecmp(v + 1, "xx") == 0) {
		t->op = EVF_5XX; /* any class: 2xx, 4xx, 5xx */
		t->num = (v[0] - '0') * 100;
		return 0;
	}
	if (evf_numeric(t->field)) {
		t->num = strtod(v, &end);
		if (end == v || *end != '\0')
			return sr_err_set(err, "'%.*s' needs a number",
			    (int)klen, w);
	} else if (op != EVF_EQ && op != EVF_NE && op != EVF_HAS) {
		return sr_err_set(err, "'%.*s' is not numeric", (int)klen, w);
	}
	return 0;
}

int
sr_evfilter_parse(struct sr_evfilter *f, const char *s, struct sr_err *err)
{
	char *copy, *p, *w;

	sr_evfilter_release(f);
	copy = sr_xstrdup(s);
	p = copy;
	while ((w = strsep(&p, " \t")) != NULL) {
		if (*w == '\0')
			continue;
		if (f->n == SR_EVF_TERMS_MAX) {
			free(copy);
			sr_evfilter_release(f);
			return sr_err_set(err, "too many terms (at most %d)",
			    SR_EVF_TERMS_MAX);
		}
		if (evf_term(&f->t[f->n], w, err) == -1) {
			free(f->t[f->n].text);
			f->t[f->n].text = NULL;
			free(copy);
			sr_evfilter_release(f);
			return -1;
		}
		f->n++;
	}
	free(copy);
	if (f->n > 0)
		f->src = sr_xstrdup(s);
	return 0;
}

static const char *
evf_str(const struct sr_event *ev, int field)
{
	switch (field) {
	case EVF_SERVICE:
		return ev->service;
	case EVF_ENDPOINT:
		return ev->endpoint;
	case EVF_USER:
		return ev->user_id;
	case EVF_SESSION:
		return ev->session_id;
	case EVF_TYPE:
		return ev->event_type;
	case EVF_MODEL:
		return ev->model;
	case EVF_MESSAGE:
		return ev->message;
	case EVF_HOST:
		return ev->host;
	case EVF_ID:
		return ev->event_id;
	default:
		return NULL;
	}
}

/* The numeric field's value; 0 when the event does not carry it. */
static int
evf_num(const struct sr_event *ev, int field, double *v)
{
	switch (field) {
	case EVF_STATUS:
		*v = ev->status_code;
		return (ev->has & SR_EV_HAS_STATUS) != 0;
	case EVF_LATENCY:
		*v = ev->response_time_ms;
		return (ev->has & SR_EV_HAS_LATENCY) != 0;
	case EVF_TOKENS_IN:
		*v = (double)ev->tokens_in;
		return (ev->has & SR_EV_HAS_TOKENS_IN) != 0;
	case EVF_TOKENS_OUT:
		*v = (double)ev->tokens_out;
		return (ev->has & SR_EV_HAS_TOKENS_OUT) != 0;
	case EVF_TTFT:
		*v = ev->ttft_ms;
		return (ev->has & SR_EV_HAS_TTFT) != 0;
	default:
		return 0;
	}
}

/* Case-insensitive substring. */
static int
evf_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (hay == NULL)
		return 0;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

/* Case-insensitive equality, with a glob when the value has * or ?. */
static int
evf_equal(const char *s, const char *v)
{
	if (s == NULL)
		return *v == '\0';
	if (strpbrk(v, "*?") != NULL)
		return sr_glob(v, s);
	return strcasecmp(s, v) == 0;
}

static int
evf_match_term(const struct sr_evf_term *t, const struct sr_event *ev)
{
	double v;

	if (t->field < 0) {
		for (int f = 0; f < EVF__COUNT; f++)
			if (evf_contains(evf_str(ev, f), t->text))
				return 1;
		return 0;
	}
	if (evf_numeric(t->field)) {
		int known = evf_num(ev, t->field, &v);

		if (t->op == EVF_NE)
			return !known || v != t->num;
		if (!known)
			return 0;
		switch (t->op) {
		case EVF_5XX:
			return v >= t->num && v < t->num + 100;
		case EVF_EQ:
			return v == t->num;
		case EVF_HAS:
			return v == t->num;
		case EVF_GE:
			return v >= t->num;
		case EVF_GT:
			return v > t->num;
		case EVF_LE:
			return v <= t->num;
		case EVF_LT:
			return v < t->num;
		default:
			return 0;
		}
	}
	switch (t->op) {
	case EVF_EQ:
		return evf_equal(evf_str(ev, t->field), t->text);
	case EVF_NE:
		return !evf_equal(evf_str(ev, t->field), t->text);
	default:
		return evf_contains(evf_str(ev, t->field), t->text);
	}
}

int
sr_evfilter_match(const struct sr_evfilter *f, const struct sr_event *ev)
{
	if (f->from_ms != 0 && ev->ts_ms < f->from_ms)
		return 0;
	if (f->to_ms != 0 && ev->ts_ms > f->to_ms)
		return 0;
	for (int i = 0; i < f->n; i++)
		if (!evf_match_term(&f->t[i], ev))
			return 0;
	return 1;
}

/* The events table column of a field (core/store.h). */
static const char *
evf_column(int field)
{
	static const char *const col[EVF__COUNT] = {
		[EVF_SERVICE] = "service",
		[EVF_ENDPOINT] = "endpoint",
		[EVF_STATUS] = "status",
		[EVF_LATENCY] = "latency_ms",
		[EVF_USER] = "user_id",
		[EVF_SESSION] = "session_id",
		[EVF_TYPE] = "event_type",
		[EVF_MODEL] = "model",
		[EVF_MESSAGE] = "message",
		[EVF_HOST] = "host",
		[EVF_ID] = "event_id",
		[EVF_TOKENS_IN] = "tokens_in",
		[EVF_TOKENS_OUT] = "tokens_out",
		[EVF_TTFT] = "ttft_ms",
	};

	return field >= 0 && field < EVF__COUNT ? col[field] : NULL;
}

static void
evf_bind_text(struct sr_evf_bind *b, int *nb, const char *s)
{
	b[*nb].is_text = 1;
	b[*nb].text = s;
	b[*nb].num = 0;
	(*nb)++;
}

static void
evf_bind_num(struct sr_evf_bind *b, int *nb, double v)
{
	b[*nb].is_text = 0;
	b[*nb].text = NULL;
	b[*nb].num = v;
	(*nb)++;
}

/* One term's condition appended to w (after " AND "); 0 when left to C. */
static int
evf_sql_term(const struct sr_evf_term *t, struct sr_buf *w,
    struct sr_evf_bind *b, int *nb)
{
	static const char *const cmp[] = { [EVF_GE] = ">=",
		[EVF_GT] = ">",
		[EVF_LE] = "<=",
		[EVF_LT] = "<" };
	const char *c = evf_column(t->field);
	int glob;

	if (t->field < 0) {
		sr_buf_adds(w, " AND (0");
		for (int f = 0; f < EVF__COUNT; f++) {
			if (evf_numeric(f))
				continue;
			sr_buf_addf(w, " OR instr(lower(%s), lower(?)) > 0",
			    evf_column(f));
			evf_bind_text(b, nb, t->text);
		}
		sr_buf_adds(w, ")");
		return 1;
	}
	if (evf_numeric(t->field)) {
		switch (t->op) {
		case EVF_NE:
			sr_buf_addf(w, " AND (%s IS NULL OR %s <> ?)", c, c);
			break;
		case EVF_5XX:
			sr_buf_addf(w, " AND %s >= ? AND %s < ?", c, c);
			evf_bind_num(b, nb, t->num);
			evf_bind_num(b, nb, t->num + 100);
			return 1;
		case EVF_EQ:
		case EVF_HAS:
			sr_buf_addf(w, " AND %s = ?", c);
			break;
		default:
			sr_buf_addf(w, " AND %s %s ?", c, cmp[t->op]);
			break;
		}
		evf_bind_num(b, nb, t->num);
		return 1;
	}
	glob = strpbrk(t->text, "*?") != NULL;
	switch (t->op) {
	case EVF_EQ:
		if (glob && strchr(t->text, '\\') != NULL)
			return 0;
		if (glob)
			sr_buf_addf(w, " AND coalesce(%s, '') GLOB ?", c);
		else
			sr_buf_addf(w,
			    " AND lower(coalesce(%s, '')) = "
			    "lower(?)",
			    c);
		break;
	case EVF_NE:
		if (glob)
			return 0;
		sr_buf_addf(w, " AND lower(coalesce(%s, '')) <> lower(?)", c);
		break;
	default:
		sr_buf_addf(w, " AND instr(lower(%s), lower(?)) > 0", c);
		break;
	}
	evf_bind_text(b, nb, t->text);
	return 1;
}

int
sr_evfilter_sql(const struct sr_evfilter *f, struct sr_buf *where,
    struct sr_evf_bind *b, int *nb)
{
	int exact = 1;

	*nb = 0;
	sr_buf_adds(where, "1");
	if (f->from_ms != 0) {
		sr_buf_adds(where, " AND ts >= ?");
		evf_bind_num(b, nb, (double)f->from_ms);
	}
	if (f->to_ms != 0) {
		sr_buf_adds(where, " AND ts <= ?");
		evf_bind_num(b, nb, (double)f->to_ms);
	}
	for (int i = 0; i < f->n; i++)
		if (!evf_sql_term(&f->t[i], where, b, nb))
			exact = 0;
	return exact;
}
