/* SPDX-License-Identifier: MIT */
/*
 * fuzz_prom: libFuzzer harness for the Prometheus / OpenMetrics text
 * reader (core/prom.c).  The whole input is one exposition, read with and
 * without the OpenMetrics flag; every sample handed on is checked for the
 * reader's promises (names non-empty, label count within the cap, the
 * suffix the tail of the name, the family its head), and its bucket
 * values go through the quantile arithmetic.  Then the input, and its two
 * halves, go through a scrape target (core/promscrape.c) as successive
 * expositions: every sample it hands on has a name and a finite value.
 * Not part of `make test`.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/prom.h"
#include "core/promscrape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
	struct sr_prom_bucket b[16];
	size_t n;
};

static int
fuzz_sample(void *ctx, const struct sr_prom_sample *s)
{
	struct fuzz_state *st = ctx;
	size_t nl = strlen(s->name), fl = strlen(s->family),
	       sl = strlen(s->suffix), i;

	if (nl == 0 || s->nlabels > SR_PROM_LABELS_MAX || fl + sl != nl ||
	    memcmp(s->name, s->family, fl) != 0 ||
	    strcmp(s->name + fl, s->suffix) != 0)
		abort();
	for (i = 0; i < s->nlabels; i++)
		if (s->labels[i].name[0] == '\0')
			abort();
	if (st->n < sizeof(st->b) / sizeof(*st->b)) {
		const char *le = sr_prom_label(s, "le");

		st->b[st->n].le = le != NULL ? strtod(le, NULL) : INFINITY;
		st->b[st->n].count = s->value;
		st->n++;
	}
	return 0;
}

static void
fuzz_emit(void *ctx, const char *name, int64_t ts_ms, double value)
{
	(void)ctx;
	(void)ts_ms;
	if (name[0] == '\0' || !isfinite(value))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state st;
	struct sr_prom_stats stats;
	struct sr_prom_bucket out[16];
	unsigned flags;

	for (flags = 0; flags < 2; flags++) {
		memset(&st, 0, sizeof(st));
		if (sr_prom_parse((const char *)data, size, flags, fuzz_sample,
			&st, &stats) < 0 ||
		    stats.samples + stats.bad > stats.lines)
			abort();
		if (st.n > 0) {
			(void)sr_prom_histogram_increase(st.b, st.b, st.n, out);
			(void)sr_prom_histogram_quantile(0.5, st.b, st.n);
			(void)sr_prom_histogram_quantile(0.99, st.b, st.n);
		}
	}
	{
		struct sr_prom_target *t = sr_prom_target_new("fuzz", 64);
		const char *text = (const char *)data;

		(void)sr_prom_target_scrape(t, text, size, 0, 1000, fuzz_emit,
		    NULL, NULL);
		(void)sr_prom_target_scrape(t, text, size / 2, 0, 2000,
		    fuzz_emit, NULL, NULL);
		(void)sr_prom_target_scrape(t, text + size / 2, size - size / 2,
		    0, 3000, fuzz_emit, NULL, NULL);
		(void)sr_prom_target_scrape(t, text, size, 0, 4000, fuzz_emit,
		    NULL, NULL);
		sr_prom_target_free(t);
	}
	return 0;
}
