/* SPDX-License-Identifier: MIT */
/*
 * rules: the insight rules, one small file per family (core/rule_*.c),
 * listed once in sr_rules[] (core/rules.c).  What each rule reads, its
 * config keys and defaults are in sitrep(1), INSIGHT RULES.
 */
#ifndef SR_CORE_RULES_H
#define SR_CORE_RULES_H

#include "core/insight.h"

/* Minimum baseline updates (minutes) before a baseline rule judges. */
#define SR_RULE_BASELINE_MIN	10

extern const struct sr_rule sr_rule_cpu, sr_rule_memory, sr_rule_swap,
    sr_rule_load, sr_rule_iowait, sr_rule_psi;
extern const struct sr_rule sr_rule_disk_fill, sr_rule_inode_fill;
extern const struct sr_rule sr_rule_error_rate, sr_rule_latency,
    sr_rule_silence;
extern const struct sr_rule sr_rule_traffic, sr_rule_heavy_user,
    sr_rule_new_endpoint;
extern const struct sr_rule sr_rule_error_pattern;
extern const struct sr_rule sr_rule_ttft, sr_rule_throughput;

#endif
