/* SPDX-License-Identifier: MIT */
/*
 * config: the sitrep.conf file (INI, read with inih).
 *
 * Search order: `--config PATH` when given (then only that file, which
 * must exist); else the first that exists of
 * $XDG_CONFIG_HOME/sitrep/sitrep.conf (or ~/.config/sitrep/sitrep.conf)
 * and /etc/sitrep.conf; else built-in defaults.  Values: durations as
 * sr_duration_parse() ("30s", "5m", "2h", "7d"; a bare number is
 * seconds), numbers, booleans yes/no/true/false/on/off/1/0.  An unknown
 * section or key, or a bad value, is an error
 * "FILE:LINE: unknown key 'x' in [sec]" and commands exit 2.
 *
 * Sections: [general] [store] [insights] [limits] [rule NAME] [action NAME]
 * [source NAME] [tui] [serve] [otlp]; sitrep.conf.example lists every key with
 * its default.  Rule thresholds are set in [insights] as RULE_PARAM
 * (cpu_warn = 85) or in [rule RULE] as PARAM (warn = 85); both write the
 * same field, the later line wins.
 *
 * A struct sr_config owns all its strings; sr_config_release() frees
 * them.  Core reads it, never writes it after load.
 */
#ifndef SR_CORE_CONFIG_H
#define SR_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/store.h"
#include "core/util.h"

#define SR_CONFIG_RULES_MAX 32
#define SR_CONFIG_ACTIONS_MAX 16
#define SR_CONFIG_SOURCES_MAX 32
#define SR_CONFIG_KEYS_MAX 64	 /* rows of sr_config_keys[] */
#define SR_CONFIG_RULE_FIELDS 10 /* rows of sr_config_rule_fields[] */

/*
 * Where a setting's value came from: a line of the loaded file (c->path),
 * or a note such as "flag:--db" or "env:XDG_DATA_HOME" (borrowed: it must
 * outlive the config),
 * or neither: the built-in default.
 */
struct sr_config_origin {
	int line;	  /* > 0: line in the config file */
	const char *note; /* borrowed, or NULL */
};

/* The value types of config keys (how the text is parsed and written). */
enum sr_config_type {
	SR_CONF_STRING,	  /* char *; empty = unset (NULL) */
	SR_CONF_BOOL,	  /* int: yes/no/true/false/on/off/1/0 */
	SR_CONF_DURATION, /* int64_t ms: 30s, 5m, 2h, 7d */
	SR_CONF_TICK,	  /* int64_t ms, at least 10ms */
	SR_CONF_COUNT,	  /* int64_t >= 0 */
	SR_CONF_LIMIT,	  /* int64_t 1..1000000 */
	SR_CONF_NUMBER,	  /* double */
	SR_CONF_LEVEL, /* double; a duration (ms) for SR_RULE_DURATION_LEVELS */
	SR_CONF_CHANGE, /* double; a duration (ms) for SR_RULE_CHANGE_DURATION */
	SR_CONF_ON,	/* unsigned enum sr_action_on: "fire,resolve" */
	SR_CONF_URL,	/* char *, http:// or https:// */
	SR_CONF_RETRIES,  /* int 0..20 */
	SR_CONF_RATE,	  /* int + int64_t: "10/h" (rate_limit, rate_per_ms) */
	SR_CONF_SEVERITY, /* int enum sr_severity: info, warning, critical */
	SR_CONF_GLOB,	  /* char *; empty = "*" */
};

enum sr_config_key_flags {
	SR_CONF_ALIAS = 1 << 0, /* another spelling of the row before it */
	/* a rule field only the rules naming it in their .reads take */
	SR_CONF_RULE_OPTIONAL = 1 << 1,
};

/*
 * One config key: the parser, the defaults, `sitrep config` and the docs
 * check all read this table.  `off` is the field's offset in struct
 * sr_config (sr_config_keys[]), struct sr_rule_params
 * (sr_config_rule_fields[]) or struct sr_config_action
 * (sr_config_action_keys[]).  `def` is the default as text (NULL for rule
 * fields and per-rule defaults).  `env` names an environment variable
 * the value follows when the file leaves it unset; the command-line
 * options that override a key say so in the option table (cmd/options.c,
 * conf_key).
 */
struct sr_config_key {
	const char *section; /* "general"; "insights" for rule fields */
	const char *name;
	enum sr_config_type type;
	size_t off;
	const char *def;
	const char *help;
	unsigned flags; /* enum sr_config_key_flags */
	const char *env;
};

/*
 * 1 when rule number `rule` (sr_rules[]) reads the rule field f (a row of
 * sr_config_rule_fields[]), so [insights] RULE_FIELD is a key.
 */
int sr_config_rule_has(size_t rule, const struct sr_config_key *f);

