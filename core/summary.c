/* SPDX-License-Identifier: MIT */
/*
 * summary: see summary.h.  One pass over the ev_minute rows of the whole
 * minutes plus the raw events of the partial minutes folds everything into
 * (service, endpoint) and (model) groups; per-service numbers are sums of
 * their endpoint groups (sketches merged once per group, not per row).
 * Every row comes from the store's read API (core/store_summary.c):
 * types, errors and distinct identities are one store read each.
 */
#include "core/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/export.h"
#include "core/hmap.h"
#include "core/sketch.h"
#include "core/template.h"
#include "core/timeutil.h"

#define MINUTE_MS 60000
#define HOUR_MS 3600000

/* Accumulated numbers of one (service, endpoint) or (model) group. */
struct grp {
	char *a, *b;
	int64_t requests, s4, s5, lat_n;
	double lat_sum, lat_max;
	int64_t tin, tout;
	double gen_ms;
	struct sr_sketch *sk; /* latency, or TTFT for models */
};

/* Groups in insertion order, indexed by the key "a\0b". */
struct gtab {
	struct grp **v;
	size_t n, cap;
	struct sr_hmap *idx; /* key -> group; NULL until the first group */
	struct sr_buf key;   /* scratch for the key */
};

/* The group keyed (a, b), created empty when missing. */
static struct grp *
gtab_get(struct gtab *t, const char *a, const char *b)
{
	struct grp *g;

	if (t->idx == NULL) {
		t->idx = sr_hmap_new(32, SR_HMAP_OWN_KEYS, NULL);
		sr_buf_init(&t->key);
	}
	sr_buf_reset(&t->key);
	sr_buf_adds(&t->key, a);
	sr_buf_addc(&t->key, '\0');
	sr_buf_adds(&t->key, b);
	g = sr_hmap_getn(t->idx, t->key.data, t->key.len);
	if (g != NULL)
		return g;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->v = sr_xrealloc(t->v, t->cap * sizeof *t->v);
	}
	g = sr_xcalloc(1, sizeof *g);
	g->a = sr_xstrdup(a);
	g->b = sr_xstrdup(b);
	g->sk = sr_sketch_new();
	t->v[t->n++] = g;
	sr_hmap_putn(t->idx, t->key.data, t->key.len, g);
	return g;
}

static void
gtab_release(struct gtab *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i]->a);
		free(t->v[i]->b);
		sr_sketch_free(t->v[i]->sk);
		free(t->v[i]);
	}
	free(t->v);
	if (t->idx != NULL) {
		sr_hmap_free(t->idx);
		sr_buf_release(&t->key);
	}
	memset(t, 0, sizeof *t);
}

/* Fold one ev_minute row of the whole minutes into the groups. */
struct fold {
	struct gtab *eps, *models;
	struct sr_card *card; /* the [limits] caps */
	struct sr_err *err;
};

/*
 * The (service, endpoint) group of n events and the model's name, as the
 * caps keep them.  Rows were templated and capped when written (rows of
 * older versions are templated here: a template is its own); raw events
 * are templated and escaped (core/template.h) as the rollups do.
 */
static struct grp *
fold_group(struct fold *f, const char *svc, const char *ep, int raw, uint64_t n)
{
	char eb[SR_ENDPOINT_MAX + 2], sb[SR_ENDPOINT_MAX + 2];

	if (raw) {
		svc = sr_template_name(svc, sb, sizeof(sb));
		if (*ep)
			ep = sr_template_endpoint(ep, eb, sizeof(eb));
	} else if (*ep && strcmp(ep, SR_OTHER) != 0) {
		sr_template_path(ep, eb, sizeof(eb));
		ep = eb;
	}
	svc = sr_card_service(f->card, svc, n);
	if (*ep)
		ep = sr_card_endpoint(f->card, svc, ep, n);
	return gtab_get(f->eps, svc, ep);
}

static struct grp *
fold_model(struct fold *f, const char *model, int raw, uint64_t n)
{
	char mb[SR_ENDPOINT_MAX + 2];

	if (raw)
		model = sr_template_name(model, mb, sizeof(mb));
	return gtab_get(f->models, sr_card_model(f->card, model, n), "");
}

