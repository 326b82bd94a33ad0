/* SPDX-License-Identifier: MIT */
/*
 * promscrape: what one Prometheus scrape target's expositions become, scrape
 * after scrape.  The `prom:` source (collectors/src_http.c) fetches the text;
 * this module keeps the target's state (each series' last value, a bounded
 * ring of bucket counts per histogram) and hands samples to a callback with
 * the names of LLM_CONTRACT (sitrep(1), SOURCES):
 *
 *   prom.<job>.<metric>[{k="v",...}]   gauges as read, counters (and the
 *                                      _sum and _count of histograms and
 *                                      summaries) as per-second rates,
 *                                      reset-aware; labels sorted by name,
 *                                      values escaped as Prometheus does
 *   prom.<job>.<family>.p50|p95|p99{...}
 *                                      histograms: quantiles over 1 min
 *                                      from the bucket increases between the
 *                                      window's first and last scrape
 *   prom.<job>.<family>.p50_5m|p95_5m|p99_5m{...}
 *                                      the same over 5 min
 *   prom.<job>.up                      1 after a good scrape, 0 after a bad one
 *   llm.<job>.<model>.<field>          known LLM servers (vLLM, TGI, SGLang,
 *                                      llama.cpp), see sr_prom_known[]; the
 *                                      job names the server
 *   host.<job>.cpu|mem|load|fs         node-exporter's basics, as another
 *                                      sitrep's KPI tiles are named
 *
 * A sample's own timestamp is honoured (as Prometheus does by default); one
 * without is taken at the scrape's time.  A series seen again at a time not
 * after its last one is skipped.  At most series_max series (plain series and
 * histograms) are handed on per target, counted since it was made (a name
 * handed on stays in the engine and the store, so series that come and go
 * count too); samples of the others are dropped and counted.  At most
 * SR_PROM_SAMPLES_PER_SERIES x series_max samples (at least
 * SR_PROM_SAMPLES_MIN) of one exposition are read, the rest skipped, so a
 * hostile target of a million tiny series costs the loop tens of
 * milliseconds, not a second.
 *
 * Pure: no I/O, no clock; the caller passes the scrape's time.
 */
#ifndef SR_CORE_PROMSCRAPE_H
#define SR_CORE_PROMSCRAPE_H

#include <stddef.h>
#include <stdint.h>

#include "core/prom.h"

/* Default of [limits] prom_series: series kept per target. */
#define SR_PROM_SERIES_DEFAULT 2000
/* Samples read of one exposition: per series of the cap, and at least. */
#define SR_PROM_SAMPLES_PER_SERIES 25
#define SR_PROM_SAMPLES_MIN 50000
/* A histogram keeps this many scrapes (at least 2.5 s apart) for 5 min. */
#define SR_PROM_RING 128
/* The two windows of the quantiles. */
#define SR_PROM_WIN_1M 60000
#define SR_PROM_WIN_5M 300000

/* What a known server's metric means. */
enum sr_prom_field {
	SR_PROM_F_RUNNING, /* gauge: requests running */
	SR_PROM_F_WAITING, /* gauge: requests waiting */
	SR_PROM_F_KV,	   /* gauge: KV-cache use (x scale -> percent) */
	SR_PROM_F_TTFT,	   /* histogram, seconds: time to first token */
	SR_PROM_F_E2E,	   /* histogram, seconds: end-to-end latency */
	SR_PROM_F_PROMPT,  /* counter: prompt tokens */
	SR_PROM_F_GEN,	   /* counter: generated tokens */
	SR_PROM_F_PREEMPT, /* counter: preemptions */
	SR_PROM_F_SUCCESS, /* counter: finished requests (summed over labels) */
	SR_PROM_F__COUNT
};

/*
 * One row of the known-server table.  name is matched against the sample's
 * name as written (histograms: their family, through the _bucket samples).
 * Rows of one field are in order of preference: when a target exposes two
 * (vLLM's kv_cache_usage_perc and the older gpu_cache_usage_perc), the
 * earlier row's wins.  `versions` says which releases use the name.
 */
struct sr_prom_known {
	const char *server; /* "vllm", "tgi", "sglang", "llamacpp" */
	const char *name;
	enum sr_prom_field field;
	double scale; /* value x scale (fractions to percent) */
	const char *versions;
};
extern const struct sr_prom_known sr_prom_known[];

/* Called for each sample; name and strings borrowed for the call. */
typedef void
sr_prom_emit_fn(void *ctx, const char *name, int64_t ts_ms, double value);

struct sr_prom_target;

/*
 * A target named job (copied; dots and other characters outside
 * [A-Za-z0-9_:-] become '_') keeping at most series_max series (0: the
 * default).  Free with sr_prom_target_free().
 */
struct sr_prom_target *sr_prom_target_new(const char *job, size_t series_max);
void sr_prom_target_free(struct sr_prom_target *t);

/* Change the cap (n > 0); series over it already kept stay. */
void sr_prom_target_set_max(struct sr_prom_target *t, size_t n);

/* The job as used in names (sanitised); borrowed while t lives. */
const char *sr_prom_target_job(const struct sr_prom_target *t);

/* A target's counts, for the source's status. */
struct sr_prom_target_stats {
	uint64_t scrapes;	/* expositions taken */
	size_t series;		/* series kept now */
	size_t series_max;	/* the cap */
	uint64_t dropped_last;	/* samples dropped by the cap, last scrape */
	uint64_t dropped_total; /* since start */
	uint64_t samples_last;	/* samples read in the last exposition */
	size_t samples_max;	/* read at most this many an exposition */
	int truncated_last;	/* the last one had more: the rest not read */
	uint64_t bad_last;	/* malformed lines in the last exposition */
	size_t models;		/* known-server models seen */
	const char *server;	/* the known server recognised, or NULL */
};

/*
 * Take one exposition of len bytes read at now_ms (flags: enum
 * sr_prom_flags): hand each sample that can be computed to emit, then
 * prom.<job>.up = 1.  st (may be NULL) gets the parser's counts.  Returns
 * the number of samples handed on.
 */
size_t sr_prom_target_scrape(struct sr_prom_target *t, const char *text,
    size_t len, unsigned flags, int64_t now_ms, sr_prom_emit_fn *emit,
    void *ctx, struct sr_prom_stats *st);

/* A failed scrape: hand prom.<job>.up = 0. */
void sr_prom_target_down(struct sr_prom_target *t, int64_t now_ms,
    sr_prom_emit_fn *emit, void *ctx);

void sr_prom_target_stats(const struct sr_prom_target *t,
    struct sr_prom_target_stats *out);

/*
 * The quantile q of a ring of corrected cumulative bucket counts (n
 * scrapes, oldest first, nb buckets each, bounds le[]) over the window_ms
 * before the newest scrape, from the increase between the oldest scrape at
 * or after ts[n-1] - window_ms and the newest.  NaN when fewer than two
 * scrapes fall in the window or nothing was observed.  Exposed for tests.
 */
double
sr_prom_window_quantile(double q, const int64_t *ts, const double *counts,
    size_t n, const double *le, size_t nb, int64_t window_ms);

#endif
