/* SPDX-License-Identifier: MIT */
/* sitrep tui: not built yet. */
#include "tui/cli.h"

#include <stdio.h>

int
sr_cmd_tui(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sitrep tui: not available in this build\n");
	return SR_EXIT_FAIL;
}
