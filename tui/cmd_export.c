/* SPDX-License-Identifier: MIT */
/* sitrep export: not built yet. */
#include "tui/cli.h"

#include <stdio.h>

int
sr_cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sitrep export: not available in this build\n");
	return SR_EXIT_FAIL;
}
