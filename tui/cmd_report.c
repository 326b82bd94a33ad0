/* SPDX-License-Identifier: MIT */
/* sitrep report: not built yet. */
#include "tui/cli.h"

#include <stdio.h>

int
sr_cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sitrep report: not available in this build\n");
	return SR_EXIT_FAIL;
}
