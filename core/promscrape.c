/* SPDX-License-Identifier: MIT */
/*
 * promscrape: a scrape target's state between expositions, and the
 * samples each exposition becomes.  See core/promscrape.h.
 *
 * Every series (a name with its labels) has one entry in a hash map keyed
 * by its output name: its last value and time, for rates, or, for a
 * histogram, its bucket layout and a ring of reset-corrected cumulative
 * counts (each bucket corrected as Prometheus's increase() does: a count
 * that went down was reset, and the count before the reset is added from
 * then on), so the increase over a window is last minus first.  The
 * known-server fields and node-exporter's basics are summed per model (per
 * target) while the exposition is read and turned into samples after it.
 */
#include "core/promscrape.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"
#include "core/util.h"

/* A series absent from this many scrapes in a row is forgotten. */
#define PROM_STALE_SCRAPES 10
/* Most models (known servers) per target. */
#define PROM_MODELS_MAX 64
/* Longest sample name handed on; longer ones are dropped. */
#define PROM_NAME_MAX 512
/* Ring entries closer than this to the one before are replaced. */
#define PROM_RING_SPACING_MS (SR_PROM_WIN_5M / (SR_PROM_RING - 8))

/*
 * The known servers' metrics, by the documentation of each project:
 *   vLLM: docs.vllm.ai/en/stable/usage/metrics/ ("Production Metrics")
 *   TGI: huggingface.co/docs/text-generation-inference/reference/metrics
 *   SGLang: docs.sglang.io/docs/references/production_metrics
 *   llama.cpp: the server README (examples/server, later tools/server),
 *   "GET /metrics" (llama-server --metrics)
 */
const struct sr_prom_known sr_prom_known[] = {
	{ "vllm", "vllm:num_requests_running", SR_PROM_F_RUNNING, 1, "all" },
	{ "vllm", "vllm:num_requests_waiting", SR_PROM_F_WAITING, 1, "all" },
	{ "vllm", "vllm:kv_cache_usage_perc", SR_PROM_F_KV, 100,
	    "newer releases (V1 engine), a 0-1 fraction" },
	{ "vllm", "vllm:gpu_cache_usage_perc", SR_PROM_F_KV, 100,
	    "older releases, a 0-1 fraction" },
	{ "vllm", "vllm:time_to_first_token_seconds", SR_PROM_F_TTFT, 1,
	    "all" },
	{ "vllm", "vllm:e2e_request_latency_seconds", SR_PROM_F_E2E, 1, "all" },
	{ "vllm", "vllm:prompt_tokens_total", SR_PROM_F_PROMPT, 1, "all" },
	{ "vllm", "vllm:generation_tokens_total", SR_PROM_F_GEN, 1, "all" },
	{ "vllm", "vllm:num_preemptions_total", SR_PROM_F_PREEMPT, 1, "all" },
	{ "vllm", "vllm:request_success_total", SR_PROM_F_SUCCESS, 1,
	    "all, by finished_reason" },
	{ "tgi", "tgi_batch_current_size", SR_PROM_F_RUNNING, 1, "documented" },
	{ "tgi", "tgi_queue_size", SR_PROM_F_WAITING, 1, "documented" },
	{ "tgi", "tgi_request_duration", SR_PROM_F_E2E, 1, "documented" },
	{ "tgi", "tgi_request_input_length_sum", SR_PROM_F_PROMPT, 1,
	    "documented, the sum of a histogram" },
	{ "tgi", "tgi_request_generated_tokens_sum", SR_PROM_F_GEN, 1,
	    "documented, the sum of a histogram" },
	{ "tgi", "tgi_request_success", SR_PROM_F_SUCCESS, 1, "documented" },
	{ "sglang", "sglang:num_running_reqs", SR_PROM_F_RUNNING, 1, "all" },
	{ "sglang", "sglang:num_queue_reqs", SR_PROM_F_WAITING, 1, "all" },
	{ "sglang", "sglang:token_usage", SR_PROM_F_KV, 100,
	    "all, a 0-1 fraction" },
	{ "sglang", "sglang:time_to_first_token_seconds", SR_PROM_F_TTFT, 1,
	    "all" },
	{ "sglang", "sglang:e2e_request_latency_seconds", SR_PROM_F_E2E, 1,
	    "all" },
	{ "sglang", "sglang:prompt_tokens_total", SR_PROM_F_PROMPT, 1, "all" },
	{ "sglang", "sglang:generation_tokens_total", SR_PROM_F_GEN, 1, "all" },
	{ "sglang", "sglang:num_requests_total", SR_PROM_F_SUCCESS, 1,
	    "newer releases" },
	{ "llamacpp", "llamacpp:requests_processing", SR_PROM_F_RUNNING, 1,
	    "all" },
	{ "llamacpp", "llamacpp:requests_deferred", SR_PROM_F_WAITING, 1,
	    "all" },
	{ "llamacpp", "llamacpp:kv_cache_usage_ratio", SR_PROM_F_KV, 100,
	    "older builds, a 0-1 fraction" },
	{ "llamacpp", "llamacpp:prompt_tokens_total", SR_PROM_F_PROMPT, 1,
	    "all" },
	{ "llamacpp", "llamacpp:tokens_predicted_total", SR_PROM_F_GEN, 1,
	    "all" },
	{ NULL, NULL, SR_PROM_F__COUNT, 0, NULL },
};

