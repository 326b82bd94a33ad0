/* SPDX-License-Identifier: MIT */
/* sitrep insights: not built yet. */
#include "tui/cli.h"

#include <stdio.h>

int
sr_cmd_insights(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sitrep insights: not available in this build\n");
	return SR_EXIT_FAIL;
}
