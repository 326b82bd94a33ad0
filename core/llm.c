/* SPDX-License-Identifier: MIT */
/*
 * llm: names and window figures of the llm.<server>.<model>.<field> series
 * (core/llm.h).  No I/O, no clock.
 */
#include "core/llm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/series.h"

#define LLM_ORDER_MAX 512 /* points a median is taken over, at most */

/* One name per enum sr_llm_field, as the scrape source hands them. */
static const char *const llm_fields[SR_LLM__COUNT] = {
	[SR_LLM_RUNNING] = "running",
	[SR_LLM_WAITING] = "waiting",
	[SR_LLM_KV_PCT] = "kv_cache_pct",
	[SR_LLM_TTFT_P50] = "ttft_p50_ms",
	[SR_LLM_TTFT_P95] = "ttft_p95_ms",
	[SR_LLM_TTFT_P95_5M] = "ttft_p95_5m_ms",
	[SR_LLM_E2E_P95] = "e2e_p95_ms",
	[SR_LLM_E2E_P95_5M] = "e2e_p95_5m_ms",
	[SR_LLM_PROMPT_TPS] = "prompt_tps",
	[SR_LLM_GEN_TPS] = "gen_tps",
	[SR_LLM_PREEMPT] = "preempt_per_min",
	[SR_LLM_SUCCESS] = "success_per_s",
};

const char *
sr_llm_field_name(enum sr_llm_field f)
{
	return (unsigned)f < SR_LLM__COUNT ? llm_fields[f] : "?";
}

int
sr_llm_split(const char *name, const char **key, size_t *key_len)
{
	const char *last, *dot;

	if (name == NULL || strncmp(name, "llm.", 4) != 0)
		return -1;
	last = strrchr(name, '.');
	dot = strchr(name + 4, '.'); /* after the server */
	/* "llm." + a server, a dot and a model, each not empty */
	if (dot == NULL || dot == name + 4 || dot + 1 >= last)
		return -1;
	for (int f = 0; f < SR_LLM__COUNT; f++)
		if (strcmp(last + 1, llm_fields[f]) == 0) {
			if (key != NULL)
				*key = name + 4;
			if (key_len != NULL)
				*key_len = (size_t)(last - (name + 4));
			return f;
		}
	return -1;
}

size_t
sr_llm_key_server(const char *key, size_t key_len)
{
	const char *dot = memchr(key, '.', key_len);

	return dot != NULL ? (size_t)(dot - key) : 0;
}

char *
sr_llm_key_label(const char *key, char *out, size_t n)
{
	size_t len = strlen(key), sl = sr_llm_key_server(key, len);

	if (sl == 0)
		(void)snprintf(out, n, "%s", key); /* cut to fit */
	else
		(void)snprintf(out, n, "%s on %.*s", key + sl + 1, (int)sl,
		    key); /* cut to fit */
	return out;
}

const struct sr_series *
sr_llm_series(const struct sr_series_set *set, const char *key,
    enum sr_llm_field f)
{
	char name[512];
	int n;

	if (set == NULL || (unsigned)f >= SR_LLM__COUNT)
		return NULL;
	n = snprintf(name, sizeof(name), "llm.%s.%s", key, llm_fields[f]);
	if (n < 0 || (size_t)n >= sizeof(name))
		return NULL;
	return sr_series_set_get(set, name);
}

const struct sr_series *
sr_llm_next(const struct sr_series_set *set, size_t *i, enum sr_llm_field f,
    char *key, size_t n)
{
	size_t count = set != NULL ? sr_series_set_count(set) : 0;

	while (*i < count) {
		size_t k = (*i)++, len;
		const char *m;

		if (sr_llm_split(sr_series_set_name(set, k), &m, &len) !=
			(int)f ||
		    len >= n)
			continue;
		memcpy(key, m, len);
		key[len] = '\0';
		return sr_series_set_at(set, k);
	}
	return NULL;
}

static int
llm_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the sorted v[0..n), n > 0. */
static double
llm_median(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

size_t
sr_llm_stats(const struct sr_series *s, int64_t from_ms, int64_t to_ms,
    struct sr_llm_stats *out)
{
	double v[SR_SERIES_CAP], sum = 0;
	size_t len = sr_series_len(s), n = 0;

	memset(out, 0, sizeof(*out));
	for (size_t age = 0; age < len && n < SR_SERIES_CAP; age++) {
		int64_t ts = sr_series_ts_at(s, age);
		double x = sr_series_at(s, age);

		if (ts <= from_ms)
			break;
		if (ts > to_ms || isnan(x))
			continue;
		if (n == 0)
			out->last_ms = ts;
		out->first_ms = ts;
		v[n++] = x;
		sum += x;
	}
	out->n = n;
	if (n == 0) {
		out->mean = out->min = out->max = out->median = out->mad = NAN;
		return 0;
	}
	out->mean = sum / (double)n;
	out->min = out->max = v[0];
	for (size_t i = 1; i < n; i++) {
		out->min = v[i] < out->min ? v[i] : out->min;
		out->max = v[i] > out->max ? v[i] : out->max;
	}
	/* median and MAD of at most LLM_ORDER_MAX points, evenly spaced in
	 * time: an hour at 1 s sorts 512 points twice, not 3600 */
	if (n > LLM_ORDER_MAX) {
		size_t k = 0;

		for (size_t i = 0; i < LLM_ORDER_MAX; i++)
			v[k++] = v[i * n / LLM_ORDER_MAX];
		n = k;
	}
	qsort(v, n, sizeof(v[0]), llm_cmp_double);
	out->median = llm_median(v, n);
	for (size_t i = 0; i < n; i++)
		v[i] = fabs(v[i] - out->median);
	qsort(v, n, sizeof(v[0]), llm_cmp_double);
	out->mad = llm_median(v, n);
	return out->n;
}
