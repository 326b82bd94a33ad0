/* SPDX-License-Identifier: MIT */
/*
 * options: the one table of sitrep's commands and command-line options.
 * Each option is declared once (sr_options[]) with its long name,
 * optional short letter, argument type, default (as text, for help),
 * help text and the commands that accept it.  One parser (getopt_long,
 * built from the table) serves every command; --help, `sitrep
 * --help-table` and the bash and zsh completion scripts are generated
 * from the same rows.
 *
 * The parser checks what the type says (a whole number, a number, a
 * duration, an instant, a source specification) and stores the value;
 * what a command allows beyond the type (ranges, choices) it checks
 * itself.  A bad or unknown option is a usage error (exit 2).
 */
#ifndef SR_CMD_OPTIONS_H
#define SR_CMD_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One bit per command; SR_CMD_MAIN is `sitrep` before any command. */
enum sr_cmd_bit {
	SR_CMD_MAIN = 1 << 0,
	SR_CMD_TUI = 1 << 1,
	SR_CMD_INGEST = 1 << 2,
	SR_CMD_REPORT = 1 << 3,
	SR_CMD_INSIGHTS = 1 << 4,
	SR_CMD_EXPORT = 1 << 5,
	SR_CMD_METRICS = 1 << 6,
	SR_CMD_DEMO = 1 << 7,
	SR_CMD_SERVE = 1 << 8,
	SR_CMD_CONFIG = 1 << 9,
	SR_CMD_PARSE = 1 << 10,
	SR_CMD_FORMATS = 1 << 11,
};

enum sr_opt_type {
	SR_OPT_FLAG,	 /* no argument */
	SR_OPT_STRING,	 /* any text */
	SR_OPT_PATH,	 /* a file name (completion offers files) */
	SR_OPT_CHOICE,	 /* one of `choices` (the command checks it) */
	SR_OPT_INT,	 /* a whole number -> i */
	SR_OPT_NUMBER,	 /* a finite number -> d */
	SR_OPT_DURATION, /* 30s, 500ms, 5m, 2h, 7d; bare = seconds -> i (ms) */
	SR_OPT_TIME,	 /* ISO-8601 or epoch seconds -> i (ms) */
	SR_OPT_SOURCE,	 /* a source specification, checked */
};

enum sr_opt_flags {
	SR_OPT_REPEAT = 1 << 0, /* may be given more than once */
	SR_OPT_HIDDEN = 1 << 1, /* not in --help nor in the completion */
};

/* The options; an id indexes sr_options[] and struct sr_opts' values. */
enum sr_opt_id {
	SR_O_HELP,
	SR_O_VERSION,
	SR_O_HEADLESS,
	SR_O_COMPLETION,
	SR_O_HELP_TABLE,
	SR_O_DB,
	SR_O_CONFIG,
	SR_O_INTERVAL,
	SR_O_TICKS,
	SR_O_SOURCE,
	SR_O_LAYOUT,
	SR_O_THEME,
	SR_O_ASCII,
	SR_O_NO_MOUSE,
	SR_O_BELL,
	SR_O_REPLAY_CLOCK,
	SR_O_INGEST_FORMAT,
	SR_O_RETAIN,
	SR_O_DURABLE,
	SR_O_FOLLOW,
	SR_O_HOURS,
	SR_O_FROM,
	SR_O_TO,
	SR_O_SERVICE,
	SR_O_REPORT_TOP,
	SR_O_JSON,
	SR_O_WHAT,
	SR_O_STEP,
	SR_O_NAME,
	SR_O_EXPORT_FORMAT,
	SR_O_QUERY,
	SR_O_METRICS_TOP,
	SR_O_PROC_ROOT,
	SR_O_SYS_ROOT,
	SR_O_RATE,
	SR_O_DURATION,
	SR_O_SEED,
	SR_O_INCIDENTS,
	SR_O_FAST,
	SR_O_SPAN,
	SR_O_COUNT,
	SR_O_END,
	SR_O_LLM_METRICS,
	SR_O_LISTEN,
	SR_O_TOKEN_FILE,
	SR_O_CORS,
	SR_O_TLS_CERT,
	SR_O_TLS_KEY,
	SR_O_MAX_CONNS_PER_IP,
	SR_O_MAX_CONNS,
	SR_O_ACCEPT_EVENTS,
	SR_O_ACCEPT_OTLP,
	SR_O_OTLP_LISTEN,
	SR_O_ALLOW_HOST,
	SR_O_NO_SYSTEM,
	SR_O_KEYS,
	SR_O_EXPLAIN,
	SR_O_OTLP_EXPORT,
	SR_O__COUNT
};

