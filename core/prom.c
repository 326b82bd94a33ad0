/* SPDX-License-Identifier: MIT */
/*
 * prom: Prometheus and OpenMetrics text, read line by line without
 * copying the text (names and label values are unescaped into one
 * scratch buffer per line), and the counter and histogram arithmetic of
 * rate() and histogram_quantile().  See core/prom.h.
 */
#include "core/prom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"
#include "core/util.h"

static const char *const prom_type_names[] = {
	[SR_PROM_UNTYPED] = "untyped",
	[SR_PROM_COUNTER] = "counter",
	[SR_PROM_GAUGE] = "gauge",
	[SR_PROM_HISTOGRAM] = "histogram",
	[SR_PROM_SUMMARY] = "summary",
	[SR_PROM_GAUGE_HISTOGRAM] = "gaugehistogram",
	[SR_PROM_INFO] = "info",
	[SR_PROM_STATESET] = "stateset",
};

const char *
sr_prom_type_name(enum sr_prom_type t)
{
	return (size_t)t < sizeof(prom_type_names) / sizeof(*prom_type_names)
	    ? prom_type_names[t]
	    : "untyped";
}

/* A family declared by # TYPE or # HELP. */
struct prom_family {
	enum sr_prom_type type;
	char *help;
};

static void
prom_family_free(void *p)
{
	struct prom_family *f = p;

	free(f->help);
	free(f);
}

/* The suffixes a sample may add to its family's name, and for which types. */
static const struct {
	const char *suffix;
	unsigned types; /* 1 << enum sr_prom_type */
} prom_suffixes[] = {
	{ "_bucket", 1u << SR_PROM_HISTOGRAM | 1u << SR_PROM_GAUGE_HISTOGRAM },
	{ "_count", 1u << SR_PROM_HISTOGRAM | 1u << SR_PROM_SUMMARY },
	{ "_sum", 1u << SR_PROM_HISTOGRAM | 1u << SR_PROM_SUMMARY },
	{ "_created",
	    1u << SR_PROM_COUNTER | 1u << SR_PROM_HISTOGRAM |
		1u << SR_PROM_SUMMARY },
	{ "_total", 1u << SR_PROM_COUNTER },
	{ "_gsum", 1u << SR_PROM_GAUGE_HISTOGRAM },
	{ "_gcount", 1u << SR_PROM_GAUGE_HISTOGRAM },
	{ "_info", 1u << SR_PROM_INFO },
};

/* The parse's state: declared families and one line's scratch. */
struct prom_ctx {
	struct sr_hmap *fam;
	struct sr_prom_stats *st;
	unsigned flags;
	struct sr_buf scratch; /* the line's names and values, NUL-separated */
	struct sr_prom_label labels[SR_PROM_LABELS_MAX];
	size_t off[SR_PROM_LABELS_MAX][2]; /* label name, value in scratch */
	uint64_t lineno;
};

static int
prom_bad(struct prom_ctx *c, const char *why)
{
	c->st->bad++;
	if (c->st->first_bad_line == 0) {
		c->st->first_bad_line = c->lineno;
		(void)snprintf(c->st->first_bad, sizeof(c->st->first_bad), "%s",
		    why); /* short fixed texts: never cut */
	}
	return 0;
}

static int
prom_name_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    ch == '_' || ch == ':';
}

static int
prom_name_char(char ch)
{
	return prom_name_start(ch) || (ch >= '0' && ch <= '9');
}

static const char *
prom_skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A metric or label name at p; returns its end, or NULL. */
static const char *
prom_name(const char *p, const char *end)
{
	const char *s = p;

	if (p >= end || !prom_name_start(*p))
		return NULL;
	while (p < end && prom_name_char(*p))
		p++;
	return p - s > SR_PROM_NAME_MAX ? NULL : p;
}

/* Append [p, q) and a NUL to the scratch; returns the offset. */
static size_t
prom_keep(struct prom_ctx *c, const char *p, size_t n)
{
	size_t at = c->scratch.len;

	sr_buf_add(&c->scratch, p, n);
	sr_buf_addc(&c->scratch, '\0');
	return at;
}

/*
 * A quoted label value at p (the opening quote), unescaped into the
 * scratch at *at.  Returns the end (past the closing quote), or NULL.
 */
