/* SPDX-License-Identifier: MIT */
/*
 * main: the program's entry point.  Dispatches to a command; with no
 * command, runs the TUI (or explains what to run when stdout is not a
 * terminal).
 */
#include "cmd/cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

static const struct sr_command commands[] = {
	{ "ingest", "read events from files, stdin or sources into the store",
	    sr_cmd_ingest },
	{ "report", "summarise stored events over a time range",
	    sr_cmd_report },
	{ "insights", "evaluate the insight rules over stored history",
	    sr_cmd_insights },
	{ "export", "write stored events, metrics or insights as CSV/JSON",
	    sr_cmd_export },
	{ "metrics", "sample this machine once and print its metrics",
	    sr_cmd_metrics },
	{ "demo", "write realistic synthetic events as JSON lines",
	    sr_cmd_demo },
	{ "serve", "run headless: JSON API, SSE, Prometheus and web page",
	    sr_cmd_serve },
	{ "tui", "the terminal console (the default command)", sr_cmd_tui },
	{ NULL, NULL, NULL }
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sitrep [OPTIONS]             the terminal console\n"
	    "       sitrep COMMAND [OPTIONS]     a batch command or the server\n"
	    "\n"
	    "Commands:\n");
	for (const struct sr_command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
	    "\n"
	    "Global options:\n"
	    "  --help       this text ('sitrep COMMAND --help' for a command)\n"
	    "  --version    print the version\n"
	    "  --headless   same as 'sitrep serve'\n"
	    "\n"
	    "Events piped into 'sitrep' or 'sitrep serve' are read as JSON lines,\n"
	    "logfmt or combined access-log lines.  See man sitrep.\n");
}

int
main(int argc, char **argv)
{
	const char *name;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			usage(stdout);
			return SR_EXIT_OK;
		}
		if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
			printf("sitrep %s\n", SR_VERSION);
			return SR_EXIT_OK;
		}
		if (argc >= 2 && strcmp(argv[1], "--headless") == 0) {
			argv[1] = (char *)"serve";
			return sr_cmd_serve(argc - 1, argv + 1);
		}
		argv[0] = (char *)"tui";
		return sr_cmd_tui(argc, argv);
	}
	name = argv[1];
	if (strcmp(name, "help") == 0) {
		usage(stdout);
		return SR_EXIT_OK;
	}
	for (const struct sr_command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "sitrep: unknown command '%s'\n", name);
	usage(stderr);
	return SR_EXIT_USAGE;
}
