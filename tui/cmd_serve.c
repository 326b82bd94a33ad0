/* SPDX-License-Identifier: MIT */
/* sitrep serve: not built yet. */
#include "tui/cli.h"

#include <stdio.h>

int
sr_cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sitrep serve: not available in this build\n");
	return SR_EXIT_FAIL;
}