static int
fold_minute(void *ctx, const struct sr_store_minute *r)
{
	struct fold *f = ctx;
	struct grp *g =
	    fold_group(f, r->service, r->endpoint, 0, (uint64_t)r->requests);

	g->requests += r->requests;
	g->s4 += r->status_4xx;
	g->s5 += r->status_5xx;
	if (r->lat_n > 0) {
		double mx = isnan(r->lat_max) ? 0 : r->lat_max;

		g->lat_n += r->lat_n;
		g->lat_sum += r->lat_sum;
		if (mx > g->lat_max || g->lat_n == r->lat_n)
			g->lat_max = mx;
		if (r->lat_sketch && r->lat_sketch_len > 0 &&
		    sr_sketch_merge_encoded(g->sk, r->lat_sketch,
			r->lat_sketch_len, f->err) < 0)
			return sr_err_prefix(f->err, "ev_minute sketch");
	}
	if (*r->model) {
		struct grp *m =
		    fold_model(f, r->model, 0, (uint64_t)r->requests);

		m->requests += r->requests;
		m->tin += r->tokens_in;
		m->tout += r->tokens_out;
		m->gen_ms += r->gen_ms;
		if (r->ttft_sketch && r->ttft_sketch_len > 0 &&
		    sr_sketch_merge_encoded(m->sk, r->ttft_sketch,
			r->ttft_sketch_len, f->err) < 0)
			return sr_err_prefix(f->err, "ev_minute sketch");
	}
	return 0;
}

/* Fold one raw event of the partial minutes, as the store folds it. */
static int
fold_event(void *ctx, int64_t id, const struct sr_event *ev)
{
	struct fold *f = ctx;
	int req = sr_event_is_request(ev);
	struct grp *g = fold_group(f, ev->service ? ev->service : "",
	    ev->endpoint ? ev->endpoint : "", 1, (uint64_t)req);
	int has_lat = (ev->has & SR_EV_HAS_LATENCY) != 0;
	double lat = ev->response_time_ms;

	(void)id;
	g->requests += req;
	if (ev->has & SR_EV_HAS_STATUS) {
		int st = ev->status_code;

		g->s4 += st >= 400 && st <= 499;
		g->s5 += st >= 500 && st <= 599;
	}
	if (has_lat) {
		g->lat_n++;
		g->lat_sum += lat;
		if (lat > g->lat_max || g->lat_n == 1)
			g->lat_max = lat;
		sr_sketch_add(g->sk, lat);
	}
	if (ev->model && *ev->model) {
		struct grp *m = fold_model(f, ev->model, 1, (uint64_t)req);

		m->requests += req;
		if (ev->has & SR_EV_HAS_TOKENS_IN)
			m->tin += ev->tokens_in;
		if (ev->has & SR_EV_HAS_TOKENS_OUT) {
			m->tout += ev->tokens_out;
			if (has_lat)
				m->gen_ms += lat;
		}
		if (ev->has & SR_EV_HAS_TTFT)
			sr_sketch_add(m->sk, ev->ttft_ms);
	}
	return 0;
}

static int
fold_raw(struct sr_store *st, const struct sr_store_span edge[2],
    const char *service, const char *host, struct fold *f)
{
	struct sr_store_evq q;

	for (int e = 0; e < 2; e++) {
		if (edge[e].lo >= edge[e].hi)
			continue;
		sr_store_evq_init(&q);
		q.from_ms = edge[e].lo;
		q.to_ms = edge[e].hi;
		q.service = service;
		q.host = host;
		if (sr_store_events(st, &q, fold_event, f, f->err) < 0)
			return -1;
	}
	return 0;
}

struct bounds {
	struct sr_store_split min, hour;
	int64_t from, to;
	const char *service;
	const char *host;
};

