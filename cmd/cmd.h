/* SPDX-License-Identifier: MIT */
/*
 * cli: what every command shares: usage errors (exit 2) and the
 * process-wide exit codes.  Each command lives in cmd/<name>.c and is
 * listed once, with its options, in cmd/options.c.
 */
#ifndef SR_CMD_CMD_H
#define SR_CMD_CMD_H

#include <stddef.h>

enum sr_exit {
	SR_EXIT_OK = 0,
	SR_EXIT_FAIL = 1,  /* a fatal error at run time */
	SR_EXIT_USAGE = 2, /* bad command line, bad config */
};

/* Print "sitrep CMD: MESSAGE" and a hint to stderr; returns SR_EXIT_USAGE. */
int sr_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int sr_cmd_ingest(int argc, char **argv);
int sr_cmd_report(int argc, char **argv);
int sr_cmd_demo(int argc, char **argv);
int sr_cmd_metrics(int argc, char **argv);
int sr_cmd_export(int argc, char **argv);
int sr_cmd_insights(int argc, char **argv);
int sr_cmd_serve(int argc, char **argv);
int sr_cmd_tui(int argc, char **argv);
int sr_cmd_config(int argc, char **argv);
int sr_cmd_parse(int argc, char **argv);
/*
 * The stdin source spec for --format value ("stdin?format=..."), into out
 * (cap bytes; 3200 hold any format).  0, or SR_EXIT_USAGE after a usage
 * error printed for cmd.
 */
int
sr_cmd_stdin_format(const char *cmd, const char *value, char *out, size_t cap);
int sr_cmd_formats(int argc, char **argv);
/*
 * Check --otlp-export's value (an http:// or https:// URL without
 * spaces).  0, or SR_EXIT_USAGE after a usage error printed for cmd.
 */
int sr_cmd_otlp_url(const char *cmd, const char *value);

/*
 * The [limits] of the config file `path` (NULL: the search order of
 * core/config.h; none found: the defaults) into out.  0, or SR_EXIT_USAGE
 * after the config's error printed for cmd.
 */
struct sr_limits;
int sr_cmd_limits(const char *cmd, const char *path, struct sr_limits *out);

#endif
