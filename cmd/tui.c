/* SPDX-License-Identifier: MIT */
/*
 * cmd_tui: `sitrep` and `sitrep tui`, the terminal console.  Parses the
 * options, builds the app (runtime/app.h) and runs the screen
 * (tui/screen.h).  A bare `sitrep` whose stdout is not a terminal exits
 * 2 and names the commands meant for pipes.
 */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/source.h"
#include "core/util.h"
#include "runtime/app.h"
#include "tui/layout.h"
#include "tui/screen.h"

#define TUI_SOURCES_MAX 16

static void
tui_usage(FILE *f)
{
	fprintf(f,
	    "usage: sitrep [tui] [OPTIONS]\n"
	    "\n"
	    "The terminal console: KPIs, services, insights, processes and\n"
	    "the live event log.  Events piped in on stdin are read (keys\n"
	    "then come from /dev/tty); press ? for every key.\n"
	    "\n"
	    "Options:\n"
	    "  --interval DUR   tick (default 1s; 500ms, 2s ...)\n"
	    "  --db PATH        database (default $XDG_DATA_HOME/sitrep/"
	    "sitrep.db;\n"
	    "                   :memory: keeps nothing)\n"
	    "  --config PATH    configuration file\n"
	    "  --layout NAME    full, compact, events or system\n"
	    "  --theme NAME     default, solar or mono\n"
	    "  --ascii          ASCII only (no block or braille glyphs)\n"
	    "  --no-mouse       ignore the mouse\n"
	    "  --source SPEC    event source (repeatable): stdin, file:PATH,\n"
	    "                   sqlite:PATH?table=T, http(s)://URL,\n"
	    "                   sitrep://HOST[:PORT] (see sitrep(1) SOURCES)\n"
	    "  --replay-clock   tick at the newest event's time (old logs)\n"
	    "  --ticks N        quit after N ticks (tests)\n"
	    "  --help           this text\n");
}

/* "500ms", "2s", "1m", a bare number of seconds; 0 or -1. */
static int
tui_interval(const char *s, int64_t *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		*ms = (int64_t)v;
	else if (*end == '\0' || strcmp(end, "s") == 0)
		*ms = (int64_t)(v * 1000);
	else if (strcmp(end, "m") == 0)
		*ms = (int64_t)(v * 60000);
	else
		return -1;
	return *ms >= 10 && *ms <= 3600000 ? 0 : -1;
}

int
sr_cmd_tui(int argc, char **argv)
{
	enum {
		OPT_INTERVAL = 256,
		OPT_DB,
		OPT_CONFIG,
		OPT_LAYOUT,
		OPT_THEME,
		OPT_ASCII,
		OPT_NO_MOUSE,
		OPT_SOURCE,
		OPT_TICKS,
		OPT_REPLAY,
		OPT_HELP
	};
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "db", required_argument, NULL, OPT_DB },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "layout", required_argument, NULL, OPT_LAYOUT },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "ticks", required_argument, NULL, OPT_TICKS },
		{ "replay-clock", no_argument, NULL, OPT_REPLAY },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 }
	};
	const char *sources[TUI_SOURCES_MAX];
	struct sr_app_opts ao;
	struct sr_tui_opts to;
	enum sr_layout_kind lk;
	struct sr_app *app;
	struct sr_err err;
	char *end;
	int c, rc;

	sr_app_opts_init(&ao);
	memset(&to, 0, sizeof(to));
	ao.cmd = "tui";
	ao.sources = sources;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_INTERVAL:
			if (tui_interval(optarg, &ao.interval_ms) == -1)
				return sr_usage_error("tui",
				    "bad --interval "
				    "'%s' (10ms to 1h)",
				    optarg);
			break;
		case OPT_DB:
			ao.db_path = optarg;
			break;
		case OPT_CONFIG:
			ao.config_path = optarg;
			break;
		case OPT_LAYOUT:
			if (sr_layout_parse(optarg, &lk) == -1)
				return sr_usage_error("tui",
				    "unknown layout "
				    "'%s' (full, compact, events, system)",
				    optarg);
			to.layout = optarg;
			break;
		case OPT_THEME:
			if (sr_tui_theme_parse(optarg) < 0)
				return sr_usage_error("tui",
				    "unknown theme "
				    "'%s' (default, solar, mono)",
				    optarg);
			to.theme = optarg;
			break;
		case OPT_ASCII:
			to.ascii = 1;
			break;
		case OPT_NO_MOUSE:
			to.no_mouse = 1;
			break;
		case OPT_SOURCE:
			if (ao.nsources == TUI_SOURCES_MAX)
				return sr_usage_error("tui",
				    "too many "
				    "--source options");
			if (sr_source_spec_check(optarg, &err) == -1)
				return sr_usage_error("tui", "%s", err.msg);
			sources[ao.nsources++] = optarg;
			break;
		case OPT_TICKS:
			ao.max_ticks = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    ao.max_ticks <= 0)
				return sr_usage_error("tui",
				    "bad --ticks "
				    "'%s'",
				    optarg);
			break;
		case OPT_REPLAY:
			ao.replay_clock = 1;
			break;
		case OPT_HELP:
			tui_usage(stdout);
			return SR_EXIT_OK;
		default:
			return sr_usage_error("tui", "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return sr_usage_error("tui", "unexpected argument '%s'",
		    argv[optind]);
	if (!isatty(STDOUT_FILENO)) {
		fprintf(stderr,
		    "sitrep: standard output is not a terminal.\n"
		    "  For a server without a terminal:   sitrep serve\n"
		    "  For a summary of stored events:    sitrep report\n");
		return SR_EXIT_USAGE;
	}
	if ((app = sr_app_new(&ao, &err)) == NULL) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return strstr(err.msg, "config") != NULL ||
			strstr(err.msg, "unknown") != NULL
		    ? SR_EXIT_USAGE
		    : SR_EXIT_FAIL;
	}
	rc = sr_tui_run(app, &to, &err);
	sr_app_free(app);
	if (rc == -1) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return SR_EXIT_FAIL;
	}
	return SR_EXIT_OK;
}