static int
cmp_count(const void *pa, const void *pb)
{
	const struct sr_summary_count *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int
add_type(void *ctx, const char *type, int64_t n)
{
	struct sr_summary *sum = ctx;

	/* a handful of types: grow one at a time */
	sum->by_type = sr_xrealloc(sum->by_type,
	    (sum->n_types + 1) * sizeof *sum->by_type);
	sum->by_type[sum->n_types].name = sr_xstrdup(type);
	sum->by_type[sum->n_types++].n = n;
	return 0;
}

static int
query_types(struct sr_store *st, const struct bounds *bd,
    struct sr_summary *sum, struct sr_err *err)
{
	if (sr_store_type_counts(st, bd->from, bd->to, &bd->min, bd->service,
		bd->host, add_type, sum, err) < 0)
		return -1;
	if (sum->n_types > 1)
		qsort(sum->by_type, sum->n_types, sizeof *sum->by_type,
		    cmp_count);
	return 0;
}

static struct sr_summary_service *
find_service(struct sr_summary *sum, const char *name)
{
	for (size_t i = 0; i < sum->n_services; i++)
		if (strcmp(sum->services[i].service, name) == 0)
			return &sum->services[i];
	return NULL;
}

struct errs {
	struct sr_summary *sum;
	struct sr_summary_service *sv;
};

static int
add_error(void *ctx, const char *svc, const char *tpl, int64_t n,
    const char *example)
{
	struct errs *x = ctx;
	struct sr_summary *sum = x->sum;
	struct sr_summary_error *e;

	if (x->sv == NULL || strcmp(x->sv->service, svc) != 0) {
		x->sv = find_service(sum, svc);
		if (x->sv && x->sv->errors == NULL)
			x->sv->errors = sr_xcalloc((size_t)sum->top_n,
			    sizeof *x->sv->errors);
	}
	if (x->sv == NULL || x->sv->n_errors >= (size_t)sum->top_n)
		return 0;
	e = &x->sv->errors[x->sv->n_errors++];
	e->tpl = sr_xstrdup(tpl);
	e->n = n;
	e->example = sr_xstrdup(example);
	return 0;
}

static int
query_errors(struct sr_store *st, const struct bounds *bd,
    struct sr_summary *sum, struct sr_err *err)
{
	struct errs x = { sum, NULL };

	return sr_store_error_patterns(st, bd->from, bd->to, &bd->min,
	    bd->service, bd->host, add_error, &x, err);
}

static void
dist_fill(struct sr_summary_dist *d, int64_t n, double sum, double max,
    const struct sr_sketch *sk)
{
	d->n = n;
	if (n <= 0) {
		d->avg = d->p50 = d->p95 = d->p99 = d->max = NAN;
		d->n = 0;
		return;
	}
	d->avg = sum / (double)n;
	d->max = max;
	d->p50 = sr_sketch_quantile(sk, 0.50);
	d->p95 = sr_sketch_quantile(sk, 0.95);
	d->p99 = sr_sketch_quantile(sk, 0.99);
}

/* By requests, most first, then by name. */
static int
cmp_requests(int64_t ra, const char *na, int64_t rb, const char *nb)
{
	if (ra != rb)
		return ra > rb ? -1 : 1;
	return strcmp(na, nb);
}

static int
cmp_grp_service(const void *pa, const void *pb)
{
	const struct grp *a = *(const struct grp *const *)pa;
	const struct grp *b = *(const struct grp *const *)pb;
	int c = strcmp(a->a, b->a);

	return c ? c : cmp_requests(a->requests, a->b, b->requests, b->b);
}

static int
cmp_service(const void *pa, const void *pb)
{
	const struct sr_summary_service *a = pa, *b = pb;

	return cmp_requests(a->requests, a->service, b->requests, b->service);
}

static int
cmp_model(const void *pa, const void *pb)
{
	const struct sr_summary_model *a = pa, *b = pb;

	return cmp_requests(a->requests, a->model, b->requests, b->model);
}

static void
endpoint_row(struct sr_summary_endpoint *ep, const struct grp *g)
{
	ep->endpoint = sr_xstrdup(g->b);
	ep->requests = g->requests;
	ep->status_5xx = g->s5;
	ep->error_rate = (double)g->s5 / (double)g->requests;
	ep->p95_ms = g->lat_n > 0 ? sr_sketch_quantile(g->sk, 0.95) : NAN;
}

/* Build the service rows (with top endpoints) from the endpoint groups. */
static void
build_services(struct gtab *eps, struct sr_summary *sum, double range_s)
{
	struct grp **ord;
	size_t i, j;

	if (eps->n == 0)
		return;
	ord = sr_xmalloc(eps->n * sizeof *ord);
	for (i = 0; i < eps->n; i++)
		ord[i] = eps->v[i];
	qsort(ord, eps->n, sizeof *ord, cmp_grp_service);
	sum->services = sr_xcalloc(eps->n, sizeof *sum->services);
	for (i = 0; i < eps->n; i = j) {
		struct sr_summary_service *sv = &sum->services[sum->n_services];
		struct sr_sketch *sk = sr_sketch_new();
		int64_t lat_n = 0;
		double lat_sum = 0, lat_max = 0;
		const struct grp *other = NULL;

		sv->service = sr_xstrdup(ord[i]->a);
		/* the top N, then "(other)" */
		sv->endpoints =
		    sr_xcalloc((size_t)sum->top_n + 1, sizeof *sv->endpoints);
		for (j = i; j < eps->n && strcmp(ord[j]->a, ord[i]->a) == 0;
		     j++) {
			struct grp *g = ord[j];

			sv->requests += g->requests;
			sv->status_4xx += g->s4;
			sv->status_5xx += g->s5;
			if (g->lat_n > 0) {
				if (lat_n == 0 || g->lat_max > lat_max)
					lat_max = g->lat_max;
				lat_n += g->lat_n;
				lat_sum += g->lat_sum;
				sr_sketch_merge(sk, g->sk);
			}
			if (strcmp(g->b, SR_OTHER) == 0)
				other = g;
			else if (*g->b && g->requests > 0 &&
			    sv->n_endpoints < (size_t)sum->top_n)
				endpoint_row(&sv->endpoints[sv->n_endpoints++],
				    g);
		}
		if (other != NULL && other->requests > 0) {
			endpoint_row(&sv->endpoints[sv->n_endpoints++], other);
			sum->folded_endpoints += other->requests;
		}
		if (strcmp(sv->service, SR_OTHER) == 0)
			sum->folded_services += sv->requests;
		sv->rate_per_s = (double)sv->requests / range_s;
		sv->error_rate = sv->requests > 0
		    ? (double)sv->status_5xx / (double)sv->requests
		    : 0;
		dist_fill(&sv->latency_ms, lat_n, lat_sum, lat_max, sk);
		sr_sketch_free(sk);
		sum->total_requests += sv->requests;
		/* a service of log events only (no request) is listed */
		if (sv->requests > 0 || j > i) {
			sum->n_services++;
		} else {
			free(sv->service);
			for (size_t k = 0; k < sv->n_endpoints; k++)
				free(sv->endpoints[k].endpoint);
			free(sv->endpoints);
			memset(sv, 0, sizeof *sv);
		}
	}
	free(ord);
	qsort(sum->services, sum->n_services, sizeof *sum->services,
	    cmp_service);
}

static void
build_models(struct gtab *models, struct sr_summary *sum)
{
	if (models->n == 0)
		return;
	sum->models = sr_xcalloc(models->n, sizeof *sum->models);
	for (size_t i = 0; i < models->n; i++) {
		struct grp *g = models->v[i];
		struct sr_summary_model *m = &sum->models[sum->n_models];
		uint64_t n = sr_sketch_count(g->sk);

		if (g->requests <= 0)
			continue;
		if (strcmp(g->a, SR_OTHER) == 0)
			sum->folded_models += g->requests;
		sum->n_models++;
		m->model = sr_xstrdup(g->a);
		m->requests = g->requests;
		m->tokens_in = g->tin;
		m->tokens_out = g->tout;
		m->gen_ms = g->gen_ms;
		m->tokens_per_s = g->gen_ms > 0
		    ? (double)g->tout / (g->gen_ms / 1000.0)
		    : NAN;
		dist_fill(&m->ttft_ms, (int64_t)n, 0, sr_sketch_max(g->sk),
		    g->sk);
		m->ttft_ms.avg = NAN;
	}
	qsort(sum->models, sum->n_models, sizeof *sum->models, cmp_model);
}

int
sr_summary_query(struct sr_store *st, const struct sr_summary_opts *o,
    struct sr_summary **out, struct sr_err *err)
{
	struct sr_summary *sum;
	struct gtab eps = { 0 }, models = { 0 };
	struct fold f;
	struct bounds bd;
	double range_s;
	int rc = -1;

	*out = NULL;
	if (o->to_ms <= o->from_ms)
		return sr_err_set(err, "empty range: 'to' is not after 'from'");
	bd.from = o->from_ms;
	bd.to = o->to_ms;
	bd.service = o->service;
	bd.host = o->host;
	range_s = (double)(o->to_ms - o->from_ms) / 1000.0;

	sum = sr_xcalloc(1, sizeof *sum);
	sum->from_ms = o->from_ms;
	sum->to_ms = o->to_ms;
	sum->service = o->service ? sr_xstrdup(o->service) : NULL;
	sum->top_n = o->top_n > 0 ? o->top_n : SR_SUMMARY_TOP_DEFAULT;

	/* One read transaction: every query sees the same data. */
	f.card = NULL;
	if (sr_store_read_begin(st, err) < 0)
		goto out;
	/* (a range that ends now reads no raw event: the current minute's
	 * and hour's rollup rows hold what it covers) */
	sr_store_split_exact(st, o->from_ms, o->to_ms, MINUTE_MS, &bd.min);
	sr_store_split_exact(st, o->from_ms, o->to_ms, HOUR_MS, &bd.hour);
	f.eps = &eps;
	f.models = &models;
	f.card = sr_card_new(o->limits);
	f.err = err;
	if (sr_store_minutes(st, bd.min.roll, o->service, o->host, fold_minute,
		&f, err) < 0 ||
	    fold_raw(st, bd.min.edge, o->service, o->host, &f) < 0)
		goto end;
	build_services(&eps, sum, range_s);
	build_models(&models, sum);
	if (query_types(st, &bd, sum, err) < 0)
		goto end;
	/* every event, requests or not: the sum of the types */
	for (size_t i = 0; i < sum->n_types; i++)
		sum->total_events += sum->by_type[i].n;
	if (query_errors(st, &bd, sum, err) < 0 ||
	    sr_store_distinct_ids(st, 0, bd.from, bd.to, &bd.hour, bd.service,
		bd.host, &sum->unique_users, err) < 0 ||
	    sr_store_distinct_ids(st, 1, bd.from, bd.to, &bd.hour, bd.service,
		bd.host, &sum->unique_sessions, err) < 0)
		goto end;
	rc = 0;
end:
	sr_store_read_end(st);
out:
	gtab_release(&eps);
	gtab_release(&models);
	sr_card_free(f.card);
	if (rc < 0) {
		sr_summary_free(sum);
		return -1;
	}
	*out = sum;
	return 0;
}

void
sr_summary_free(struct sr_summary *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_types; i++)
		free(s->by_type[i].name);
	free(s->by_type);
	for (size_t i = 0; i < s->n_services; i++) {
		struct sr_summary_service *sv = &s->services[i];

		for (size_t k = 0; k < sv->n_endpoints; k++)
			free(sv->endpoints[k].endpoint);
		free(sv->endpoints);
		for (size_t k = 0; k < sv->n_errors; k++) {
			free(sv->errors[k].tpl);
			free(sv->errors[k].example);
		}
		free(sv->errors);
		free(sv->service);
	}
	free(s->services);
	for (size_t i = 0; i < s->n_models; i++)
		free(s->models[i].model);
	free(s->models);
	free(s->service);
	free(s);
}

