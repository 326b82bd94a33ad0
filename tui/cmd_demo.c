/* SPDX-License-Identifier: MIT */
/* sitrep demo: not built yet. */
#include "tui/cli.h"

#include <stdio.h>

int
sr_cmd_demo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sitrep demo: not available in this build\n");
	return SR_EXIT_FAIL;
}