/* A histogram's layout, ring and the buckets of the scrape being read. */
struct prom_hist {
	size_t nb;    /* buckets in the layout, 0: none yet */
	double *le;   /* nb bounds, ascending */
	double *raw;  /* nb: last raw counts */
	double *off;  /* nb: reset corrections */
	int64_t *ts;  /* SR_PROM_RING */
	double *ring; /* SR_PROM_RING x nb, corrected, oldest first */
	size_t n;     /* scrapes in the ring */
	struct sr_prom_bucket *cur; /* this scrape's buckets */
	size_t ncur, capcur;
	int64_t cur_ts;
};

/* One series: a gauge or counter, or a histogram. */
struct prom_series {
	double last;
	int64_t last_ts; /* 0: never */
	uint64_t seen;	 /* the scrape that last saw it */
	struct prom_hist *h;
	char *labels; /* histograms: "{...}" without le, for the names */
	char *family; /* histograms */
};

/* A counter summed over label sets (a model's tokens). */
struct prom_sum {
	double cur, prev;
	int64_t prev_ts;
	int have_cur, have_prev;
};

/* Gauges summed (or averaged) over label sets in one scrape. */
struct prom_gauge {
	double sum;
	int n;
	int row; /* the table row in use, for preference */
};

struct prom_model {
	char *name;
	uint64_t seen;
	int64_t last_ts; /* the last scrape's time handed on */
	struct prom_gauge g[SR_PROM_F__COUNT];
	struct prom_sum c[SR_PROM_F__COUNT];
	struct prom_hist ttft, e2e;
	int ttft_row, e2e_row;
};

/* node-exporter's basics, one per target. */
struct prom_node {
	int seen;	 /* this scrape had node_* series */
	int64_t last_ts; /* the last scrape handed on */
	struct prom_sum cpu_all, cpu_idle;
	double mem_total, mem_avail, load1, fs_size, fs_avail;
	int has_mem_total, has_mem_avail, has_load, has_fs;
};

struct sr_prom_target {
	char *job;
	size_t series_max;
	struct sr_hmap *series; /* output name -> prom_series */
	struct sr_hmap *models; /* model -> prom_model */
	struct prom_node node;
	uint64_t scrape;
	struct sr_prom_target_stats st;
	const char *server;
	/* during one scrape */
	int64_t now_ms;
	int64_t ts_max;	 /* newest sample time of the scrape */
	size_t nsamples; /* read of this exposition */
	sr_prom_emit_fn *emit;
	void *ctx;
	size_t emitted;
	struct sr_buf key, name;
};

/* ---- helpers ---- */

static void
hist_release(struct prom_hist *h)
{
	free(h->le);
	free(h->raw);
	free(h->off);
	free(h->ts);
	free(h->ring);
	free(h->cur);
	memset(h, 0, sizeof(*h));
}

static void
series_free(void *p)
{
	struct prom_series *s = p;

	if (s->h != NULL) {
		hist_release(s->h);
		free(s->h);
	}
	free(s->labels);
	free(s->family);
	free(s);
}

static void
model_free(void *p)
{
	struct prom_model *m = p;

	hist_release(&m->ttft);
	hist_release(&m->e2e);
	free(m->name);
	free(m);
}

static void
target_emit(struct sr_prom_target *t, const char *name, int64_t ts_ms, double v)
{
	if (!isfinite(v))
		return;
	t->emit(t->ctx, name, ts_ms, v);
	t->emitted++;
}