struct sr_option {
	enum sr_opt_id id;
	const char *name; /* long name, without "--" */
	char letter;	  /* short form, or 0 */
	enum sr_opt_type type;
	const char *arg;     /* the argument's name in help: "PATH" */
	const char *def;     /* the default as text, or NULL */
	const char *help;    /* one sentence, no final full stop */
	unsigned cmds;	     /* enum sr_cmd_bit */
	unsigned flags;	     /* enum sr_opt_flags */
	const char *choices; /* SR_OPT_CHOICE: "a b c" */
	/* the config key it overrides ("general.db"), and for a flag the
	 * value it sets there; NULL when none */
	const char *conf_key;
	const char *conf_value;
};

/* Indexed by enum sr_opt_id; sr_options[SR_O__COUNT].name is NULL. */
extern const struct sr_option sr_options[];

enum sr_cmd_flags {
	SR_CMD_OPERANDS = 1 << 0, /* takes arguments besides options */
	SR_CMD_IN_ORDER = 1 << 1, /* options stop at the first operand */
};

struct sr_command {
	const char *name;
	unsigned bit;			   /* enum sr_cmd_bit */
	const char *summary;		   /* one line for `sitrep --help` */
	const char *synopsis;		   /* after "usage: " */
	const char *about;		   /* before the options */
	const char *notes;		   /* after the options, or NULL */
	unsigned flags;			   /* enum sr_cmd_flags */
	int (*run)(int argc, char **argv); /* argv[0] = name */
};

/* The commands (`tui` last), ended by a row whose name is NULL. */
extern const struct sr_command sr_commands[];

/* The command called name, or NULL. */
const struct sr_command *sr_command_find(const char *name);

#define SR_OPTS_SEEN_MAX 256

/* One option's value after parsing. */
struct sr_optval {
	int n;	       /* times given */
	const char *s; /* the last argument as given (borrowed from argv) */
	int64_t i;     /* INT; DURATION and TIME in ms */
	double d;      /* NUMBER */
};

/* What sr_opts_parse() found; values borrow from argv. */
struct sr_opts {
	struct sr_optval v[SR_O__COUNT];
	struct {
		enum sr_opt_id id;
		const char *arg;
	} seen[SR_OPTS_SEEN_MAX]; /* every option given, in order */
	size_t nseen;
	int argc; /* the operands */
	char **argv;
};

/*
 * Parse argv (argv[0] = the command's name) for command `cmd` ("tui",
 * "report" ...).  Returns 0 with o filled, 1 when --help was given (the
 * help is printed on stdout), or -1 after a usage error (printed by
 * sr_usage_error(); exit with SR_EXIT_USAGE).
 */
int sr_opts_parse(const char *cmd, int argc, char **argv, struct sr_opts *o);

/* Is option id set in o? */
static inline int
sr_opts_has(const struct sr_opts *o, enum sr_opt_id id)
{
	return o->v[id].n > 0;
}

/* The argument of option id, or def when it was not given. */
static inline const char *
sr_opts_str(const struct sr_opts *o, enum sr_opt_id id, const char *def)
{
	return o->v[id].n > 0 ? o->v[id].s : def;
}

/*
 * The arguments of a repeatable option, in order, into out[0..max).
 * Returns how many were given (which may be more than max).
 */
size_t sr_opts_all(const struct sr_opts *o, enum sr_opt_id id, const char **out,
    size_t max);

/* The generated --help of command cmd (NULL: `sitrep --help`). */
void sr_opts_help(FILE *f, const char *cmd);

/* Every command's options, "COMMAND --NAME ARG" one per line. */
void sr_opts_table(FILE *f);

/* The completion script for shell "bash" or "zsh"; 0, or -1 when unknown. */
int sr_opts_completion(FILE *f, const char *shell);

#endif
