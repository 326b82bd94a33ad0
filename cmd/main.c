/* SPDX-License-Identifier: MIT */
/*
 * main: the program's entry point.  Dispatches to a command (the table
 * is in cmd/options.c); with no command, runs the TUI (or explains what
 * to run when stdout is not a terminal).  The global options (--help,
 * --version, --headless and the hidden --completion and --help-table)
 * come only first; any other option goes to the TUI.
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "collectors/source.h"
#include "core/config.h"
#include "core/parse.h"
#include "core/store.h"
#include "core/util.h"
#include "tui/screen.h"
#include "web/server.h"

/* Is arg a global option (as --name or --name=value)? */
static int
main_is_global(const char *arg)
{
	for (int i = 0; i < SR_O__COUNT; i++) {
		const struct sr_option *op = &sr_options[i];
		size_t n = strlen(op->name);

		if (op->id == SR_O_HELP || !(op->cmds & SR_CMD_MAIN))
			continue;
		if (strncmp(arg, "--", 2) == 0 &&
		    strncmp(arg + 2, op->name, n) == 0 &&
		    (arg[2 + n] == '\0' || arg[2 + n] == '='))
			return 1;
	}
	return 0;
}

/*
 * `sitrep --version`: "sitrep X.Y.Z", then one line per library, the
 * version in use and the one built against.
 */
static void
main_lib(char *line)
{
	printf("%s\n", line);
	free(line);
}

static void
main_version(void)
{
	printf("sitrep %s\n", SR_VERSION);
	main_lib(sr_tui_lib_version());
	main_lib(sr_store_lib_version());
	main_lib(sr_http_lib_version());
	main_lib(sr_web_lib_version());
	main_lib(sr_parse_lib_version());
	main_lib(sr_config_lib_version());
}

/* `sitrep --version`, `--headless`, `--completion SHELL` ... */
static int
main_global(int argc, char **argv)
{
	struct sr_opts o;
	int r;

	if (sr_opts_parse(NULL, argc, argv, &o) != 0)
		return SR_EXIT_USAGE;
	if (sr_opts_has(&o, SR_O_HEADLESS)) {
		argv[1] = (char *)"serve";
		return sr_cmd_serve(argc - 1, argv + 1);
	}
	if (sr_opts_has(&o, SR_O_VERSION)) {
		main_version();
		return SR_EXIT_OK;
	}
	if (sr_opts_has(&o, SR_O_HELP_TABLE)) {
		sr_opts_table(stdout);
		return SR_EXIT_OK;
	}
	r = sr_opts_completion(stdout, o.v[SR_O_COMPLETION].s);
	if (r < 0)
		return sr_usage_error(NULL,
		    "bad --completion '%s': want bash "
		    "or zsh",
		    o.v[SR_O_COMPLETION].s);
	return fflush(stdout) == 0 ? SR_EXIT_OK : SR_EXIT_FAIL;
}

int
main(int argc, char **argv)
{
	const struct sr_command *c;
	const char *name;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 &&
		    (strcmp(argv[1], "--help") == 0 ||
			strcmp(argv[1], "-h") == 0)) {
			sr_opts_help(stdout, NULL);
			return SR_EXIT_OK;
		}
		/* --headless takes the serve options after it */
		if (argc >= 2 && strcmp(argv[1], "--headless") == 0) {
			argv[1] = (char *)"serve";
			return sr_cmd_serve(argc - 1, argv + 1);
		}
		if (argc >= 2 && main_is_global(argv[1]))
			return main_global(argc, argv);
		argv[0] = (char *)"tui";
		return sr_cmd_tui(argc, argv);
	}
	name = argv[1];
	if (strcmp(name, "help") == 0) {
		sr_opts_help(stdout, NULL);
		return SR_EXIT_OK;
	}
	if ((c = sr_command_find(name)) != NULL)
		return c->run(argc - 1, argv + 1);
	fprintf(stderr, "sitrep: unknown command '%s'\n", name);
	sr_opts_help(stderr, NULL);
	return SR_EXIT_USAGE;
}