static void
json_key(struct sr_buf *b, const char *k)
{
	sr_buf_add_json_str(b, k);
	sr_buf_addc(b, ':');
}

static void
json_dist(struct sr_buf *b, const struct sr_summary_dist *d, int full)
{
	sr_buf_adds(b, "{");
	if (full) {
		json_key(b, "avg");
		sr_export_json_num(b, d->avg);
		sr_buf_addc(b, ',');
	}
	json_key(b, "p50");
	sr_export_json_num(b, d->p50);
	sr_buf_adds(b, ",\"p95\":");
	sr_export_json_num(b, d->p95);
	if (full) {
		sr_buf_adds(b, ",\"p99\":");
		sr_export_json_num(b, d->p99);
		sr_buf_adds(b, ",\"max\":");
		sr_export_json_num(b, d->max);
	}
	sr_buf_adds(b, "}");
}

void
sr_summary_json(const struct sr_summary *s, struct sr_buf *b)
{
	char t[96];

	sr_buf_adds(b, "{\"from\":");
	sr_time_format_iso(s->from_ms, t, sizeof t);
	sr_buf_add_json_str(b, t);
	sr_buf_adds(b, ",\"to\":");
	sr_time_format_iso(s->to_ms, t, sizeof t);
	sr_buf_add_json_str(b, t);
	sr_buf_adds(b, ",\"range_s\":");
	sr_export_json_num(b, (double)(s->to_ms - s->from_ms) / 1000.0);
	sr_buf_adds(b, ",\"service\":");
	if (s->service)
		sr_buf_add_json_str(b, s->service);
	else
		sr_buf_adds(b, "null");
	sr_buf_addf(b,
	    ",\"total_events\":%lld,\"total_requests\":%lld,"
	    "\"unique_users\":%lld,\"unique_sessions\":%lld,"
	    "\"folded\":{\"services\":%lld,\"endpoints\":%lld,"
	    "\"models\":%lld},\"events_by_type\":{",
	    (long long)s->total_events, (long long)s->total_requests,
	    (long long)s->unique_users, (long long)s->unique_sessions,
	    (long long)s->folded_services, (long long)s->folded_endpoints,
	    (long long)s->folded_models);
	for (size_t i = 0; i < s->n_types; i++) {
		if (i)
			sr_buf_addc(b, ',');
		json_key(b, s->by_type[i].name);
		sr_buf_addf(b, "%lld", (long long)s->by_type[i].n);
	}
	sr_buf_adds(b, "},\"services\":[");
	for (size_t i = 0; i < s->n_services; i++) {
		const struct sr_summary_service *sv = &s->services[i];

		sr_buf_adds(b, i ? ",{\"service\":" : "{\"service\":");
		if (*sv->service)
			sr_buf_add_json_str(b, sv->service);
		else
			sr_buf_adds(b, "null");
		sr_buf_addf(b, ",\"requests\":%lld,\"rate_per_s\":",
		    (long long)sv->requests);
		sr_export_json_num(b, sv->rate_per_s);
		sr_buf_addf(b,
		    ",\"status_4xx\":%lld,\"status_5xx\":%lld,"
		    "\"error_rate\":",
		    (long long)sv->status_4xx, (long long)sv->status_5xx);
		sr_export_json_num(b, sv->error_rate);
		sr_buf_adds(b, ",\"latency_ms\":");
		json_dist(b, &sv->latency_ms, 1);
		sr_buf_adds(b, ",\"top_endpoints\":[");
		for (size_t k = 0; k < sv->n_endpoints; k++) {
			const struct sr_summary_endpoint *ep =
			    &sv->endpoints[k];

			sr_buf_adds(b,
			    k ? ",{\"endpoint\":" : "{\"endpoint\":");
			sr_buf_add_json_str(b, ep->endpoint);
			sr_buf_addf(b, ",\"requests\":%lld,\"error_rate\":",
			    (long long)ep->requests);
			sr_export_json_num(b, ep->error_rate);
			sr_buf_adds(b, ",\"p95_ms\":");
			sr_export_json_num(b, ep->p95_ms);
			sr_buf_addc(b, '}');
		}
		sr_buf_adds(b, "],\"top_errors\":[");
		for (size_t k = 0; k < sv->n_errors; k++) {
			sr_buf_adds(b,
			    k ? ",{\"template\":" : "{\"template\":");
			sr_buf_add_json_str(b, sv->errors[k].tpl);
			sr_buf_addf(b, ",\"count\":%lld,\"example\":",
			    (long long)sv->errors[k].n);
			sr_buf_add_json_str(b, sv->errors[k].example);
			sr_buf_addc(b, '}');
		}
		sr_buf_adds(b, "]}");
	}
	sr_buf_adds(b, "],\"models\":[");
	for (size_t i = 0; i < s->n_models; i++) {
		const struct sr_summary_model *m = &s->models[i];

		sr_buf_adds(b, i ? ",{\"model\":" : "{\"model\":");
		sr_buf_add_json_str(b, m->model);
		sr_buf_addf(b,
		    ",\"requests\":%lld,\"tokens_in\":%lld,"
		    "\"tokens_out\":%lld,\"tokens_per_s\":",
		    (long long)m->requests, (long long)m->tokens_in,
		    (long long)m->tokens_out);
		sr_export_json_num(b, m->tokens_per_s);
		sr_buf_adds(b, ",\"ttft_ms\":");
		json_dist(b, &m->ttft_ms, 0);
		sr_buf_addc(b, '}');
	}
	sr_buf_adds(b, "]}\n");
}

