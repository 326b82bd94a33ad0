/* SPDX-License-Identifier: MIT */
/*
 * cmd: what every command shares (see cmd.h).
 */
#include "cmd/cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/parse.h"
#include "core/util.h"

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

int
sr_cmd_stdin_format(const char *cmd, const char *value, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sr_format_spec fmt;
	struct sr_err err;
	size_t w;

	if (sr_format_spec_parse(value, &fmt, &err) < 0)
		return sr_usage_error(cmd, "--format: %s", err.msg);
	w = (size_t)snprintf(out, cap, "stdin?format=");
	/* percent-encoded: a template holds '&', '%' and spaces */
	for (const char *c = value; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if (w + 4 > cap)
			return sr_usage_error(cmd, "--format: too long");
		if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
		    (u >= '0' && u <= '9') || u == '_' || u == '-' ||
		    u == '.') {
			out[w++] = (char)u;
		} else {
			out[w++] = '%';
			out[w++] = hex[u >> 4];
			out[w++] = hex[u & 15];
		}
	}
	out[w] = '\0';
	return 0;
}

int
sr_cmd_otlp_url(const char *cmd, const char *value)
{
	if ((strncmp(value, "http://", 7) != 0 &&
		strncmp(value, "https://", 8) != 0) ||
	    strpbrk(value, " \t\r\n") != NULL) {
		char *shown = sr_redact(value);

		sr_usage_error(cmd,
		    "bad --otlp-export '%s': want http://HOST:PORT or "
		    "https://HOST:PORT (the collector's OTLP/HTTP address)",
		    shown);
		free(shown);
		return SR_EXIT_USAGE;
	}
	return 0;
}

int
sr_cmd_limits(const char *cmd, const char *path, struct sr_limits *out)
{
	struct sr_config cfg;
	struct sr_err err;
	int rc = 0;

	if (sr_config_load(&cfg, path, &err) < 0) {
		fprintf(stderr, "sitrep %s: %s\n", cmd, err.msg);
		rc = SR_EXIT_USAGE;
	} else {
		*out = cfg.limits;
	}
	sr_config_release(&cfg);
	return rc;
}