static void target_emitf(struct sr_prom_target *t, int64_t ts_ms, double v,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
target_emitf(struct sr_prom_target *t, int64_t ts_ms, double v, const char *fmt,
    ...)
{
	char name[PROM_NAME_MAX];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(name))
		return; /* a model name too long for a sample name */
	target_emit(t, name, ts_ms, v);
}

/* Append labels sorted by name, "{k="v",...}" (nothing when none). */
static void
prom_labels_add(struct sr_buf *b, const struct sr_prom_label *l, size_t n,
    const char *skip)
{
	const struct sr_prom_label *order[SR_PROM_LABELS_MAX];
	size_t k = 0;

	for (size_t i = 0; i < n && k < SR_PROM_LABELS_MAX; i++) {
		size_t j = k;

		if (skip != NULL && strcmp(l[i].name, skip) == 0)
			continue;
		while (j > 0 && strcmp(order[j - 1]->name, l[i].name) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = &l[i];
		k++;
	}
	if (k == 0)
		return;
	sr_buf_addc(b, '{');
	for (size_t i = 0; i < k; i++) {
		if (i > 0)
			sr_buf_addc(b, ',');
		sr_buf_adds(b, order[i]->name);
		sr_buf_adds(b, "=\"");
		for (const char *p = order[i]->value; *p; p++)
			if (*p == '\\')
				sr_buf_adds(b, "\\\\");
			else if (*p == '"')
				sr_buf_adds(b, "\\\"");
			else if (*p == '\n')
				sr_buf_adds(b, "\\n");
			else
				sr_buf_addc(b, *p);
		sr_buf_addc(b, '"');
	}
	sr_buf_addc(b, '}');
}

/* The series under the key in t->key, made when new and under the cap. */
static struct prom_series *
target_series(struct sr_prom_target *t, int hist)
{
	struct prom_series *s =
	    sr_hmap_getn(t->series, t->key.data, t->key.len);

	if (s == NULL) {
		if (sr_hmap_count(t->series) >= t->series_max ||
		    t->key.len >= PROM_NAME_MAX) {
			t->st.dropped_last++;
			return NULL;
		}
		s = sr_xcalloc(1, sizeof(*s));
		if (hist)
			s->h = sr_xcalloc(1, sizeof(*s->h));
		(void)sr_hmap_putn(t->series, t->key.data, t->key.len, s);
	}
	s->seen = t->scrape;
	return s;
}

/* Add count to the bucket le of h's current scrape (summing label sets). */
static void
hist_add(struct prom_hist *h, double le, double count, int64_t ts)
{
	for (size_t i = 0; i < h->ncur; i++)
		if (h->cur[i].le == le) {
			h->cur[i].count += count;
			return;
		}
	if (h->ncur == h->capcur) {
		h->capcur = h->capcur ? 2 * h->capcur : 16;
		h->cur = sr_xrealloc(h->cur, h->capcur * sizeof(*h->cur));
	}
	h->cur[h->ncur++] = (struct sr_prom_bucket){ le, count };
	if (ts > h->cur_ts)
		h->cur_ts = ts;
}

static int
bucket_cmp(const void *a, const void *b)
{
	double x = ((const struct sr_prom_bucket *)a)->le;
	double y = ((const struct sr_prom_bucket *)b)->le;

	return (x > y) - (x < y);
}

/*
 * Close the current scrape of h: into the ring (a new layout starts the
 * ring again).  Returns 1 when a scrape was added, 0 when there was none
 * or it was not newer than the last one.
 */
static int
hist_commit(struct prom_hist *h)
{
	size_t nb = h->ncur, i;
	double *row;
	int64_t ts = h->cur_ts;

	h->ncur = 0;
	h->cur_ts = 0;
	if (nb < 2)
		return 0;
	qsort(h->cur, nb, sizeof(*h->cur), bucket_cmp);
	if (!isinf(h->cur[nb - 1].le))
		return 0;
	if (nb != h->nb)
		goto relayout;
	for (i = 0; i < nb; i++)
		if (h->le[i] != h->cur[i].le)
			goto relayout;
	goto same;
relayout:
	free(h->le);
	free(h->raw);
	free(h->off);
	free(h->ring);
	h->nb = nb;
	h->le = sr_xcalloc(nb, sizeof(*h->le));
	h->raw = sr_xcalloc(nb, sizeof(*h->raw));
	h->off = sr_xcalloc(nb, sizeof(*h->off));
	h->ring = sr_xcalloc(SR_PROM_RING * nb, sizeof(*h->ring));
	if (h->ts == NULL)
		h->ts = sr_xcalloc(SR_PROM_RING, sizeof(*h->ts));
	h->n = 0;
	for (i = 0; i < nb; i++) {
		h->le[i] = h->cur[i].le;
		h->raw[i] = h->cur[i].count;
	}
same:
	if (h->n > 0 && ts <= h->ts[h->n - 1])
		return 0;
	/* room: replace the newest when it is close to the one before it,
	 * else drop the oldest when full */
	if (h->n >= 2 && ts - h->ts[h->n - 2] < PROM_RING_SPACING_MS)
		h->n--;
	else if (h->n == SR_PROM_RING) {
		memmove(h->ts, h->ts + 1, (SR_PROM_RING - 1) * sizeof(*h->ts));
		memmove(h->ring, h->ring + nb,
		    (SR_PROM_RING - 1) * nb * sizeof(*h->ring));
		h->n--;
	}
	row = h->ring + h->n * nb;
	for (i = 0; i < nb; i++) {
		double c = h->cur[i].count;

		if (c < h->raw[i]) /* reset: what was counted before stays */
			h->off[i] += h->raw[i];
		h->raw[i] = c;
		row[i] = c + h->off[i];
	}
	h->ts[h->n++] = ts;
	return 1;
}

double
sr_prom_window_quantile(double q, const int64_t *ts, const double *counts,
    size_t n, const double *le, size_t nb, int64_t window_ms)
{
	struct sr_prom_bucket b[256];
	size_t first = 0;

	if (n < 2 || nb < 2 || nb > sizeof(b) / sizeof(b[0]))
		return NAN;
	while (first < n - 1 && ts[first] < ts[n - 1] - window_ms)
		first++;
	if (first >= n - 1)
		return NAN;
	for (size_t i = 0; i < nb; i++) {
		b[i].le = le[i];
		b[i].count = counts[(n - 1) * nb + i] - counts[first * nb + i];
	}
	return sr_prom_histogram_quantile(q, b, nb);
}

static double
hist_q(const struct prom_hist *h, double q, int64_t window_ms)
{
	return sr_prom_window_quantile(q, h->ts, h->ring, h->n, h->le, h->nb,
	    window_ms);
}

/* A counter's rate from its last value (reset-aware); NaN when none. */
static double
sum_rate(struct prom_sum *c, double v, int64_t ts)
{
	double r = NAN;

	if (c->have_prev && ts > c->prev_ts)
		r = sr_prom_counter_increase(c->prev, v) * 1000.0 /
		    (double)(ts - c->prev_ts);
	if (!c->have_prev || ts > c->prev_ts) {
		c->prev = v;
		c->prev_ts = ts;
		c->have_prev = 1;
	}
	return r;
}

/* ---- the parse callback ---- */

static struct prom_model *
target_model(struct sr_prom_target *t, const struct sr_prom_sample *s)
{
	const char *name = sr_prom_label(s, "model_name");
	struct prom_model *m;

	if (name == NULL || *name == '\0')
		name = sr_prom_label(s, "model");
	if (name == NULL || *name == '\0')
		name = t->job;
	if ((m = sr_hmap_get(t->models, name)) != NULL) {
		if (m->seen != t->scrape) { /* first sample this scrape */
			memset(m->g, 0, sizeof(m->g));
			for (int f = 0; f < SR_PROM_F__COUNT; f++)
				m->c[f].have_cur = 0, m->c[f].cur = 0;
		}
		m->seen = t->scrape;
		return m;
	}
	if (sr_hmap_count(t->models) >= PROM_MODELS_MAX)
		return NULL;
	m = sr_xcalloc(1, sizeof(*m));
	m->name = sr_xstrdup(name);
	m->seen = t->scrape;
	m->ttft_row = m->e2e_row = -1;
	(void)sr_hmap_put(t->models, m->name, m);
	return m;
}

/* The known-server row of a sample, or -1. */
static int
known_row(const struct sr_prom_sample *s)
{
	const char *name =
	    strcmp(s->suffix, "_bucket") == 0 ? s->family : s->name;

	/* cheap first test: every known name starts with one of these */
	if (strncmp(name, "vllm:", 5) != 0 && strncmp(name, "tgi_", 4) != 0 &&
	    strncmp(name, "sglang:", 7) != 0 &&
	    strncmp(name, "llamacpp:", 9) != 0)
		return -1;
	for (int i = 0; sr_prom_known[i].name != NULL; i++)
		if (strcmp(sr_prom_known[i].name, name) == 0) {
			int hist = sr_prom_known[i].field == SR_PROM_F_TTFT ||
			    sr_prom_known[i].field == SR_PROM_F_E2E;

			if (hist != (strcmp(s->suffix, "_bucket") == 0))
				return -1;
			return i;
		}
	return -1;
}

/* Fold a known server's sample into its model. */
static void
target_known(struct sr_prom_target *t, const struct sr_prom_sample *s, int row,
    int64_t ts)
{
	const struct sr_prom_known *k = &sr_prom_known[row];
	struct prom_model *m = target_model(t, s);
	struct prom_hist *h;
	int *hrow;
	const char *le;

	if (m == NULL)
		return;
	t->server = k->server;
	switch (k->field) {
	case SR_PROM_F_RUNNING:
	case SR_PROM_F_WAITING:
	case SR_PROM_F_KV: {
		struct prom_gauge *g = &m->g[k->field];

		if (g->n > 0 && row > g->row)
			return; /* a preferred name is there */
		if (g->n > 0 && row < g->row)
			g->n = 0, g->sum = 0;
		g->row = row;
		g->sum += s->value * k->scale;
		g->n++;
		return;
	}
	case SR_PROM_F_TTFT:
	case SR_PROM_F_E2E:
		h = k->field == SR_PROM_F_TTFT ? &m->ttft : &m->e2e;
		hrow = k->field == SR_PROM_F_TTFT ? &m->ttft_row : &m->e2e_row;
		if (*hrow >= 0 && row > *hrow && h->ncur > 0)
			return;
		if (*hrow >= 0 && row < *hrow)
			h->ncur = 0;
		*hrow = row;
		if ((le = sr_prom_label(s, "le")) == NULL)
			return;
		hist_add(h, strtod(le, NULL), s->value, ts);
		return;
	default:
		m->c[k->field].cur += s->value * k->scale;
		m->c[k->field].have_cur = 1;
		return;
	}
}

/* node-exporter's few series that make the host's tiles. */
static void
target_node(struct sr_prom_target *t, const struct sr_prom_sample *s)
{
	struct prom_node *n = &t->node;
	const char *v;

	if (strncmp(s->name, "node_", 5) != 0)
		return;
	if (strcmp(s->name, "node_cpu_seconds_total") == 0) {
		n->seen = 1;
		n->cpu_all.cur += s->value;
		v = sr_prom_label(s, "mode");
		if (v != NULL &&
		    (strcmp(v, "idle") == 0 || strcmp(v, "iowait") == 0))
			n->cpu_idle.cur += s->value;
	} else if (strcmp(s->name, "node_memory_MemTotal_bytes") == 0) {
		n->seen = 1, n->mem_total = s->value, n->has_mem_total = 1;
	} else if (strcmp(s->name, "node_memory_MemAvailable_bytes") == 0) {
		n->mem_avail = s->value, n->has_mem_avail = 1;
	} else if (strcmp(s->name, "node_load1") == 0) {
		n->seen = 1, n->load1 = s->value, n->has_load = 1;
	} else if (strncmp(s->name, "node_filesystem_", 16) == 0 &&
	    (v = sr_prom_label(s, "mountpoint")) != NULL &&
	    strcmp(v, "/") == 0) {
		if (strcmp(s->name, "node_filesystem_size_bytes") == 0)
			n->fs_size = s->value, n->has_fs |= 1;
		else if (strcmp(s->name, "node_filesystem_avail_bytes") == 0)
			n->fs_avail = s->value, n->has_fs |= 2;
	}
}

static size_t
target_samples_max(const struct sr_prom_target *t)
{
	size_t n = t->series_max * SR_PROM_SAMPLES_PER_SERIES;

	return n > SR_PROM_SAMPLES_MIN ? n : SR_PROM_SAMPLES_MIN;
}

static int
target_sample(void *ctx, const struct sr_prom_sample *s)
{
	struct sr_prom_target *t = ctx;
	int64_t ts = s->has_ts ? s->ts_ms : t->now_ms;
	int row, counter = 0;
	struct prom_series *ser;

	if (++t->nsamples > target_samples_max(t)) {
		t->st.truncated_last = 1;
		return 1; /* stop: the rest is not read */
	}
	if (ts > t->ts_max)
		t->ts_max = ts;
	if ((row = known_row(s)) >= 0)
		target_known(t, s, row, ts);
	target_node(t, s);
	switch (s->type) {
	case SR_PROM_HISTOGRAM:
		if (strcmp(s->suffix, "_bucket") == 0) {
			const char *le = sr_prom_label(s, "le");

			if (le == NULL)
				return 0;
			sr_buf_reset(&t->key);
			sr_buf_adds(&t->key, s->family);
			sr_buf_addc(&t->key, '\x01'); /* never in a name */
			prom_labels_add(&t->key, s->labels, s->nlabels, "le");
			if ((ser = target_series(t, 1)) == NULL)
				return 0;
			if (ser->family == NULL) {
				size_t fl = strlen(s->family);

				ser->family = sr_xstrdup(s->family);
				ser->labels = sr_xstrndup(t->key.data + fl + 1,
				    t->key.len - fl - 1);
			}
			hist_add(ser->h, strtod(le, NULL), s->value, ts);
			return 0;
		}
		counter = strcmp(s->suffix, "_sum") == 0 ||
		    strcmp(s->suffix, "_count") == 0;
		break;
	case SR_PROM_SUMMARY:
		counter = *s->suffix != '\0';
		break;
	case SR_PROM_COUNTER:
		if (strcmp(s->suffix, "_created") == 0)
			return 0;
		counter = 1;
		break;
	case SR_PROM_INFO:
		return 0;
	case SR_PROM_GAUGE_HISTOGRAM:
		if (strcmp(s->suffix, "_bucket") == 0)
			return 0;
		break;
	default:
		break;
	}
	sr_buf_reset(&t->key);
	sr_buf_adds(&t->key, s->name);
	prom_labels_add(&t->key, s->labels, s->nlabels, NULL);
	if ((ser = target_series(t, 0)) == NULL)
		return 0;
	if (ser->last_ts != 0 && ts <= ser->last_ts)
		return 0; /* the same sample scraped again */
	sr_buf_reset(&t->name);
	sr_buf_addf(&t->name, "prom.%s.", t->job);
	sr_buf_add(&t->name, t->key.data, t->key.len);
	sr_buf_addc(&t->name, '\0');
	if (!counter) {
		target_emit(t, t->name.data, ts, s->value);
	} else if (ser->last_ts != 0) {
		target_emit(t, t->name.data, ts,
		    sr_prom_counter_increase(ser->last, s->value) * 1000.0 /
			(double)(ts - ser->last_ts));
	}
	ser->last = s->value;
	ser->last_ts = ts;
	return 0;
}

/* ---- after the parse ---- */

static const double prom_qs[] = { 0.50, 0.95, 0.99 };
static const char *const prom_qnames[] = { "p50", "p95", "p99" };

struct close_ctx {
	struct sr_prom_target *t;
};

/*
 * A histogram missing from PROM_STALE_SCRAPES scrapes in a row gives its
 * ring back (it starts again if it comes back).  The series itself stays
 * counted against the cap: each name handed on becomes a series in the
 * engine and the store for good, so the cap bounds what a target can
 * cost, label churn included.
 */
static void
target_stale(struct sr_prom_target *t)
{
	size_t pos = 0;
	const char *key;
	void *val;

	while (sr_hmap_next(t->series, &pos, &key, &val)) {
		struct prom_series *s = val;

		if (s->h != NULL && s->h->nb > 0 &&
		    s->seen + PROM_STALE_SCRAPES <= t->scrape)
			hist_release(s->h);
	}
}

/* Quantiles of the histograms read in this scrape. */
static void
target_hists(struct sr_prom_target *t)
{
	size_t pos = 0;
	const char *key;
	void *val;

	while (sr_hmap_next(t->series, &pos, &key, &val)) {
		struct prom_series *s = val;

		if (s->h == NULL || s->seen != t->scrape || s->h->ncur == 0)
			continue;
		{
			int64_t ts = s->h->cur_ts;

			if (!hist_commit(s->h))
				continue;
			/* p50 ... over 1 min, p50_5m ... over 5 min */
			for (size_t i = 0; i < 3; i++) {
				target_emitf(t, ts,
				    hist_q(s->h, prom_qs[i], SR_PROM_WIN_1M),
				    "prom.%s.%s.%s%s", t->job, s->family,
				    prom_qnames[i], s->labels);
				target_emitf(t, ts,
				    hist_q(s->h, prom_qs[i], SR_PROM_WIN_5M),
				    "prom.%s.%s.%s_5m%s", t->job, s->family,
				    prom_qnames[i], s->labels);
			}
		}
	}
}

static void
target_models(struct sr_prom_target *t)
{
	static const char *const gname[] = { [SR_PROM_F_RUNNING] = "running",
		[SR_PROM_F_WAITING] = "waiting",
		[SR_PROM_F_KV] = "kv_cache_pct" };
	size_t pos = 0;
	const char *key;
	void *val;
	int64_t ts = t->ts_max;

	while (sr_hmap_next(t->models, &pos, &key, &val)) {
		struct prom_model *m = val;
		const char *mn = m->name;
		double r;

		if (m->seen != t->scrape)
			continue;
		/* the same exposition again (its own timestamps): the
		 * gauges were handed already; rates and rings skip it */
		for (int f = SR_PROM_F_RUNNING;
		     f <= SR_PROM_F_KV && ts > m->last_ts; f++)
			if (m->g[f].n > 0)
				target_emitf(t, ts,
				    f == SR_PROM_F_KV ? m->g[f].sum / m->g[f].n
						      : m->g[f].sum,
				    "llm.%s.%s.%s", t->job, mn, gname[f]);
		if (m->ttft.ncur > 0) {
			int64_t hts = m->ttft.cur_ts;

			if (hist_commit(&m->ttft)) {
				target_emitf(t, hts,
				    1000 *
					hist_q(&m->ttft, 0.5, SR_PROM_WIN_1M),
				    "llm.%s.%s.ttft_p50_ms", t->job, mn);
				target_emitf(t, hts,
				    1000 *
					hist_q(&m->ttft, 0.95, SR_PROM_WIN_1M),
				    "llm.%s.%s.ttft_p95_ms", t->job, mn);
				target_emitf(t, hts,
				    1000 *
					hist_q(&m->ttft, 0.95, SR_PROM_WIN_5M),
				    "llm.%s.%s.ttft_p95_5m_ms", t->job, mn);
			}
		}
		if (m->e2e.ncur > 0) {
			int64_t hts = m->e2e.cur_ts;

			if (hist_commit(&m->e2e)) {
				target_emitf(t, hts,
				    1000 *
					hist_q(&m->e2e, 0.95, SR_PROM_WIN_1M),
				    "llm.%s.%s.e2e_p95_ms", t->job, mn);
				target_emitf(t, hts,
				    1000 *
					hist_q(&m->e2e, 0.95, SR_PROM_WIN_5M),
				    "llm.%s.%s.e2e_p95_5m_ms", t->job, mn);
			}
		}
		if (m->c[SR_PROM_F_PROMPT].have_cur) {
			r = sum_rate(&m->c[SR_PROM_F_PROMPT],
			    m->c[SR_PROM_F_PROMPT].cur, ts);
			target_emitf(t, ts, r, "llm.%s.%s.prompt_tps", t->job,
			    mn);
		}
		if (m->c[SR_PROM_F_GEN].have_cur) {
			r = sum_rate(&m->c[SR_PROM_F_GEN],
			    m->c[SR_PROM_F_GEN].cur, ts);
			target_emitf(t, ts, r, "llm.%s.%s.gen_tps", t->job, mn);
		}
		if (m->c[SR_PROM_F_PREEMPT].have_cur) {
			r = sum_rate(&m->c[SR_PROM_F_PREEMPT],
			    m->c[SR_PROM_F_PREEMPT].cur, ts);
			target_emitf(t, ts, 60 * r, "llm.%s.%s.preempt_per_min",
			    t->job, mn);
		}
		if (m->c[SR_PROM_F_SUCCESS].have_cur) {
			r = sum_rate(&m->c[SR_PROM_F_SUCCESS],
			    m->c[SR_PROM_F_SUCCESS].cur, ts);
			target_emitf(t, ts, r, "llm.%s.%s.success_per_s",
			    t->job, mn);
		}
		if (ts > m->last_ts)
			m->last_ts = ts;
	}
}

/* host.<job>.cpu|mem|load|fs from node-exporter's series. */
static void
target_host(struct sr_prom_target *t)
{
	struct prom_node *n = &t->node;
	int64_t ts = t->ts_max;

	if (!n->seen || ts <= n->last_ts)
		return;
	n->last_ts = ts;
	if (n->cpu_all.cur > 0) {
		double all = n->cpu_all.prev, idle = n->cpu_idle.prev;
		int64_t pts = n->cpu_all.prev_ts;
		int had = n->cpu_all.have_prev;

		(void)sum_rate(&n->cpu_all, n->cpu_all.cur, ts);
		(void)sum_rate(&n->cpu_idle, n->cpu_idle.cur, ts);
		if (had && ts > pts && n->cpu_all.cur > all &&
		    n->cpu_idle.cur >= idle)
			target_emitf(t, ts,
			    100.0 *
				(1.0 -
				    (n->cpu_idle.cur - idle) /
					(n->cpu_all.cur - all)),
			    "host.%s.cpu", t->job);
	}
	if (n->has_mem_total && n->has_mem_avail && n->mem_total > 0)
		target_emitf(t, ts, 100.0 * (1.0 - n->mem_avail / n->mem_total),
		    "host.%s.mem", t->job);
	if (n->has_load)
		target_emitf(t, ts, n->load1, "host.%s.load", t->job);
	if (n->has_fs == 3 && n->fs_size > 0)
		target_emitf(t, ts, 100.0 * (1.0 - n->fs_avail / n->fs_size),
		    "host.%s.fs", t->job);
}

/* ---- the target ---- */

struct sr_prom_target *
sr_prom_target_new(const char *job, size_t series_max)
{
	struct sr_prom_target *t = sr_xcalloc(1, sizeof(*t));

	t->job = sr_xstrdup(job && *job ? job : "prom");
	for (char *p = t->job; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '_' || *p == ':' ||
			*p == '-'))
			*p = '_';
	t->series_max = series_max > 0 ? series_max : SR_PROM_SERIES_DEFAULT;
	t->series = sr_hmap_new(256, SR_HMAP_OWN_KEYS, series_free);
	t->models = sr_hmap_new(4, 0, model_free);
	sr_buf_init(&t->key);
	sr_buf_init(&t->name);
	return t;
}