/* ---- text ---- */

enum {
	MAXCOL = 12
};

/* A text table: cells kept until printed, column widths measured. */
struct table {
	int ncol;
	const char *right; /* 'r' or 'l' per column */
	char **cell;	   /* row-major */
	size_t nrow, cap;
	size_t w[MAXCOL];
};

static void
table_init(struct table *t, int ncol, const char *align)
{
	memset(t, 0, sizeof *t);
	t->ncol = ncol;
	t->right = align;
}

/* Add one row of ncol cells (strings copied). */
static void
table_row(struct table *t, const char *const *cells)
{
	if (t->nrow == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cell = sr_xrealloc(t->cell,
		    t->cap * (size_t)t->ncol * sizeof *t->cell);
	}
	for (int c = 0; c < t->ncol; c++) {
		size_t w = 0;

		t->cell[t->nrow * (size_t)t->ncol + (size_t)c] =
		    sr_xstrdup(cells[c]);
		for (const char *p = cells[c]; *p; p++)
			w += ((unsigned char)*p & 0xc0) != 0x80;
		if (w > t->w[c])
			t->w[c] = w;
	}
	t->nrow++;
}

static void
table_print(struct table *t, struct sr_buf *b, const char *indent)
{
	for (size_t r = 0; r < t->nrow; r++) {
		struct sr_buf line;

		sr_buf_init(&line);
		sr_buf_adds(&line, indent);
		for (int c = 0; c < t->ncol; c++) {
			char *s = t->cell[r * (size_t)t->ncol + (size_t)c];
			size_t w = 0;

			for (const char *p = s; *p; p++)
				w += ((unsigned char)*p & 0xc0) != 0x80;
			if (c)
				sr_buf_adds(&line, "  ");
			if (t->right[c] == 'r')
				for (; w < t->w[c]; w++)
					sr_buf_addc(&line, ' ');
			sr_buf_adds(&line, s);
			if (t->right[c] != 'r' && c + 1 < t->ncol)
				for (; w < t->w[c]; w++)
					sr_buf_addc(&line, ' ');
			free(s);
		}
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		sr_buf_add(b, line.data, line.len);
		sr_buf_addc(b, '\n');
		sr_buf_release(&line);
	}
	free(t->cell);
	t->cell = NULL;
	t->nrow = t->cap = 0;
}

