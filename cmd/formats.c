/* SPDX-License-Identifier: MIT */
/*
 * sitrep formats: every value --format takes (core/parse.h's format
 * table), with its aliases, what it reads and an example line.
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/options.h"
#include "core/parse.h"

int
sr_cmd_formats(int argc, char **argv)
{
	const struct sr_format_info *f;
	struct sr_opts o;
	size_t n;
	int rc;

	if ((rc = sr_opts_parse("formats", argc, argv, &o)) != 0)
		return rc < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	f = sr_format_list(&n);
	for (size_t i = 0; i < n; i++) {
		printf("%s", f[i].name);
		if (f[i].aliases[0] != '\0')
			printf(" (also: %s)", f[i].aliases);
		printf("\n    %s\n    example: %s\n", f[i].summary,
		    f[i].example);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "sitrep formats: cannot write: %s\n",
		    strerror(errno));
		return SR_EXIT_FAIL;
	}
	return SR_EXIT_OK;
}
