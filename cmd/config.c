/* SPDX-License-Identifier: MIT */
/*
 * sitrep config: the effective configuration, every key with its value
 * and where it came from (default, file:PATH:LINE, env:NAME, flag:--X),
 * as INI that can be pasted back into a config file, or as JSON.  The
 * options that override the file in the console and in serve (the rows
 * of cmd/options.c with a conf_key) may be given to see their effect.
 * The hidden --keys lists every key the config tables know, for the docs
 * check (make check-docs).
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "core/config.h"
#include "core/insight.h"
#include "core/store.h"
#include "core/util.h"
#include "tui/layout.h"

struct config_out {
	struct sr_buf *b;
	char sec[96];
	int json;
	int n;
};

/*
 * After [layout] panels: the console's effective layout, as a comment
 * (a bad one: the error on stderr, and the preset the console uses).
 */
static void
config_layout(struct sr_buf *b, const char *value)
{
	struct sr_layout_panel lp[SR_PANEL__COUNT];
	const struct sr_layout_panel *lps[SR_PANEL__COUNT];
	struct sr_layout_spec sp;
	char err[400], text[512];

	if (*value == '\0') {
		sr_buf_adds(b, "; effective: the [tui] layout preset\n");
		return;
	}
	sr_tui_layout_panels(lp, lps);
	if (sr_layout_spec_parse(lps, SR_PANEL__COUNT, value, &sp, err,
		sizeof(err)) < 0) {
		fprintf(stderr, "sitrep config: [layout] panels: %s\n", err);
		sr_buf_addf(b,
		    "; effective: the [tui] layout preset ([layout] panels: "
		    "%s)\n",
		    err);
		return;
	}
	sr_layout_spec_text(lps, &sp, text, sizeof(text));
	sr_buf_addf(b, "; effective: %s\n", text);
}

static void
config_line(void *ctx, const char *section, const char *key, const char *value,
    const char *origin)
{
	struct config_out *w = ctx;
	/* a source spec, a webhook URL or a command may hold a password
	 * or token: shown masked, like everywhere else */
	char *shown = sr_redact(value);

	value = shown;
	if (w->json) {
		sr_buf_adds(w->b,
		    w->n++ ? ",\n  {\"section\":"
			   : "\n  {"
			     "\"section\":");
		sr_buf_add_json_str(w->b, section);
		sr_buf_adds(w->b, ",\"key\":");
		sr_buf_add_json_str(w->b, key);
		sr_buf_adds(w->b, ",\"value\":");
		sr_buf_add_json_str(w->b, value);
		sr_buf_adds(w->b, ",\"from\":");
		sr_buf_add_json_str(w->b, origin);
		sr_buf_adds(w->b, "}");
		free(shown);
		return;
	}
	if (strcmp(w->sec, section) != 0) {
		sr_buf_addf(w->b, "%s[%s]\n", w->sec[0] ? "\n" : "", section);
		(void)snprintf(w->sec, sizeof(w->sec), "%s", section);
	}
	sr_buf_addf(w->b, "%s%s%s  ; %s\n", key, sr_config_eq(key, value),
	    value, origin);
	if (strcmp(section, "layout") == 0 && strcmp(key, "panels") == 0)
		config_layout(w->b, value);
	free(shown);
}

/* Every key of the config tables: "SECTION KEY DOCNAME" per line. */
static void
config_keys(struct sr_buf *b)
{
	const struct sr_config_key *k;

	for (k = sr_config_keys; k->name != NULL; k++)
		sr_buf_addf(b, "%s %s %s\n", k->section, k->name, k->name);
	for (k = sr_config_rule_fields; k->name != NULL; k++) {
		sr_buf_addf(b, "rule %s %s\n", k->name, k->name);
		for (size_t i = 0; i < sr_rules_count(); i++)
			if (sr_config_rule_has(i, k))
				sr_buf_addf(b, "insights %s_%s %s\n",
				    sr_rules[i]->id, k->name, k->name);
	}
	for (k = sr_config_action_keys; k->name != NULL; k++)
		sr_buf_addf(b, "action %s %s\n", k->name, k->name);
	for (k = sr_config_source_keys; k->name != NULL; k++)
		sr_buf_addf(b, "source %s %s\n", k->name, k->name);
}