/* 1234567 -> "1,234,567". */
static void
fmt_int(char *out, size_t len, int64_t v)
{
	char tmp[32], *p = out;
	int n, lead;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)u);
	if (len < 40) {
		(void)snprintf(out, len, "%s", tmp);
		return;
	}
	if (v < 0)
		*p++ = '-';
	lead = n % 3 ? n % 3 : 3;
	for (int i = 0; i < n; i++) {
		if (i && (i - lead) % 3 == 0)
			*p++ = ',';
		*p++ = tmp[i];
	}
	*p = '\0';
}

/* A duration in ms for people: "850us", "12.3ms", "1.25s", "-". */
static void
fmt_ms(char *out, size_t len, double ms)
{
	if (!isfinite(ms))
		(void)snprintf(out, len, "-");
	else if (ms < 1)
		(void)snprintf(out, len, "%.0fus", ms * 1000);
	else if (ms < 100)
		(void)snprintf(out, len, "%.1fms", ms);
	else if (ms < 1000)
		(void)snprintf(out, len, "%.0fms", ms);
	else if (ms < 60000)
		(void)snprintf(out, len, "%.2fs", ms / 1000);
	else
		(void)snprintf(out, len, "%.1fm", ms / 60000);
}

/* A plain quantity: "0.52", "12.3", "1,234". */
static void
fmt_num(char *out, size_t len, double v)
{
	if (!isfinite(v))
		(void)snprintf(out, len, "-");
	else if (v < 10)
		(void)snprintf(out, len, "%.2f", v);
	else if (v < 1000)
		(void)snprintf(out, len, "%.1f", v);
	else
		fmt_int(out, len, (int64_t)llround(v));
}

