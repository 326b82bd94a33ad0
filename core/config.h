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
 * Sections: [general] [store] [insights] [rule NAME] [action NAME]
 * [source NAME] [tui] [serve]; sitrep.conf.example lists every key with
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

#include "core/store.h"
#include "core/util.h"

#define SR_CONFIG_RULES_MAX 32
#define SR_CONFIG_ACTIONS_MAX 16
#define SR_CONFIG_SOURCES_MAX 32

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
};

/* [source NAME]: spec is the source specification (see sitrep(1)). */
struct sr_config_source {
	char *name;
	char *spec;
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
	char *layout; /* "auto" */
	char *tiles;  /* comma list of KPI ids */
	char *panels; /* comma list, in order */
	char *theme;  /* "default" */
	int mouse;    /* yes */
	int ascii;    /* no */
};

struct sr_config_serve {
	char *listen;	   /* "127.0.0.1:8081" */
	char *token_file;  /* or NULL */
	char *cors;	   /* allowed origin, or NULL */
	int accept_events; /* POST /api/events; default no */
};

struct sr_config {
	char *path; /* file loaded, or NULL */
	struct sr_config_general general;
	struct sr_retention retention; /* [store]; retain= */
	struct sr_config_insights insights;
	/* Parallel to sr_rules[] (core/insight.h): rules[i] tunes
	 * sr_rules[i]; n_rules == number of registered rules. */
	struct sr_rule_params rules[SR_CONFIG_RULES_MAX];
	size_t n_rules;
	struct sr_config_action actions[SR_CONFIG_ACTIONS_MAX];
	size_t n_actions;
	struct sr_config_source sources[SR_CONFIG_SOURCES_MAX];
	size_t n_sources;
	struct sr_config_tui tui;
	struct sr_config_serve serve;
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
 * Parse helpers shared with the command line: a boolean ("yes" ...),
 * a rate "10/h" (count per duration).  0 or -1 with detail.
 */
int sr_config_parse_bool(const char *s, int *out, struct sr_err *err);
int sr_config_parse_rate(const char *s, int *n, int64_t *per_ms,
    struct sr_err *err);

#endif