/* Apply the options given that override config keys. */
static int
config_flags(struct sr_config *cfg, const struct sr_opts *o, char notes[][40])
{
	struct sr_err err;

	for (size_t i = 0; i < o->nseen; i++) {
		const struct sr_option *op = &sr_options[o->seen[i].id];
		const char *dot;
		char sec[32];

		if (op->conf_key == NULL)
			continue;
		dot = strchr(op->conf_key, '.');
		if (dot == NULL || (size_t)(dot - op->conf_key) >= sizeof(sec))
			SR_BUG("bad conf_key in the option table");
		memcpy(sec, op->conf_key, (size_t)(dot - op->conf_key));
		sec[dot - op->conf_key] = '\0';
		(void)snprintf(notes[op->id], sizeof(notes[0]), "flag:--%s",
		    op->name);
		if (sr_config_set(cfg, sec, dot + 1,
			op->conf_value ? op->conf_value : o->seen[i].arg,
			notes[op->id], &err) < 0)
			return sr_usage_error("config", "--%s: %s", op->name,
			    err.msg);
	}
	return 0;
}

/*
 * An unset db is the default path the commands would open; it follows
 * the environment variable of its table row when that is set (as
 * sr_store_default_path() reads it).  note: room for the origin.
 */
static void
config_default_db(struct sr_config *cfg, char *note)
{
	const struct sr_config_key *k = sr_config_keys;
	char *db = sr_store_default_path();
	const char *x;

	while (k->name != NULL && strcmp(k->name, "db") != 0)
		k++;
	x = k->env ? getenv(k->env) : NULL;
	(void)snprintf(note, 40, "%s%s", x && *x == '/' ? "env:" : "default",
	    x && *x == '/' ? k->env : "");
	(void)sr_config_set(cfg, "general", "db", db, note, NULL);
	free(db);
}

/*
 * No token file: serve takes the token itself from the environment
 * variable of the token_file row ($SITREP_TOKEN) when that is set.  Say
 * so, without the token.  note: room for the origin.
 */
static void
config_env_token(struct sr_config *cfg, char *note)
{
	const struct sr_config_key *k = sr_config_keys;
	const char *x;

	while (k->name != NULL && strcmp(k->name, "token_file") != 0)
		k++;
	x = k->env ? getenv(k->env) : NULL;
	if (x == NULL || *x == '\0' ||
	    (cfg->serve.token_file != NULL && *cfg->serve.token_file != '\0'))
		return;
	(void)snprintf(note, 40, "env:%s (token not shown)", k->env);
	(void)sr_config_set(cfg, "serve", "token_file", "", note, NULL);
}

int
sr_cmd_config(int argc, char **argv)
{
	char notes[SR_O__COUNT][40];
	struct config_out w;
	struct sr_config cfg;
	struct sr_opts o;
	struct sr_err err;
	struct sr_buf out;
	int rc;

	if ((rc = sr_opts_parse("config", argc, argv, &o)) != 0)
		return rc < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	sr_buf_init(&out);
	if (sr_opts_has(&o, SR_O_KEYS)) {
		config_keys(&out);
	} else {
		if (sr_config_load(&cfg, sr_opts_str(&o, SR_O_CONFIG, NULL),
			&err) < 0) {
			fprintf(stderr, "sitrep config: %s\n", err.msg);
			sr_config_release(&cfg);
			sr_buf_release(&out);
			return SR_EXIT_USAGE;
		}
		if (config_flags(&cfg, &o, notes) != 0) {
			sr_config_release(&cfg);
			sr_buf_release(&out);
			return SR_EXIT_USAGE;
		}
		if (cfg.general.db == NULL)
			config_default_db(&cfg, notes[SR_O_DB]);
		config_env_token(&cfg, notes[SR_O_TOKEN_FILE]);
		memset(&w, 0, sizeof(w));
		w.b = &out;
		w.json = sr_opts_has(&o, SR_O_JSON);
		if (w.json)
			sr_buf_adds(&out, "[");
		else if (cfg.path != NULL)
			sr_buf_addf(&out, "; sitrep config: %s\n", cfg.path);
		else
			sr_buf_adds(&out,
			    "; sitrep config: no file, defaults\n");
		sr_config_each(&cfg, config_line, &w);
		if (w.json)
			sr_buf_adds(&out, "\n]\n");
		sr_config_release(&cfg);
	}
	rc = fwrite(out.data, 1, out.len, stdout) == out.len &&
		fflush(stdout) == 0
	    ? SR_EXIT_OK
	    : SR_EXIT_FAIL;
	sr_buf_release(&out);
	return rc;
}
