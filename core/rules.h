/* SPDX-License-Identifier: MIT */
/*
 * rules: the insight rules, one small file per family (core/rule_*.c),
 * listed once in sr_rules[] (core/rules.c).  What each rule reads, its
 * config keys and defaults are in sitrep(1), INSIGHT RULES.
 */
#ifndef SR_CORE_RULES_H
#define SR_CORE_RULES_H

#include <stdint.h>

#include "core/insight.h"

/* Minimum baseline updates (minutes) before a baseline rule judges. */
#define SR_RULE_BASELINE_MIN 10
/*
 * error_rate, evaluated every tick for every service, so a one-off test
 * would fire by chance on calm traffic.  Opening an insight needs all of:
 * at least SR_RULE_MIN_ERRORS failures in the window; a binomial upper
 * tail P(X >= failures | requests, p0) below SR_RULE_ERR_P, p0 being the
 * service's baseline ratio floored at SR_RULE_ERR_P0_MIN (or
 * SR_RULE_ERR_P0_NONE while there is no baseline yet); and a ratio at
 * least SR_RULE_ERR_EXCESS above and SR_RULE_ERR_RATIO times the
 * baseline.  A baseline of fewer than SR_RULE_ERR_YOUNG updates (a plain
 * mean of its first minutes, which may hold an early burst) counts as
 * at most the rule's clear level.  Then the rule's `for` must pass.
 */
#define SR_RULE_MIN_ERRORS 5
#define SR_RULE_ERR_P 1e-5
#define SR_RULE_ERR_P0_MIN 0.001
#define SR_RULE_ERR_P0_NONE 0.01
#define SR_RULE_ERR_EXCESS 0.01
#define SR_RULE_ERR_RATIO 2.0
#define SR_RULE_ERR_YOUNG 60

/*
 * silence: the recent mean gap between a service's events is the larger
 * of the EWMA of its gaps and the last hour's events spread over the
 * part of the hour before the silence.  A silence is news when it is at
 * least `factor` recent mean gaps long (Poisson arrivals at that rate
 * leave such a gap with probability exp(-factor); the default 13.8 is
 * 1e-6) and at least `min_change` (10 min: arrivals come in sessions, so
 * real gaps are longer than Poisson ones).
 */

/*
 * Binomial upper tail P(X >= k) for X ~ Binomial(n, p), 0..1; exact to
 * about 1e-12 relative (terms summed from k away from the mode until
 * they no longer count).
 */
double sr_rule_binom_tail(uint64_t n, uint64_t k, double p);

extern const struct sr_rule sr_rule_cpu, sr_rule_memory, sr_rule_swap,
    sr_rule_load, sr_rule_iowait, sr_rule_psi;
extern const struct sr_rule sr_rule_disk_fill, sr_rule_inode_fill;
extern const struct sr_rule sr_rule_error_rate, sr_rule_latency,
    sr_rule_silence;
extern const struct sr_rule sr_rule_traffic, sr_rule_heavy_user,
    sr_rule_new_endpoint;
extern const struct sr_rule sr_rule_error_pattern;
extern const struct sr_rule sr_rule_cardinality;
extern const struct sr_rule sr_rule_ttft, sr_rule_throughput,
    sr_rule_ttft_regression;
extern const struct sr_rule sr_rule_kv_cache, sr_rule_queue_growth,
    sr_rule_preemptions;

#endif