/* The tables, each ended by a row whose name is NULL. */
extern const struct sr_config_key sr_config_keys[];
extern const struct sr_config_key sr_config_rule_fields[];
extern const struct sr_config_key sr_config_action_keys[];
extern const struct sr_config_key sr_config_source_keys[];

/*
 * Tunables of one insight rule.  What each number means is the rule's
 * (sitrep(1), INSIGHT RULES); a rule that does not use a field ignores
 * it.  Thresholds of rules flagged SR_RULE_DURATION_LEVELS (disk_fill:
 * time until full) are durations, stored here in milliseconds.
 */
struct sr_rule_params {
	int enabled;		    /* 0: never evaluated */
	double warn;		    /* level for a warning */
	double crit;		    /* level for critical */
	double clear;		    /* must fall back past this to resolve */
	int64_t for_ms;		    /* condition true this long -> firing */
	int64_t keep_firing_for_ms; /* stays firing this long after clear */
	int64_t window_ms;	    /* data window the rule looks at */
	double min_samples;	    /* below this many samples: no finding */
	double factor;		    /* relative change vs baseline */
	double min_change;	    /* absolute change floor */
};

/* When an action runs. */
enum sr_action_on {
	SR_ACTION_ON_FIRE = 1 << 0,    /* pending -> firing, escalation */
	SR_ACTION_ON_RESOLVE = 1 << 1, /* firing -> resolved */
};

/* [action NAME]: exactly one of command / webhook is set. */
struct sr_config_action {
	char *name;
	unsigned on;	     /* enum sr_action_on; default fire */
	char *command;	     /* run with /bin/sh -c, or NULL */
	char *webhook;	     /* URL to POST JSON to, or NULL */
	int64_t timeout_ms;  /* default 5 s */
	int retries;	     /* webhook retries, default 3 */
	int rate_limit;	     /* runs per rate_per_ms, 0 = no limit */
	int64_t rate_per_ms; /* "10/h" -> 10, 3600000 */
	int min_severity;    /* enum sr_severity; default warning */
	char *match;	     /* glob on insight id; default "*" */
	int line;	     /* its first line in the file */
};

/* [source NAME]: spec is the source specification (see sitrep(1)). */
struct sr_config_source {
	char *name;
	char *spec;
	int line; /* its spec= line in the file */
};

struct sr_config_general {
	int64_t interval_ms; /* tick; default 1 s */
	char *db;	     /* NULL: sr_store_default_path() */
	int durable;	     /* default no */
};

struct sr_config_insights {
	int64_t active_session_ms; /* default 30 min */
	int64_t baseline_ms;	   /* EWMA time constant, default 1 h */
	int64_t resolved_keep_ms;  /* resolved shown this long, 1 h */
};

struct sr_config_tui {
	char *layout;	       /* "auto" */
	char *tiles;	       /* comma list of KPI ids */
	char *panels;	       /* comma list, in order */
	char *theme;	       /* "default" */
	int mouse;	       /* yes */
	int ascii;	       /* no */
	int64_t history_bytes; /* the pause / time-travel frames, 4 MiB */
};

/* [layout]: a custom console layout (tui/layout.h parses it). */
struct sr_config_layout {
	char *panels; /* "chart:25%,services,events:40%", or "" */
};

struct sr_config_serve {
	char *listen;	   /* "127.0.0.1:8081" */
	char *token_file;  /* or NULL */
	char *cors;	   /* allowed origin, or NULL */
	int accept_events; /* POST /api/events; default no */
	int accept_otlp;   /* POST /v1/traces, /v1/logs; default no */
	char *otlp_listen; /* an address for OTLP only, or NULL */
	char *allow_host;  /* comma list of more Host names, or NULL */
	/* the server's limits (sr_web_cfg); range-checked by serve */
	int64_t max_conns;	  /* 512 */
	int64_t max_conns_per_ip; /* 32 */
	int64_t max_body;	  /* bytes, 1 MiB */
	int64_t max_url;	  /* bytes, 4096 */
	int64_t max_header;	  /* bytes, 16 KiB */
	int64_t timeout_ms;	  /* 30 s */
};

/* [otlp] export_*: push events and metrics to an OTLP/HTTP collector. */
struct sr_config_otlp {
	char *export_url;	    /* base URL, or NULL: no export */
	int64_t export_queue;	    /* log records (and metric points) held */
	int64_t export_batch;	    /* items per request */
	int64_t export_interval_ms; /* metrics collected this often */
	int64_t export_timeout_ms;  /* one request */
	int64_t export_max_backoff_ms;
	char *export_token_file;   /* bearer token in its first line, or NULL */
	char *export_headers;	   /* "name=value,..." more headers, or NULL */
	char *export_headers_file; /* name=value lines (secrets), or NULL */
};

