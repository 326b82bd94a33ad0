/* SPDX-License-Identifier: MIT */
/*
 * llm: the per-model figures of LLM servers, as the engine's series hold
 * them.  A scrape source (the prom: source) hands derived samples named
 * llm.<server>.<model>.<field>: <server> is the source's job (no dot in
 * it, core/promscrape.c), so two servers serving the same model keep two
 * sets of series; <field> is one of sr_llm_field_name(); a model name may
 * hold dots, so a name is split at its first, second and last dot.
 * "<server>.<model>" is the key that addresses one server's model (the
 * rules' subject, sr_llm_series()).  The engine groups them into one
 * snapshot row per key (struct sr_snap_llm), which the console, the JSON
 * and the page show, and the serving rules (core/rule_llm*.c) read the
 * series by the same names.  Nothing here parses Prometheus text.
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
 * Split a series name "llm.<server>.<model>.<field>": the field's id,
 * with *key / *key_len pointing into name at "<server>.<model>"; -1 when
 * name is not one (other prefix, empty server or model, unknown field).
 */
int sr_llm_split(const char *name, const char **key, size_t *key_len);

/*
 * The length of the server part of a key "<server>.<model>" (of key_len
 * bytes): its model starts after it and a dot.  0 when key has no dot.
 */
size_t sr_llm_key_server(const char *key, size_t key_len);

/*
 * A key as words for titles and evidence: "<model> on <server>", into
 * out (n bytes, cut to fit).  Returns out.
 */
char *sr_llm_key_label(const char *key, char *out, size_t n);

/* The series of field f of key ("<server>.<model>"), or NULL. */
const struct sr_series *sr_llm_series(const struct sr_series_set *set,
    const char *key, enum sr_llm_field f);

/*
 * Walk the keys that have field f: from series index *i on, the next
 * series llm.<server>.<model>.<f>, its key "<server>.<model>" copied
 * into key (cut to n - 1 bytes; a longer key is skipped), *i moved past
 * it.  NULL at the end.
 */
const struct sr_series *sr_llm_next(const struct sr_series_set *set, size_t *i,
    enum sr_llm_field f, char *key, size_t n);

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
