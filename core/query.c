/* SPDX-License-Identifier: MIT */
/*
 * query: parse and match the event query language (see query.h).
 */
#include "core/query.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/field.h"
#include "core/template.h"

int
sr_query_field_numeric(int field)
{
	return field >= 0 && field < SR_FIELD__COUNT &&
	    sr_field_numeric(&sr_fields[field]);
}

void
sr_query_init(struct sr_query *q)
{
	memset(q, 0, sizeof(*q));
}

void
sr_query_release(struct sr_query *q)
{
	for (int i = 0; i < q->n; i++)
		free(q->t[i].text);
	free(q->src);
	sr_query_init(q);
}

void
sr_query_copy(struct sr_query *dst, const struct sr_query *src)
{
	*dst = *src;
	for (int i = 0; i < dst->n; i++)
		if (src->t[i].text != NULL)
			dst->t[i].text = sr_xstrdup(src->t[i].text);
	if (src->src != NULL)
		dst->src = sr_xstrdup(src->src);
}

int
sr_query_empty(const struct sr_query *q)
{
	return q->n == 0 && q->from_ms == 0 && q->to_ms == 0;
}

/* A status class "5xx" (any digit, any case). */
static int
query_is_class(const char *v, size_t len)
{
	return len == 3 && isdigit((unsigned char)v[0]) &&
	    (v[1] == 'x' || v[1] == 'X') && (v[2] == 'x' || v[2] == 'X');
}

/*
 * status=V where V is a class, "error" or a comma list: a status set.
 * Returns 1 when it was one (t filled), 0 when V is a plain number, -1
 * on a bad list item.
 */
static int
query_status_set(struct sr_query_term *t, const char *v, struct sr_err *err)
{
	const char *p = v;

	if (strchr(v, ',') == NULL && !query_is_class(v, strlen(v)) &&
	    strcasecmp(v, "error") != 0)
		return 0;
	t->op = SR_QOP_STATUS_SET;
	for (;;) {
		size_t len = strcspn(p, ",");
		char item[16], *end;
		long code;

		if (len == 0 || len >= sizeof(item))
			return sr_err_set(err, "bad status list '%s'", v);
		memcpy(item, p, len);
		item[len] = '\0';
		if (query_is_class(item, len)) {
			t->classes |= 1u << (item[0] - '0');
		} else if (strcasecmp(item, "error") == 0) {
			t->error = 1;
		} else {
			code = strtol(item, &end, 10);
			if (*end != '\0' || code < 100 || code > 599)
				return sr_err_set(err,
				    "bad status '%s' in '%s'", item, v);
			if (t->n_codes == SR_QUERY_CODES_MAX)
				return sr_err_set(err,
				    "too many statuses in '%s' (at most %d)", v,
				    SR_QUERY_CODES_MAX);
			t->codes[t->n_codes++] = (int)code;
		}
		if (p[len] == '\0')
			return 1;
		p += len + 1;
	}
}

