/* SPDX-License-Identifier: MIT */
/* rules: the registry.  A new rule is one file and one line here. */
#include "core/rules.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

const struct sr_rule *const sr_rules[] = { &sr_rule_cpu, &sr_rule_memory,
	&sr_rule_swap, &sr_rule_load, &sr_rule_iowait, &sr_rule_psi,
	&sr_rule_disk_fill, &sr_rule_inode_fill, &sr_rule_error_rate,
	&sr_rule_latency, &sr_rule_silence, &sr_rule_traffic,
	&sr_rule_heavy_user, &sr_rule_new_endpoint, &sr_rule_error_pattern,
	&sr_rule_ttft, &sr_rule_throughput, &sr_rule_cardinality,
	&sr_rule_ttft_regression, &sr_rule_kv_cache, &sr_rule_queue_growth,
	&sr_rule_preemptions, NULL };

const struct sr_rule_chart *
sr_rule_chart_of(const char *id)
{
	static const struct sr_rule_chart rps = { .series = SR_RULE_SERIES_RPS,
		.unit = "/s",
		.scale = 1,
		.label = "req/s of" };
	int i = sr_rule_index(id);

	if (i < 0 || sr_rules[i]->chart.series == SR_RULE_SERIES_DEFAULT)
		return &rps;
	return &sr_rules[i]->chart;
}

int
sr_rule_reads(const struct sr_rule *r, const char *field)
{
	size_t n = strlen(field);

	for (const char *w = r->reads; w != NULL && *w != '\0';) {
		size_t k = strcspn(w, " ");

		if (k == n && strncmp(w, field, n) == 0)
			return 1;
		w += k;
		w += strspn(w, " ");
	}
	return 0;
}

/* log of the binomial probability of exactly k in n */
static double
binom_log_pmf(uint64_t n, uint64_t k, double p)
{
	return lgamma((double)n + 1) - lgamma((double)k + 1) -
	    lgamma((double)(n - k) + 1) + (double)k * log(p) +
	    (double)(n - k) * log1p(-p);
}

double
sr_rule_binom_tail(uint64_t n, uint64_t k, double p)
{
	double t, sum, q;

	if (k == 0 || p >= 1)
		return k <= n ? 1 : 0;
	if (k > n || p <= 0)
		return 0;
	q = p / (1 - p);
	if ((double)k > (double)n * p) {
		/* above the mean: sum P(k), P(k+1), ... while they count */
		t = exp(binom_log_pmf(n, k, p));
		sum = t;
		for (uint64_t j = k; j < n && t > sum * 1e-14; j++) {
			t *= (double)(n - j) / (double)(j + 1) * q;
			sum += t;
		}
		return sum > 1 ? 1 : sum;
	}
	/* at or below the mean: 1 - (P(k-1) + P(k-2) + ...) */
	t = exp(binom_log_pmf(n, k - 1, p));
	sum = t;
	for (uint64_t j = k - 1; j > 0 && t > sum * 1e-14; j--) {
		t *= (double)j / (double)(n - j + 1) / q;
		sum += t;
	}
	return sum > 1 ? 0 : 1 - sum;
}
