/* SPDX-License-Identifier: MIT */
/*
 * cmd: what every command shares (see cmd.h).
 */
#include "cmd/cmd.h"

#include <stdarg.h>
#include <stdio.h>

int
sr_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sitrep%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sitrep%s%s --help'.\n", cmd ? " " : "",
	    cmd ? cmd : "");
	return SR_EXIT_USAGE;
}
