/* SPDX-License-Identifier: MIT */
/*
 * cmd_tui: `sitrep` and `sitrep tui`, the terminal console.  Parses the
 * options, builds the app (runtime/app.h) and runs the screen
 * (tui/screen.h).  A bare `sitrep` whose stdout is not a terminal exits
 * 2 and names the commands meant for pipes.
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/options.h"
#include "collectors/source.h"
#include "core/util.h"
#include "runtime/app.h"
#include "tui/layout.h"
#include "tui/screen.h"

#define TUI_SOURCES_MAX 16

/*
 * The app's own lines (store state changes) while the screen is up: kept
 * here and printed once the terminal is restored, since a line on stderr
 * would be drawn over the screen.  The status line shows the state
 * meanwhile (tui/screen.c).
 */
static void
tui_log(void *ctx, const char *line)
{
	struct sr_buf *b = ctx;

	if (b->len < 64 * 1024)
		sr_buf_addf(b, "sitrep: %s\n", line);
}

int
sr_cmd_tui(int argc, char **argv)
{
	const char *sources[TUI_SOURCES_MAX];
	char stdin_spec[3200];
	struct sr_app_opts ao;
	struct sr_tui_opts to;
	enum sr_layout_kind lk;
	struct sr_opts o;
	struct sr_app *app;
	struct sr_err err;
	struct sr_buf log;
	size_t n;
	int rc;

	sr_app_opts_init(&ao);
	memset(&to, 0, sizeof(to));
	ao.cmd = "tui";
	ao.sys_store_ms = SR_APP_SYS_STORE_MS;
	ao.sources = sources;
	if ((rc = sr_opts_parse("tui", argc, argv, &o)) != 0)
		return rc < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	if (sr_opts_has(&o, SR_O_INTERVAL)) {
		ao.interval_ms = o.v[SR_O_INTERVAL].i;
		if (ao.interval_ms < 10 || ao.interval_ms > 3600000)
			return sr_usage_error("tui",
			    "bad --interval '%s' (10ms to 1h)",
			    o.v[SR_O_INTERVAL].s);
	}
	if (sr_opts_has(&o, SR_O_INGEST_FORMAT)) {
		if (sr_cmd_stdin_format("tui", o.v[SR_O_INGEST_FORMAT].s,
			stdin_spec, sizeof stdin_spec) != 0)
			return SR_EXIT_USAGE;
		ao.stdin_spec = stdin_spec;
	}
	ao.db_path = sr_opts_str(&o, SR_O_DB, NULL);
	ao.config_path = sr_opts_str(&o, SR_O_CONFIG, NULL);
	to.layout = sr_opts_str(&o, SR_O_LAYOUT, NULL);
	if (to.layout != NULL && sr_layout_parse(to.layout, &lk) == -1)
		return sr_usage_error("tui",
		    "unknown layout '%s' (full, compact, events, system)",
		    to.layout);
	to.theme = sr_opts_str(&o, SR_O_THEME, NULL);
	if (to.theme != NULL && sr_tui_theme_parse(to.theme) < 0)
		return sr_usage_error("tui",
		    "unknown theme '%s' (auto, default, solar, light, mono)",
		    to.theme);
	to.ascii = sr_opts_has(&o, SR_O_ASCII);
	to.no_mouse = sr_opts_has(&o, SR_O_NO_MOUSE);
	to.bell = sr_opts_has(&o, SR_O_BELL);
	n = sr_opts_all(&o, SR_O_SOURCE, sources, TUI_SOURCES_MAX);
	if (n > TUI_SOURCES_MAX)
		return sr_usage_error("tui", "too many --source options");
	ao.nsources = (int)n;
	if (sr_opts_has(&o, SR_O_TICKS)) {
		ao.max_ticks = o.v[SR_O_TICKS].i;
		if (ao.max_ticks <= 0)
			return sr_usage_error("tui", "bad --ticks '%s'",
			    o.v[SR_O_TICKS].s);
	}
	ao.replay_clock = sr_opts_has(&o, SR_O_REPLAY_CLOCK);
	ao.otlp_export = sr_opts_str(&o, SR_O_OTLP_EXPORT, NULL);
	if (ao.otlp_export != NULL &&
	    sr_cmd_otlp_url("tui", ao.otlp_export) != 0)
		return SR_EXIT_USAGE;
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
	sr_buf_init(&log);
	sr_app_on_log(app, tui_log, &log);
	rc = sr_tui_run(app, &to, &err);
	sr_app_on_log(app, NULL, NULL);
	if (log.len > 0)
		fputs(log.data, stderr);
	sr_buf_release(&log);
	sr_app_free(app);
	if (rc == -1) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return SR_EXIT_FAIL;
	}
	return SR_EXIT_OK;
}
