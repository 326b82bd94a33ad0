/* SPDX-License-Identifier: MIT */
/* sitrep ingest: not built yet. */
#include "tui/cli.h"

#include <stdio.h>

int
sr_cmd_ingest(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sitrep ingest: not available in this build\n");
	return SR_EXIT_FAIL;
}