static void
fmt_pct(char *out, size_t len, double frac)
{
	if (!isfinite(frac))
		(void)snprintf(out, len, "-");
	else
		(void)snprintf(out, len, "%.2f%%", frac * 100);
}

/* Cut a cell to at most max characters (UTF-8 aware), adding "...". */
static void
fmt_cut(char *out, size_t len, const char *s, size_t max)
{
	size_t n = 0, i = 0;

	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			break;
	}
	if (s[i] == '\0' || max < 4) {
		(void)snprintf(out, len, "%.*s", (int)i, s);
		return;
	}
	/* Back up three characters for the ellipsis. */
	for (int k = 0; k < 3 && i > 0; k++) {
		do
			i--;
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80);
	}
	(void)snprintf(out, len, "%.*s...", (int)i, s);
}

/* A span for people: "24h", "2h23m44.435s", "45s". */
static void
fmt_span(char *out, size_t len, int64_t ms)
{
	int64_t h = ms / 3600000, m = ms / 60000 % 60, sms = ms % 60000;
	int n = 0;

	out[0] = '\0';
	if (h)
		n = snprintf(out, len, "%lldh", (long long)h);
	if (m && n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, "%lldm", (long long)m);
	if ((sms || ms == 0) && n >= 0 && (size_t)n < len) {
		if (sms % 1000)
			(void)snprintf(out + n, len - (size_t)n, "%.3fs",
			    (double)sms / 1000);
		else
			(void)snprintf(out + n, len - (size_t)n, "%llds",
			    (long long)(sms / 1000));
	}
}