void
sr_prom_target_free(struct sr_prom_target *t)
{
	if (t == NULL)
		return;
	sr_hmap_free(t->series);
	sr_hmap_free(t->models);
	sr_buf_release(&t->key);
	sr_buf_release(&t->name);
	free(t->job);
	free(t);
}

void
sr_prom_target_set_max(struct sr_prom_target *t, size_t n)
{
	if (n > 0)
		t->series_max = n;
}

const char *
sr_prom_target_job(const struct sr_prom_target *t)
{
	return t->job;
}

size_t
sr_prom_target_scrape(struct sr_prom_target *t, const char *text, size_t len,
    unsigned flags, int64_t now_ms, sr_prom_emit_fn *emit, void *ctx,
    struct sr_prom_stats *st)
{
	struct sr_prom_stats local;
	char up[PROM_NAME_MAX];

	if (st == NULL)
		st = &local;
	t->scrape++;
	t->now_ms = now_ms;
	t->ts_max = 0;
	t->emit = emit;
	t->ctx = ctx;
	t->emitted = 0;
	t->st.dropped_last = 0;
	t->st.truncated_last = 0;
	t->nsamples = 0;
	t->node.seen = 0;
	t->node.cpu_all.cur = t->node.cpu_idle.cur = 0;
	t->node.has_mem_total = t->node.has_mem_avail = 0;
	t->node.has_load = t->node.has_fs = 0;
	(void)sr_prom_parse(text, len, flags, target_sample, t, st);
	if (t->ts_max == 0)
		t->ts_max = now_ms;
	target_hists(t);
	target_models(t);
	target_host(t);
	target_stale(t);
	t->st.scrapes++;
	t->st.dropped_total += t->st.dropped_last;
	t->st.samples_last = st->samples;
	t->st.bad_last = st->bad;
	(void)snprintf(up, sizeof(up), "prom.%s.up", t->job);
	target_emit(t, up, now_ms, 1);
	return t->emitted;
}

void
sr_prom_target_down(struct sr_prom_target *t, int64_t now_ms,
    sr_prom_emit_fn *emit, void *ctx)
{
	char up[PROM_NAME_MAX];

	(void)snprintf(up, sizeof(up), "prom.%s.up", t->job);
	emit(ctx, up, now_ms, 0);
}

void
sr_prom_target_stats(const struct sr_prom_target *t,
    struct sr_prom_target_stats *out)
{
	*out = t->st;
	out->series = sr_hmap_count(t->series);
	out->series_max = t->series_max;
	out->samples_max = target_samples_max(t);
	out->models = sr_hmap_count(t->models);
	out->server = t->server;
}
