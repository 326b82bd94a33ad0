/* SPDX-License-Identifier: MIT */
/*
 * prom: the Prometheus text exposition format (0.0.4) and OpenMetrics
 * text, read into samples, and the arithmetic that turns scraped
 * counters and histograms into rates and quantiles.  Pure functions: no
 * I/O and no clock; the `prom:` scrape source fetches the text and the
 * series code keeps what it returns.
 *
 * sr_prom_parse() walks the text once and hands each sample to a
 * callback with its family (from `# TYPE`, or the name itself), the
 * suffix that tied it to the family (`_bucket`, `_sum`, `_count`,
 * `_total`, `_created`, `_gsum`, `_gcount`, `_info` or ""), its labels
 * unescaped, its value and its timestamp.  A malformed line is counted,
 * the first one's line number and reason kept, and skipped: it never
 * stops the parse.  `# EOF` ends an OpenMetrics exposition.
 */
#ifndef SR_CORE_PROM_H
#define SR_CORE_PROM_H

#include <stddef.h>
#include <stdint.h>

enum sr_prom_type {
	SR_PROM_UNTYPED, /* no # TYPE line, or "untyped" / "unknown" */
	SR_PROM_COUNTER,
	SR_PROM_GAUGE,
	SR_PROM_HISTOGRAM,
	SR_PROM_SUMMARY,
	SR_PROM_GAUGE_HISTOGRAM, /* OpenMetrics */
	SR_PROM_INFO,		 /* OpenMetrics */
	SR_PROM_STATESET,	 /* OpenMetrics */
};

/* The name of a type as a # TYPE line writes it ("counter", ...). */
const char *sr_prom_type_name(enum sr_prom_type t);

#define SR_PROM_LABELS_MAX 64  /* more labels: the sample is rejected */
#define SR_PROM_NAME_MAX 256   /* longer metric or label names: rejected */
#define SR_PROM_VALUE_MAX 4096 /* longer label values: rejected */

struct sr_prom_label {
	const char *name;
	const char *value; /* unescaped */
};

/* One sample; every pointer is borrowed for the callback's duration. */
struct sr_prom_sample {
	const char *name;   /* as written: "http_requests_total" */
	const char *family; /* "http_requests" when # TYPE named it so */
	const char *suffix; /* what joined name to family, "" when equal */
	enum sr_prom_type type;
	const struct sr_prom_label *labels;
	size_t nlabels;
	double value;  /* +Inf, -Inf and NaN allowed */
	int64_t ts_ms; /* the sample's own timestamp, when has_ts */
	int has_ts;
	const char *help; /* the family's # HELP text, or NULL */
};

enum sr_prom_flags {
	/* Timestamps are seconds (OpenMetrics), not milliseconds. */
	SR_PROM_OPENMETRICS = 1 << 0,
};

struct sr_prom_stats {
	uint64_t lines;		 /* lines read, comments included */
	uint64_t samples;	 /* handed to the callback */
	uint64_t bad;		 /* malformed lines skipped */
	uint64_t first_bad_line; /* 1-based; 0 when none */
	char first_bad[96];	 /* why the first one was skipped */
	int eof;		 /* an OpenMetrics "# EOF" was seen */
};

/* Return non-zero to stop the parse (a size or series cap was reached). */
typedef int sr_prom_sample_fn(void *ctx, const struct sr_prom_sample *s);

/*
 * Parse len bytes of exposition text (need not be NUL-terminated; a last
 * line without '\n' is read).  flags: enum sr_prom_flags, or 0 to take
 * timestamps as milliseconds unless the text ends in "# EOF".  Fills st
 * (which may be NULL).  Returns the number of samples handed on, or -1
 * when fn stopped the parse.
 */
int64_t sr_prom_parse(const char *text, size_t len, unsigned flags,
    sr_prom_sample_fn *fn, void *ctx, struct sr_prom_stats *st);

/* The value of label `name` in s, or NULL. */
const char *sr_prom_label(const struct sr_prom_sample *s, const char *name);

/*
 * The increase of a counter from prev to cur, reset-aware as Prometheus's
 * rate(): a counter that went down was reset, and cur is its increase
 * since then.  NaN in either gives NaN.
 */
double sr_prom_counter_increase(double prev, double cur);

/* One histogram bucket: upper bound `le` and the cumulative count. */
struct sr_prom_bucket {
	double le;
	double count;
};

/*
 * The q-quantile (0 <= q <= 1) of a histogram given as buckets (any
 * order; they are sorted in place by le), as Prometheus's
 * histogram_quantile(): linear interpolation inside the bucket the rank
 * falls in, the lower bound of the first bucket taken as 0 when its upper
 * bound is positive; a rank in the +Inf bucket gives the highest finite
 * bound.  NaN when there is no +Inf bucket, no observation, or q is out
 * of range.  Counts that fall between buckets (a scrape racing an
 * observation) are made monotonic first, as Prometheus does.
 */
double sr_prom_histogram_quantile(double q, struct sr_prom_bucket *b, size_t n);

/*
 * Bucket increases between two scrapes of one histogram (prev and cur
 * matched by le, both n long, in the same order): out[i].count =
 * increase of bucket i.  When any bucket went down the histogram was
 * reset and cur's counts are the increase.  Returns 0, or -1 when the
 * bucket bounds differ (the histogram's layout changed: no increase).
 */
int sr_prom_histogram_increase(const struct sr_prom_bucket *prev,
    const struct sr_prom_bucket *cur, size_t n, struct sr_prom_bucket *out);

#endif