void
sr_summary_text(const struct sr_summary *s, struct sr_buf *b)
{
	char from[96], to[96], c[MAXCOL][256];
	const char *row[MAXCOL];
	struct table t;

	for (int i = 0; i < MAXCOL; i++)
		row[i] = c[i];
	sr_time_format_iso(s->from_ms, from, sizeof from);
	sr_time_format_iso(s->to_ms, to, sizeof to);
	fmt_span(c[0], sizeof c[0], s->to_ms - s->from_ms);
	sr_buf_addf(b, "Report %s .. %s (%s)%s%s\n\n", from, to, c[0],
	    s->service ? "  service " : "", s->service ? s->service : "");

	table_init(&t, 2, "lr");
	fmt_int(c[1], sizeof c[1], s->total_events);
	table_row(&t, (const char *[]){ "events", c[1] });
	fmt_int(c[1], sizeof c[1], s->total_requests);
	table_row(&t, (const char *[]){ "requests", c[1] });
	if (s->folded_endpoints + s->folded_services + s->folded_models > 0) {
		/* what the [limits] caps folded into "(other)" rows */
		fmt_int(c[1], sizeof c[1], s->folded_endpoints);
		table_row(&t,
		    (const char *[]){ "  in (other) endpoints", c[1] });
		fmt_int(c[1], sizeof c[1], s->folded_services);
		table_row(&t, (const char *[]){ "  in (other) service", c[1] });
	}
	fmt_int(c[1], sizeof c[1], s->unique_users);
	table_row(&t, (const char *[]){ "unique users", c[1] });
	fmt_int(c[1], sizeof c[1], s->unique_sessions);
	table_row(&t, (const char *[]){ "unique sessions", c[1] });
	for (size_t i = 0; i < s->n_types; i++) {
		fmt_cut(c[0], sizeof c[0], s->by_type[i].name, 40);
		snprintf(c[2], sizeof c[2], "  type %.200s", c[0]);
		fmt_int(c[1], sizeof c[1], s->by_type[i].n);
		table_row(&t, (const char *[]){ c[2], c[1] });
	}
	table_print(&t, b, "");

	if (s->n_services == 0) {
		sr_buf_adds(b, "\nNo events in this range.\n");
		return;
	}
	sr_buf_adds(b, "\nServices\n");
	table_init(&t, 11, "lrrrrrrrrrr");
	table_row(&t,
	    (const char *[]){ "SERVICE", "REQUESTS", "RATE/S", "4XX", "5XX",
		"ERRORS", "AVG", "P50", "P95", "P99", "MAX" });
	for (size_t i = 0; i < s->n_services; i++) {
		const struct sr_summary_service *sv = &s->services[i];

		fmt_cut(c[0], sizeof c[0],
		    *sv->service ? sv->service : "(none)", 32);
		fmt_int(c[1], sizeof c[1], sv->requests);
		fmt_num(c[2], sizeof c[2], sv->rate_per_s);
		fmt_int(c[3], sizeof c[3], sv->status_4xx);
		fmt_int(c[4], sizeof c[4], sv->status_5xx);
		fmt_pct(c[5], sizeof c[5], sv->error_rate);
		fmt_ms(c[6], sizeof c[6], sv->latency_ms.avg);
		fmt_ms(c[7], sizeof c[7], sv->latency_ms.p50);
		fmt_ms(c[8], sizeof c[8], sv->latency_ms.p95);
		fmt_ms(c[9], sizeof c[9], sv->latency_ms.p99);
		fmt_ms(c[10], sizeof c[10], sv->latency_ms.max);
		table_row(&t, row);
	}
	table_print(&t, b, "  ");

	for (size_t i = 0; i < s->n_services; i++) {
		const struct sr_summary_service *sv = &s->services[i];

		if (sv->n_endpoints == 0 && sv->n_errors == 0)
			continue;
		sr_buf_addf(b, "\n%s\n", *sv->service ? sv->service : "(none)");
		if (sv->n_endpoints) {
			table_init(&t, 4, "lrrr");
			table_row(&t,
			    (const char *[]){ "ENDPOINT", "REQUESTS", "ERRORS",
				"P95" });
			for (size_t k = 0; k < sv->n_endpoints; k++) {
				const struct sr_summary_endpoint *ep =
				    &sv->endpoints[k];

				fmt_cut(c[0], sizeof c[0], ep->endpoint, 48);
				fmt_int(c[1], sizeof c[1], ep->requests);
				fmt_pct(c[2], sizeof c[2], ep->error_rate);
				fmt_ms(c[3], sizeof c[3], ep->p95_ms);
				table_row(&t, row);
			}
			table_print(&t, b, "  ");
		}
		if (sv->n_errors) {
			table_init(&t, 3, "rll");
			table_row(&t,
			    (const char *[]){ "COUNT", "TOP ERRORS (PATTERN)",
				"EXAMPLE" });
			for (size_t k = 0; k < sv->n_errors; k++) {
				const struct sr_summary_error *e =
				    &sv->errors[k];

				fmt_int(c[0], sizeof c[0], e->n);
				fmt_cut(c[1], sizeof c[1], e->tpl, 56);
				fmt_cut(c[2], sizeof c[2], e->example, 56);
				table_row(&t, row);
			}
			table_print(&t, b, "  ");
		}
	}

	if (s->n_models == 0)
		return;
	sr_buf_adds(b, "\nModels\n");
	table_init(&t, 7, "lrrrrrr");
	table_row(&t,
	    (const char *[]){ "MODEL", "REQUESTS", "TOKENS IN", "TOKENS OUT",
		"TOKENS/S", "TTFT P50", "TTFT P95" });
	for (size_t i = 0; i < s->n_models; i++) {
		const struct sr_summary_model *m = &s->models[i];

		fmt_cut(c[0], sizeof c[0], m->model, 32);
		fmt_int(c[1], sizeof c[1], m->requests);
		fmt_int(c[2], sizeof c[2], m->tokens_in);
		fmt_int(c[3], sizeof c[3], m->tokens_out);
		fmt_num(c[4], sizeof c[4], m->tokens_per_s);
		fmt_ms(c[5], sizeof c[5], m->ttft_ms.p50);
		fmt_ms(c[6], sizeof c[6], m->ttft_ms.p95);
		table_row(&t, row);
	}
	table_print(&t, b, "  ");
}