struct sr_config {
	char *path; /* file loaded, or NULL */
	struct sr_config_general general;
	struct sr_retention retention; /* [store]; retain= */
	int64_t store_queue_max;       /* [store] queue_max: events held */
	int64_t store_cache_kib; /* [store] cache_kib: SQLite page cache */
	struct sr_config_insights insights;
	struct sr_limits limits; /* [limits], core/limits.h */
	/* Parallel to sr_rules[] (core/insight.h): rules[i] tunes
	 * sr_rules[i]; n_rules == number of registered rules. */
	struct sr_rule_params rules[SR_CONFIG_RULES_MAX];
	size_t n_rules;
	struct sr_config_action actions[SR_CONFIG_ACTIONS_MAX];
	size_t n_actions;
	struct sr_config_source sources[SR_CONFIG_SOURCES_MAX];
	size_t n_sources;
	struct sr_config_tui tui;
	struct sr_config_layout layout;
	struct sr_config_serve serve;
	struct sr_config_otlp otlp;
	/* where each value came from, by row of the tables above */
	struct sr_config_origin key_origin[SR_CONFIG_KEYS_MAX];
	struct sr_config_origin rule_origin[SR_CONFIG_RULES_MAX]
					   [SR_CONFIG_RULE_FIELDS];
};

/* Fill c with the built-in defaults (c's old contents are not freed). */
void sr_config_init(struct sr_config *c);

/* Free every string c owns; c must be re-initialised before reuse. */
void sr_config_release(struct sr_config *c);

/*
 * Read one file over the current values of c.  Returns 0, or -1 with
 * "FILE:LINE: unknown key 'x' in [sec]" / "FILE:LINE: bad value 'v' for
 * 'k' in [sec]: why" / "cannot read 'FILE': why" in err.
 */
int
sr_config_load_file(struct sr_config *c, const char *path, struct sr_err *err);

/*
 * The same for len bytes of INI text in memory (tests, the fuzz
 * harness); name stands for the file in messages and c->path.
 */
int sr_config_load_mem(struct sr_config *c, const char *name, const char *text,
    size_t len, struct sr_err *err);

/*
 * Defaults, then the config file: `path` when not NULL (must exist),
 * else the search order above (none found is fine).  On failure c is
 * still initialised (release it).  0 or -1.
 */
int sr_config_load(struct sr_config *c, const char *path, struct sr_err *err);

/* The per-user path ($XDG_CONFIG_HOME/... or ~/.config/...); caller frees. */
char *sr_config_user_path(void);

/* Params of a rule by id, or NULL when no such rule. */
const struct sr_rule_params *
sr_config_rule(const struct sr_config *c, const char *rule_id);

/*
 * Write every setting as INI text (one "key = value" per line, every
 * section, durations in the largest exact unit): two configs are equal
 * when their dumps are.
 */
void sr_config_dump(const struct sr_config *c, struct sr_buf *out);

/*
 * Set one key as if read from the file, recording `origin` (a static
 * string such as "flag:--db", or NULL for the file's line 0) as where it
 * came from.  section is "general", "rule cpu", "action NAME" ...; an
 * [insights] key may be RULE_FIELD.  0, or -1 with "unknown key 'k' in
 * [sec]" or "bad value 'v' for 'k' in [sec]: why".
 */
int sr_config_set(struct sr_config *c, const char *section, const char *key,
    const char *value, const char *origin, struct sr_err *err);

/*
 * Called by sr_config_each() once per setting, in dump order: section
 * ("general", "action page"), key, value as text, and where it came from
 * ("default", "file:PATH:LINE", or the origin note).  Strings are valid
 * for the call only.
 */
typedef void sr_config_each_fn(void *ctx, const char *section, const char *key,
    const char *value, const char *origin);

/*
 * The longest line a config file may have, newline excluded: inih reads
 * lines into a buffer of INI_MAX_LINE (200) bytes, and a longer line is
 * an error naming FILE:LINE (it would otherwise be cut in two).
 */
#define SR_CONFIG_LINE_MAX 199

/*
 * What goes between key and value in a "key = value" line so that the
 * value reads back as it is: " = ", or " =" before a value that starts
 * with ';' (inih takes a ';' after a space as a comment), or "=" when
 * the spaces would make the line longer than SR_CONFIG_LINE_MAX.
 */
const char *sr_config_eq(const char *key, const char *value);

/* Every setting of c, as sr_config_dump() writes them, to fn. */
void
sr_config_each(const struct sr_config *c, sr_config_each_fn *fn, void *ctx);

/*
 * Parse helpers shared with the command line: a boolean ("yes" ...),
 * a rate "10/h" (count per duration).  0 or -1 with detail.
 */
int sr_config_parse_bool(const char *s, int *out, struct sr_err *err);
int sr_config_parse_rate(const char *s, int *n, int64_t *per_ms,
    struct sr_err *err);

/*
 * inih's version for `sitrep --version`: the Makefile's SR_INIH_VERSION
 * (pkg-config); inih has no version call.
 */
char *sr_config_lib_version(void);

#endif