static const char *
prom_quoted(struct prom_ctx *c, const char *p, const char *end, size_t *at)
{
	size_t n = 0;

	if (p >= end || *p != '"')
		return NULL;
	*at = c->scratch.len;
	for (p++; p < end && *p != '"'; p++, n++) {
		char ch = *p;

		if (n >= SR_PROM_VALUE_MAX)
			return NULL;
		if (ch == '\\') {
			if (++p >= end)
				return NULL;
			ch = *p == 'n' ? '\n' : *p; /* \\ \" \n; others as is */
		}
		sr_buf_addc(&c->scratch, ch);
	}
	if (p >= end)
		return NULL;
	sr_buf_addc(&c->scratch, '\0');
	return p + 1;
}

/* A float as Prometheus writes them (Go's ParseFloat): the whole token. */
static int
prom_float(const char *p, const char *end, double *v)
{
	char tok[64], *e;
	size_t n = (size_t)(end - p);

	if (n == 0 || n >= sizeof(tok))
		return -1;
	memcpy(tok, p, n);
	tok[n] = '\0';
	*v = strtod(tok, &e);
	return *e == '\0' ? 0 : -1;
}

static const char *
prom_token_end(const char *p, const char *end)
{
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/* Resolve a sample name to its declared family (see prom.h). */
static void
prom_resolve(struct prom_ctx *c, struct sr_prom_sample *s, size_t name_len,
    size_t *fam_len)
{
	const struct prom_family *f = sr_hmap_getn(c->fam, s->name, name_len);
	size_t i;

	*fam_len = name_len;
	s->suffix = "";
	s->type = SR_PROM_UNTYPED;
	s->help = NULL;
	if (f != NULL) {
		s->type = f->type;
		s->help = f->help;
		return;
	}
	for (i = 0; i < sizeof(prom_suffixes) / sizeof(*prom_suffixes); i++) {
		size_t sl = strlen(prom_suffixes[i].suffix);

		if (name_len <= sl ||
		    memcmp(s->name + name_len - sl, prom_suffixes[i].suffix,
			sl) != 0)
			continue;
		f = sr_hmap_getn(c->fam, s->name, name_len - sl);
		if (f == NULL || !(prom_suffixes[i].types & 1u << f->type))
			continue;
		*fam_len = name_len - sl;
		s->suffix = prom_suffixes[i].suffix;
		s->type = f->type;
		s->help = f->help;
		return;
	}
}

static enum sr_prom_type
prom_type_parse(const char *p, size_t n, int *ok)
{
	size_t i;

	*ok = 1;
	for (i = 0; i < sizeof(prom_type_names) / sizeof(*prom_type_names); i++)
		if (strlen(prom_type_names[i]) == n &&
		    memcmp(prom_type_names[i], p, n) == 0)
			return (enum sr_prom_type)i;
	if (n == 7 && memcmp(p, "unknown", 7) == 0)
		return SR_PROM_UNTYPED;
	*ok = 0;
	return SR_PROM_UNTYPED;
}

/* The family entry for name, made when absent. */
static struct prom_family *
prom_family(struct prom_ctx *c, const char *name, size_t n)
{
	struct prom_family *f = sr_hmap_getn(c->fam, name, n);

	if (f == NULL) {
		f = sr_xcalloc(1, sizeof(*f));
		sr_hmap_putn(c->fam, name, n, f);
	}
	return f;
}

/* "# HELP name text", "# TYPE name type", "# EOF", other comments. */
static int
prom_comment(struct prom_ctx *c, const char *p, const char *end)
{
	const char *kw, *kwe, *name, *ne;
	struct prom_family *f;

	kw = prom_skip_space(p + 1, end);
	kwe = prom_token_end(kw, end);
	if (kwe - kw == 3 && memcmp(kw, "EOF", 3) == 0) {
		c->st->eof = 1;
		return 1;
	}
	if (!((kwe - kw == 4 && memcmp(kw, "HELP", 4) == 0) ||
		(kwe - kw == 4 && memcmp(kw, "TYPE", 4) == 0)))
		return 0; /* a plain comment, or # UNIT */
	name = prom_skip_space(kwe, end);
	if ((ne = prom_name(name, end)) == NULL)
		return prom_bad(c, "bad metric name in # HELP or # TYPE");
	p = ne < end && (*ne == ' ' || *ne == '\t') ? ne + 1 : ne;
	if (kw[0] == 'T') {
		int ok;
		const char *t = prom_skip_space(p, end);
		enum sr_prom_type ty = prom_type_parse(t,
		    (size_t)(prom_token_end(t, end) - t), &ok);

		if (!ok)
			return prom_bad(c, "unknown type in # TYPE");
		prom_family(c, name, (size_t)(ne - name))->type = ty;
		return 0;
	}
	f = prom_family(c, name, (size_t)(ne - name));
	sr_buf_reset(&c->scratch);
	for (; p < end; p++) {
		char ch = *p;

		if (ch == '\\' && p + 1 < end && (p[1] == '\\' || p[1] == 'n'))
			ch = *++p == 'n' ? '\n' : '\\';
		sr_buf_addc(&c->scratch, ch);
	}
	free(f->help);
	f->help = sr_xstrdup(c->scratch.data);
	return 0;
}

/* One sample line; returns 1 when the callback stopped the parse. */
static int
prom_sample(struct prom_ctx *c, const char *p, const char *end,
    sr_prom_sample_fn *fn, void *ctx)
{
	struct sr_prom_sample s;
	const char *ne, *ve;
	size_t name_at, fam_len, nl = 0, i;
	char fam[SR_PROM_NAME_MAX + 1];

	if ((ne = prom_name(p, end)) == NULL)
		return prom_bad(c, "bad metric name");
	sr_buf_reset(&c->scratch);
	name_at = prom_keep(c, p, (size_t)(ne - p));
	p = prom_skip_space(ne, end);
	if (p < end && *p == '{') {
		p = prom_skip_space(p + 1, end);
		while (p < end && *p != '}') {
			const char *ln = p, *lne = prom_name(p, end);

			if (lne == NULL)
				return prom_bad(c, "bad label name");
			if (nl == SR_PROM_LABELS_MAX)
				return prom_bad(c, "too many labels");
			c->off[nl][0] = prom_keep(c, ln, (size_t)(lne - ln));
			p = prom_skip_space(lne, end);
			if (p >= end || *p != '=')
				return prom_bad(c, "label without '='");
			p = prom_skip_space(p + 1, end);
			if ((p = prom_quoted(c, p, end, &c->off[nl][1])) ==
			    NULL)
				return prom_bad(c, "bad label value");
			nl++;
			p = prom_skip_space(p, end);
			if (p < end && *p == ',')
				p = prom_skip_space(p + 1, end);
			else if (p < end && *p != '}')
				return prom_bad(c, "expected ',' or '}'");
		}
		if (p >= end)
			return prom_bad(c, "unterminated label set");
		p = prom_skip_space(p + 1, end);
	}
	ve = prom_token_end(p, end);
	if (prom_float(p, ve, &s.value) < 0)
		return prom_bad(c, "bad sample value");
	s.has_ts = 0;
	s.ts_ms = 0;
	p = prom_skip_space(ve, end);
	if (p < end && *p != '#') { /* a timestamp; "# ..." is an exemplar */
		double ts;
		const char *te = prom_token_end(p, end);

		if (prom_float(p, te, &ts) < 0 || !isfinite(ts))
			return prom_bad(c, "bad timestamp");
		if (c->flags & SR_PROM_OPENMETRICS)
			ts *= 1000.0;
		if (ts < -9.2e18 || ts > 9.2e18)
			return prom_bad(c, "bad timestamp");
		s.ts_ms = (int64_t)ts;
		s.has_ts = 1;
		p = prom_skip_space(te, end);
		if (p < end && *p != '#')
			return prom_bad(c, "text after the timestamp");
	}
	/* the scratch is complete: its pointers are stable from here */
	for (i = 0; i < nl; i++) {
		c->labels[i].name = c->scratch.data + c->off[i][0];
		c->labels[i].value = c->scratch.data + c->off[i][1];
	}
	s.name = c->scratch.data + name_at;
	s.labels = c->labels;
	s.nlabels = nl;
	prom_resolve(c, &s, strlen(s.name), &fam_len);
	memcpy(fam, s.name, fam_len);
	fam[fam_len] = '\0';
	s.family = fam;
	c->st->samples++;
	return fn(ctx, &s) != 0;
}

int64_t
sr_prom_parse(const char *text, size_t len, unsigned flags,
    sr_prom_sample_fn *fn, void *ctx, struct sr_prom_stats *st)
{
	struct sr_prom_stats local;
	struct prom_ctx c;
	const char *p = text, *end = text + len;
	int stopped = 0;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.flags = flags;
	/* an exposition ending in "# EOF" is OpenMetrics (seconds) */
	if (len >= 5) {
		const char *t = end;

		while (t > text && (t[-1] == '\n' || t[-1] == '\r'))
			t--;
		if (t - text >= 5 && memcmp(t - 5, "# EOF", 5) == 0)
			c.flags |= SR_PROM_OPENMETRICS;
	}
	c.fam = sr_hmap_new(64, SR_HMAP_OWN_KEYS, prom_family_free);
	sr_buf_init(&c.scratch);
	while (p < end && !stopped && !st->eof) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *q;

		c.lineno = ++st->lines;
		if (le > p && le[-1] == '\r')
			le--;
		q = prom_skip_space(p, le);
		if (q == le)
			; /* blank */
		else if (*q == '#')
			(void)prom_comment(&c, q, le);
		else if (memchr(q, '\0', (size_t)(le - q)) != NULL)
			prom_bad(&c, "NUL byte in line");
		else
			stopped = prom_sample(&c, q, le, fn, ctx);
		p = nl != NULL ? nl + 1 : end;
	}
	sr_buf_release(&c.scratch);
	sr_hmap_free(c.fam);
	return stopped ? -1 : (int64_t)st->samples;
}

