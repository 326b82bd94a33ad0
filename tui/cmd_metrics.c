/* SPDX-License-Identifier: MIT */
/* sitrep metrics: not built yet. */
#include "tui/cli.h"

#include <stdio.h>

int
sr_cmd_metrics(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sitrep metrics: not available in this build\n");
	return SR_EXIT_FAIL;
}
