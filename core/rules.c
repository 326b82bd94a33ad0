/* SPDX-License-Identifier: MIT */
/* rules: the registry.  A new rule is one file and one line here. */
#include "core/rules.h"

#include <stddef.h>

const struct sr_rule *const sr_rules[] = {
	&sr_rule_cpu,
	&sr_rule_memory,
	&sr_rule_swap,
	&sr_rule_load,
	&sr_rule_iowait,
	&sr_rule_psi,
	&sr_rule_disk_fill,
	&sr_rule_inode_fill,
	&sr_rule_error_rate,
	&sr_rule_latency,
	&sr_rule_silence,
	&sr_rule_traffic,
	&sr_rule_heavy_user,
	&sr_rule_new_endpoint,
	&sr_rule_error_pattern,
	&sr_rule_ttft,
	&sr_rule_throughput,
	NULL
};