/* Parse one term "field OP value", "is:error" or free text into t. */
static int
query_term(struct sr_query_term *t, const char *w, struct sr_err *err)
{
	static const char *const ops[] = { "!=", ">=", "<=", "=", "~", ">",
		"<" };
	static const int opv[] = { SR_QOP_NE, SR_QOP_GE, SR_QOP_LE, SR_QOP_EQ,
		SR_QOP_HAS, SR_QOP_GT, SR_QOP_LT };
	size_t klen = strcspn(w, "!=<>~");
	const struct sr_field *f;
	const char *v = NULL;
	char *end;
	int op = -1, rc;

	memset(t, 0, sizeof(*t));
	t->field = SR_QUERY_TEXT;
	if (strcasecmp(w, "is:error") == 0) {
		t->op = SR_QOP_IS_ERROR;
		t->text = sr_xstrdup(w);
		return 0;
	}
	if (w[klen] == '\0' || klen == 0) {
		t->op = SR_QOP_HAS;
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
	if (klen == 8 && strncasecmp(w, "template", 8) == 0) {
		if (op != SR_QOP_EQ && op != SR_QOP_NE && op != SR_QOP_HAS)
			return sr_err_set(err, "'template' is not numeric");
		t->field = SR_QUERY_TEMPLATE;
		t->op = op;
		t->text = sr_xstrdup(v);
		return 0;
	}
	if ((f = sr_field_query_find(w, klen)) == NULL)
		return sr_err_set(err, "unknown field '%.*s'", (int)klen, w);
	t->field = f->id;
	t->op = op;
	t->text = sr_xstrdup(v);
	if (t->field == SR_FIELD_STATUS && op == SR_QOP_EQ) {
		rc = query_status_set(t, v, err);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	if (sr_query_field_numeric(t->field)) {
		t->num = strtod(v, &end);
		if (end == v || *end != '\0')
			return sr_err_set(err, "'%.*s' needs a number",
			    (int)klen, w);
	} else if (op != SR_QOP_EQ && op != SR_QOP_NE && op != SR_QOP_HAS) {
		return sr_err_set(err, "'%.*s' is not numeric", (int)klen, w);
	}
	return 0;
}

/*
 * The next term of *p (blanks skipped) into a copy made in place: text in
 * double quotes keeps its blanks, \" and \\ there are a quote and a
 * backslash.  NULL at the end; "" with an error for an open quote.
 */
static char *
query_word(char **p, int *open)
{
	char *r = *p, *w;
	int quoted = 0;

	*open = 0;
	while (*r == ' ' || *r == '\t')
		r++;
	if (*r == '\0')
		return NULL;
	w = r;
	for (char *o = r;; r++) {
		if (*r == '\0' || (!quoted && (*r == ' ' || *r == '\t'))) {
			*open = quoted;
			*p = *r ? r + 1 : r;
			*o = '\0';
			return w;
		}
		if (*r == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted && *r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*o++ = *r;
	}
}

void
sr_query_quote(struct sr_buf *b, const char *v)
{
	if (*v != '\0' && strpbrk(v, " \t\"\\") == NULL) {
		sr_buf_adds(b, v);
		return;
	}
	sr_buf_adds(b, "\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			sr_buf_adds(b, "\\");
		sr_buf_addc(b, *v);
	}
	sr_buf_adds(b, "\"");
}

/* Parse the terms of s after q's; q->n grows.  -1: q->n as it was. */
static int
query_terms(struct sr_query *q, const char *s, struct sr_err *err)
{
	char *copy = sr_xstrdup(s), *p = copy, *w;
	int n0 = q->n, open;

	while ((w = query_word(&p, &open)) != NULL) {
		if (open) {
			sr_err_set(err, "unclosed quote in '%s'", w);
			goto fail;
		}
		if (*w == '\0')
			continue;
		if (q->n == SR_QUERY_TERMS_MAX) {
			sr_err_set(err, "too many terms (at most %d)",
			    SR_QUERY_TERMS_MAX);
			goto fail;
		}
		if (query_term(&q->t[q->n], w, err) == -1) {
			free(q->t[q->n].text);
			q->t[q->n].text = NULL;
			goto fail;
		}
		q->n++;
	}
	free(copy);
	return 0;
fail:
	while (q->n > n0) {
		q->n--;
		free(q->t[q->n].text);
		q->t[q->n].text = NULL;
	}
	free(copy);
	return -1;
}

int
sr_query_parse(struct sr_query *q, const char *s, struct sr_err *err)
{
	sr_query_release(q);
	if (query_terms(q, s, err) < 0)
		return -1;
	if (q->n > 0)
		q->src = sr_xstrdup(s);
	return 0;
}

int
sr_query_add(struct sr_query *q, const char *s, struct sr_err *err)
{
	int n0 = q->n;
	char *src;

	if (query_terms(q, s, err) < 0)
		return -1;
	if (q->n == n0)
		return 0;
	src = q->src ? sr_xasprintf("%s %s", q->src, s) : sr_xstrdup(s);
	free(q->src);
	q->src = src;
	return 0;
}

/* A text field's string; NULL when absent or not a text field. */
static const char *
query_str(const struct sr_event *ev, int field)
{
	const struct sr_field *f = &sr_fields[field];

	return f->type == SR_FIELD_TEXT ? sr_field_text(f, ev) : NULL;
}

/* Case-insensitive substring. */
static int
query_contains(const char *hay, const char *needle)
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
query_equal(const char *s, const char *v)
{
	if (s == NULL)
		return *v == '\0';
	if (strpbrk(v, "*?") != NULL)
		return sr_glob(v, s);
	return strcasecmp(s, v) == 0;
}

static int
query_status_in(const struct sr_query_term *t, const struct sr_event *ev)
{
	int st = ev->status_code;

	if (t->error && sr_event_is_error(ev))
		return 1;
	if (!(ev->has & SR_EV_HAS_STATUS))
		return 0;
	if (st >= 0 && st <= 999 && (t->classes & (1u << (st / 100))))
		return 1;
	for (int i = 0; i < t->n_codes; i++)
		if (t->codes[i] == st)
			return 1;
	return 0;
}

static int
query_match_term(const struct sr_query_term *t, const struct sr_event *ev)
{
	double v;

	if (t->op == SR_QOP_IS_ERROR)
		return sr_event_is_error(ev);
	if (t->op == SR_QOP_STATUS_SET)
		return query_status_in(t, ev);
	if (t->field == SR_QUERY_TEMPLATE) {
		char tpl[SR_TEMPLATE_MAX + 1];
		const char *m = NULL;

		if (ev->message != NULL) {
			sr_template_make(ev->message, tpl, sizeof(tpl));
			m = tpl;
		}
		if (t->op == SR_QOP_EQ)
			return query_equal(m, t->text);
		if (t->op == SR_QOP_NE)
			return !query_equal(m, t->text);
		return query_contains(m, t->text);
	}
	if (t->field == SR_QUERY_TEXT) {
		for (int f = 0; f < SR_FIELD__COUNT; f++)
			if (query_contains(query_str(ev, f), t->text))
				return 1;
		return 0;
	}
	if (sr_query_field_numeric(t->field)) {
		int known = sr_field_num(&sr_fields[t->field], ev, &v);

		if (t->op == SR_QOP_NE)
			return !known || v != t->num;
		if (!known)
			return 0;
		switch (t->op) {
		case SR_QOP_EQ:
		case SR_QOP_HAS:
			return v == t->num;
		case SR_QOP_GE:
			return v >= t->num;
		case SR_QOP_GT:
			return v > t->num;
		case SR_QOP_LE:
			return v <= t->num;
		case SR_QOP_LT:
			return v < t->num;
		default:
			return 0;
		}
	}
	switch (t->op) {
	case SR_QOP_EQ:
		return query_equal(query_str(ev, t->field), t->text);
	case SR_QOP_NE:
		return !query_equal(query_str(ev, t->field), t->text);
	default:
		return query_contains(query_str(ev, t->field), t->text);
	}
}

int
sr_query_match(const struct sr_query *q, const struct sr_event *ev)
{
	if (q->from_ms != 0 && ev->ts_ms < q->from_ms)
		return 0;
	if (q->to_ms != 0 && ev->ts_ms > q->to_ms)
		return 0;
	for (int i = 0; i < q->n; i++)
		if (!query_match_term(&q->t[i], ev))
			return 0;
	return 1;
}