const char *
sr_prom_label(const struct sr_prom_sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}

double
sr_prom_counter_increase(double prev, double cur)
{
	if (isnan(prev) || isnan(cur))
		return NAN;
	return cur >= prev ? cur - prev : cur;
}

static int
prom_bucket_cmp(const void *a, const void *b)
{
	double x = ((const struct sr_prom_bucket *)a)->le;
	double y = ((const struct sr_prom_bucket *)b)->le;

	return (x > y) - (x < y);
}

double
sr_prom_histogram_quantile(double q, struct sr_prom_bucket *b, size_t n)
{
	double total, rank, lo, lo_count;
	size_t i;

	if (n < 2 || isnan(q) || q < 0 || q > 1)
		return NAN;
	qsort(b, n, sizeof(*b), prom_bucket_cmp);
	if (!isinf(b[n - 1].le) || b[n - 1].le < 0)
		return NAN;
	for (i = 1; i < n; i++) /* monotonic, as Prometheus fixes them */
		if (b[i].count < b[i - 1].count)
			b[i].count = b[i - 1].count;
	total = b[n - 1].count;
	if (!(total > 0))
		return NAN;
	rank = q * total;
	for (i = 0; i < n - 1 && b[i].count < rank; i++)
		;
	if (i == n - 1) /* in the +Inf bucket: the highest finite bound */
		return b[n - 2].le;
	if (i == 0) {
		if (b[0].le <= 0)
			return b[0].le;
		lo = 0;
		lo_count = 0;
	} else {
		lo = b[i - 1].le;
		lo_count = b[i - 1].count;
	}
	if (b[i].count == lo_count)
		return b[i].le;
	return lo +
	    (b[i].le - lo) * (rank - lo_count) / (b[i].count - lo_count);
}

int
sr_prom_histogram_increase(const struct sr_prom_bucket *prev,
    const struct sr_prom_bucket *cur, size_t n, struct sr_prom_bucket *out)
{
	size_t i;
	int reset = 0;

	for (i = 0; i < n; i++) {
		if (!(prev[i].le == cur[i].le ||
			(isnan(prev[i].le) && isnan(cur[i].le))))
			return -1;
		if (cur[i].count < prev[i].count)
			reset = 1;
	}
	for (i = 0; i < n; i++) {
		out[i].le = cur[i].le;
		out[i].count =
		    reset ? cur[i].count : cur[i].count - prev[i].count;
	}
	return 0;
}
