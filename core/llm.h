/* SPDX-License-Identifier: MIT */
/*
 * llm: the per-model figures of LLM servers, as the engine's series hold
 * them.  A scrape source (the prom: source) hands derived samples named
 * llm.<model>.<field>, <field> one of sr_llm_field_name(); a model name
 * may hold dots, so a name is split at its first and last dot.  The
 * engine groups them into one snapshot row per model (struct
 * sr_snap_llm), which the console, the JSON and the page show, and the
 * serving rules (core/rule_llm*.c) read the series by the same names.
 * Nothing here parses Prometheus text.
 */
#ifndef SR_CORE_LLM_H
#define SR_CORE_LLM_H

#include <stddef.h>
#include <stdint.h>

struct sr_series;
struct sr_series_set;

/* The fields, in the units of their names (see sr_llm_field_name()). */
enum sr_llm_field {
	SR_LLM_RUNNING,	    /* requests running */
	SR_LLM_WAITING,	    /* requests waiting */
	SR_LLM_KV_PCT,	    /* KV-cache use, 0..100 */
	SR_LLM_TTFT_P50,    /* time to first token p50, 1 min, ms */
	SR_LLM_TTFT_P95,    /* ... p95, 1 min, ms */
	SR_LLM_TTFT_P95_5M, /* ... p95, 5 min, ms */
	SR_LLM_E2E_P95,	    /* end-to-end latency p95, 1 min, ms */
	SR_LLM_E2E_P95_5M,  /* ... 5 min, ms */
	SR_LLM_PROMPT_TPS,  /* prompt tokens/s */
	SR_LLM_GEN_TPS,	    /* generated tokens/s */
	SR_LLM_PREEMPT,	    /* preemptions per minute */
	SR_LLM_SUCCESS,	    /* finished requests/s */
	SR_LLM__COUNT
};

/* "running", "waiting", "kv_cache_pct", ... "success_per_s". */
const char *sr_llm_field_name(enum sr_llm_field f);

/*
 * Split a series name "llm.<model>.<field>" at its first and last dot:
 * the field's id, with *model / *model_len pointing into name; -1 when
 * name is not one (other prefix, empty model, unknown field).
 */
int sr_llm_split(const char *name, const char **model, size_t *model_len);

/* The series of field f of model, or NULL. */
const struct sr_series *sr_llm_series(const struct sr_series_set *set,
    const char *model, enum sr_llm_field f);

/*
 * Walk the models that have field f: from series index *i on, the next
 * series llm.<model>.<f>, its model copied into model (cut to n - 1
 * bytes; a longer name is skipped), *i moved past it.  NULL at the end.
 */
const struct sr_series *sr_llm_next(const struct sr_series_set *set, size_t *i,
    enum sr_llm_field f, char *model, size_t n);

/* What a stretch of a series holds (sr_llm_stats()). */
struct sr_llm_stats {
	size_t n;	       /* points, NAN values left out */
	double mean, min, max; /* NAN when n == 0 */
	double median;	       /* NAN when n == 0 */
	double mad;	       /* median absolute deviation, NAN when n == 0 */
	int64_t first_ms, last_ms; /* oldest and newest point, 0 when none */
};

/*
 * The points of s with from_ms < ts <= to_ms (at most SR_SERIES_CAP), into
 * *out.  Returns out->n.
 */
size_t sr_llm_stats(const struct sr_series *s, int64_t from_ms, int64_t to_ms,
    struct sr_llm_stats *out);

#endif
