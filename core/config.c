/* SPDX-License-Identifier: MIT */
/*
 * config: defaults, the inih handler, value parsers and the canonical
 * dump.  Lines are counted by our own reader around ini_parse_stream(),
 * so every error names FILE:LINE whatever inih was built with.
 */
#include "core/config.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/insight.h"
#include "core/timeutil.h"

void
sr_config_init(struct sr_config *c)
{
	memset(c, 0, sizeof(*c));
	c->general.interval_ms = 1000;
	c->general.db = NULL;
	c->general.durable = 0;
	sr_retention_defaults(&c->retention);
	c->insights.active_session_ms = 30 * 60000;
	c->insights.baseline_ms = 3600000;
	c->insights.resolved_keep_ms = 3600000;
	c->n_rules = sr_rules_count();
	if (c->n_rules > SR_CONFIG_RULES_MAX)
		SR_BUG("too many rules for SR_CONFIG_RULES_MAX");
	for (size_t i = 0; i < c->n_rules; i++)
		c->rules[i] = sr_rules[i]->defaults;
	c->tui.layout = sr_xstrdup("auto");
	c->tui.tiles =
	    sr_xstrdup("cpu,mem,load,disk,net,events,errors,p95,users");
	c->tui.panels = sr_xstrdup("services,insights,events,errors,system");
	c->tui.theme = sr_xstrdup("default");
	c->tui.mouse = 1;
	c->tui.ascii = 0;
	c->serve.listen = sr_xstrdup("127.0.0.1:8081");
	c->serve.accept_events = 0;
}

void
sr_config_release(struct sr_config *c)
{
	free(c->path);
	free(c->general.db);
	for (size_t i = 0; i < c->n_actions; i++) {
		free(c->actions[i].name);
		free(c->actions[i].command);
		free(c->actions[i].webhook);
		free(c->actions[i].match);
	}
	for (size_t i = 0; i < c->n_sources; i++) {
		free(c->sources[i].name);
		free(c->sources[i].spec);
	}
	free(c->tui.layout);
	free(c->tui.tiles);
	free(c->tui.panels);
	free(c->tui.theme);
	free(c->serve.listen);
	free(c->serve.token_file);
	free(c->serve.cors);
	memset(c, 0, sizeof(*c));
}

/* ---- value parsers ---- */

int
sr_config_parse_bool(const char *s, int *out, struct sr_err *err)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return sr_err_set(err, "not a boolean (yes/no/true/false/1/0)");
}

static int
parse_num(const char *s, double *out, struct sr_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v))
		return sr_err_set(err, "not a number");
	*out = v;
	return 0;
}

static int
parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out,
    struct sr_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0)
		return sr_err_set(err, "not an integer");
	if (v < lo || v > hi)
		return sr_err_set(err, "out of range %lld..%lld", (long long)lo,
		    (long long)hi);
	*out = v;
	return 0;
}

static int
parse_dur(const char *s, int64_t *out, struct sr_err *err)
{
	int64_t v;

	if (sr_duration_parse(s, &v, err) < 0)
		return -1;
	if (v < 0)
		return sr_err_set(err, "negative duration");
	*out = v;
	return 0;
}

int
sr_config_parse_rate(const char *s, int *n, int64_t *per_ms, struct sr_err *err)
{
	const char *slash = strchr(s, '/');
	char num[32];
	int64_t v = 0, per = 0;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(num))
		return sr_err_set(err, "not a rate (e.g. 10/h)");
	memcpy(num, s, (size_t)(slash - s));
	num[slash - s] = '\0';
	if (parse_int(num, 0, 1000000, &v, err) < 0)
		return -1;
	if (strcmp(slash + 1, "s") == 0 || strcmp(slash + 1, "m") == 0 ||
	    strcmp(slash + 1, "h") == 0 || strcmp(slash + 1, "d") == 0) {
		char one[8];

		(void)snprintf(one, sizeof(one), "1%s", slash + 1);
		if (parse_dur(one, &per, err) < 0)
			return -1;
	} else if (parse_dur(slash + 1, &per, err) < 0) {
		return -1;
	}
	if (per <= 0)
		return sr_err_set(err, "rate period must be positive");
	*n = (int)v;
	*per_ms = per;
	return 0;
}

/* ---- the handler ---- */

struct cfg_ctx {
	struct sr_config *c;
	const char *file;
	FILE *fp;
	int line;
	struct sr_err err;
	int failed;
};

static char *
cfg_reader(char *buf, int size, void *stream)
{
	struct cfg_ctx *x = stream;
	char *r = fgets(buf, size, x->fp);

	if (r != NULL)
		x->line++;
	return r;
}

static void
set_s(char **dst, const char *v)
{
	free(*dst);
	*dst = *v ? sr_xstrdup(v) : NULL;
}

/* Set one rule parameter; 1 handled, 0 unknown key, -1 bad value. */
static int
rule_param(struct sr_rule_params *p, const struct sr_rule *r, const char *key,
    const char *v, struct sr_err *err)
{
	double *num = NULL;
	int64_t *dur = NULL;

	if (strcmp(key, "enabled") == 0)
		return sr_config_parse_bool(v, &p->enabled, err) < 0 ? -1 : 1;
	if (strcmp(key, "warn") == 0)
		num = &p->warn;
	else if (strcmp(key, "crit") == 0)
		num = &p->crit;
	else if (strcmp(key, "clear") == 0)
		num = &p->clear;
	else if (strcmp(key, "min_samples") == 0)
		num = &p->min_samples;
	else if (strcmp(key, "factor") == 0)
		num = &p->factor;
	else if (strcmp(key, "min_change") == 0)
		num = &p->min_change;
	else if (strcmp(key, "for") == 0)
		dur = &p->for_ms;
	else if (strcmp(key, "keep_firing_for") == 0)
		dur = &p->keep_firing_for_ms;
	else if (strcmp(key, "window") == 0)
		dur = &p->window_ms;
	else
		return 0;
	if (num != NULL) {
		int as_dur = ((r->flags & SR_RULE_DURATION_LEVELS) &&
				 num != &p->min_samples && num != &p->factor &&
				 num != &p->min_change) ||
		    ((r->flags & SR_RULE_CHANGE_DURATION) &&
			num == &p->min_change);

		if (as_dur) {
			int64_t ms = 0;

			if (parse_dur(v, &ms, err) < 0)
				return -1;
			*num = (double)ms;
			return 1;
		}
		return parse_num(v, num, err) < 0 ? -1 : 1;
	}
	return parse_dur(v, dur, err) < 0 ? -1 : 1;
}

static struct sr_config_action *
cfg_action(struct sr_config *c, const char *name, struct sr_err *err)
{
	struct sr_config_action *a;

	for (size_t i = 0; i < c->n_actions; i++)
		if (strcmp(c->actions[i].name, name) == 0)
			return &c->actions[i];
	if (c->n_actions == SR_CONFIG_ACTIONS_MAX) {
		sr_err_set(err, "too many actions (at most %d)",
		    SR_CONFIG_ACTIONS_MAX);
		return NULL;
	}
	a = &c->actions[c->n_actions++];
	memset(a, 0, sizeof(*a));
	a->name = sr_xstrdup(name);
	a->on = SR_ACTION_ON_FIRE;
	a->timeout_ms = 5000;
	a->retries = 3;
	a->min_severity = SR_SEV_WARN;
	a->match = sr_xstrdup("*");
	return a;
}

static int
action_key(struct sr_config_action *a, const char *k, const char *v,
    struct sr_err *err)
{
	int64_t n;

	if (strcmp(k, "on") == 0) {
		char buf[64], *p, *save = NULL;

		if (strlen(v) >= sizeof(buf))
			return sr_err_set(err, "too long");
		memcpy(buf, v, strlen(v) + 1);
		a->on = 0;
		for (p = strtok_r(buf, ", ", &save); p != NULL;
		     p = strtok_r(NULL, ", ", &save)) {
			if (strcmp(p, "fire") == 0)
				a->on |= SR_ACTION_ON_FIRE;
			else if (strcmp(p, "resolve") == 0)
				a->on |= SR_ACTION_ON_RESOLVE;
			else
				return sr_err_set(err,
				    "expected fire and/or "
				    "resolve");
		}
		return 1;
	}
	if (strcmp(k, "command") == 0) {
		set_s(&a->command, v);
		return 1;
	}
	if (strcmp(k, "webhook") == 0) {
		if (strncmp(v, "http://", 7) != 0 &&
		    strncmp(v, "https://", 8) != 0)
			return sr_err_set(err, "not an http(s) URL");
		set_s(&a->webhook, v);
		return 1;
	}
	if (strcmp(k, "timeout") == 0)
		return parse_dur(v, &a->timeout_ms, err) < 0 ? -1 : 1;
	if (strcmp(k, "retries") == 0) {
		if (parse_int(v, 0, 20, &n, err) < 0)
			return -1;
		a->retries = (int)n;
		return 1;
	}
	if (strcmp(k, "rate_limit") == 0)
		return sr_config_parse_rate(v, &a->rate_limit, &a->rate_per_ms,
			   err) < 0
		    ? -1
		    : 1;
	if (strcmp(k, "severity") == 0) {
		int s = sr_severity_parse(v);

		if (s < 0)
			return sr_err_set(err,
			    "expected info, warning or "
			    "critical");
		a->min_severity = s;
		return 1;
	}
	if (strcmp(k, "match") == 0) {
		set_s(&a->match, *v ? v : "*");
		return 1;
	}
	return 0;
}

/* The handler proper: 1 handled, 0 unknown key, -1 bad value. */
static int
cfg_key(struct cfg_ctx *x, const char *sec, const char *k, const char *v)
{
	struct sr_config *c = x->c;
	struct sr_err *err = &x->err;
	int64_t n;

	if (strcmp(sec, "general") == 0) {
		if (strcmp(k, "interval") == 0) {
			if (parse_dur(v, &c->general.interval_ms, err) < 0)
				return -1;
			if (c->general.interval_ms < 10)
				return sr_err_set(err, "below 10ms");
			return 1;
		}
		if (strcmp(k, "db") == 0) {
			set_s(&c->general.db, v);
			return 1;
		}
		if (strcmp(k, "retain") == 0)
			return parse_dur(v, &c->retention.events_ms, err) < 0
			    ? -1
			    : 1;
		if (strcmp(k, "durable") == 0)
			return sr_config_parse_bool(v, &c->general.durable,
				   err) < 0
			    ? -1
			    : 1;
		return 0;
	}
	if (strcmp(sec, "store") == 0) {
		if (strcmp(k, "events") == 0)
			return parse_dur(v, &c->retention.events_ms, err) < 0
			    ? -1
			    : 1;
		if (strcmp(k, "max_events") == 0) {
			if (parse_int(v, 0, INT64_MAX, &n, err) < 0)
				return -1;
			c->retention.max_events = n;
			return 1;
		}
		if (strcmp(k, "samples_raw") == 0)
			return parse_dur(v, &c->retention.samples_raw_ms, err) <
				0
			    ? -1
			    : 1;
		if (strcmp(k, "samples_1m") == 0)
			return parse_dur(v, &c->retention.samples_1m_ms, err) <
				0
			    ? -1
			    : 1;
		if (strcmp(k, "samples_1h") == 0)
			return parse_dur(v, &c->retention.samples_1h_ms, err) <
				0
			    ? -1
			    : 1;
		return 0;
	}
	if (strcmp(sec, "insights") == 0) {
		if (strcmp(k, "active_session") == 0)
			return parse_dur(v, &c->insights.active_session_ms,
				   err) < 0
			    ? -1
			    : 1;
		if (strcmp(k, "baseline") == 0)
			return parse_dur(v, &c->insights.baseline_ms, err) < 0
			    ? -1
			    : 1;
		if (strcmp(k, "resolved_keep") == 0)
			return parse_dur(v, &c->insights.resolved_keep_ms,
				   err) < 0
			    ? -1
			    : 1;
		/* RULE_PARAM: the longest rule id that prefixes the key */
		for (size_t i = 0; i < c->n_rules; i++) {
			size_t l = strlen(sr_rules[i]->id);

			if (strncmp(k, sr_rules[i]->id, l) == 0 &&
			    k[l] == '_') {
				int r = rule_param(&c->rules[i], sr_rules[i],
				    k + l + 1, v, err);

				if (r != 0)
					return r;
			}
		}
		return 0;
	}
	if (strncmp(sec, "rule ", 5) == 0) {
		int i = sr_rule_index(sec + 5);

		if (i < 0)
			return sr_err_set(err, "unknown rule '%s'", sec + 5);
		return rule_param(&c->rules[i], sr_rules[i], k, v, err);
	}
	if (strncmp(sec, "action ", 7) == 0) {
		struct sr_config_action *a = cfg_action(c, sec + 7, err);

		return a == NULL ? -1 : action_key(a, k, v, err);
	}
	if (strncmp(sec, "source ", 7) == 0) {
		struct sr_config_source *s = NULL;

		if (strcmp(k, "spec") != 0)
			return 0;
		for (size_t i = 0; i < c->n_sources; i++)
			if (strcmp(c->sources[i].name, sec + 7) == 0)
				s = &c->sources[i];
		if (s == NULL) {
			if (c->n_sources == SR_CONFIG_SOURCES_MAX)
				return sr_err_set(err, "too many sources");
			s = &c->sources[c->n_sources++];
			s->name = sr_xstrdup(sec + 7);
			s->spec = NULL;
		}
		set_s(&s->spec, v);
		return 1;
	}
	if (strcmp(sec, "tui") == 0) {
		if (strcmp(k, "layout") == 0)
			set_s(&c->tui.layout, v);
		else if (strcmp(k, "tiles") == 0)
			set_s(&c->tui.tiles, v);
		else if (strcmp(k, "panels") == 0)
			set_s(&c->tui.panels, v);
		else if (strcmp(k, "theme") == 0)
			set_s(&c->tui.theme, v);
		else if (strcmp(k, "mouse") == 0)
			return sr_config_parse_bool(v, &c->tui.mouse, err) < 0
			    ? -1
			    : 1;
		else if (strcmp(k, "ascii") == 0)
			return sr_config_parse_bool(v, &c->tui.ascii, err) < 0
			    ? -1
			    : 1;
		else
			return 0;
		return 1;
	}
	if (strcmp(sec, "serve") == 0) {
		if (strcmp(k, "listen") == 0)
			set_s(&c->serve.listen, v);
		else if (strcmp(k, "token_file") == 0)
			set_s(&c->serve.token_file, v);
		else if (strcmp(k, "cors") == 0)
			set_s(&c->serve.cors, v);
		else if (strcmp(k, "accept_events") == 0)
			return sr_config_parse_bool(v, &c->serve.accept_events,
				   err) < 0
			    ? -1
			    : 1;
		else
			return 0;
		return 1;
	}
	return sr_err_set(err, "unknown section [%s]", sec);
}

static int
cfg_handler(void *user, const char *sec, const char *k, const char *v)
{
	struct cfg_ctx *x = user;
	struct sr_err e;
	int r;

	if (x->failed)
		return 0;
	r = cfg_key(x, sec, k, v);
	if (r == 1)
		return 1;
	e = x->err;
	if (r == 0)
		sr_err_set(&x->err, "%s:%d: unknown key '%s' in [%s]", x->file,
		    x->line, k, sec);
	else if (strncmp(e.msg, "unknown section", 15) == 0 ||
	    strncmp(e.msg, "unknown rule", 12) == 0)
		sr_err_set(&x->err, "%s:%d: %s", x->file, x->line, e.msg);
	else
		sr_err_set(&x->err,
		    "%s:%d: bad value '%s' for '%s' in [%s]: "
		    "%s",
		    x->file, x->line, v, k, sec, e.msg);
	x->failed = 1;
	return 0;
}

/* Check what only makes sense across keys. */
static int
cfg_validate(const struct sr_config *c, const char *file, struct sr_err *err)
{
	for (size_t i = 0; i < c->n_actions; i++) {
		const struct sr_config_action *a = &c->actions[i];

		if ((a->command == NULL) == (a->webhook == NULL))
			return sr_err_set(err,
			    "%s: [action %s] needs exactly "
			    "one of command= or webhook=",
			    file, a->name);
	}
	for (size_t i = 0; i < c->n_sources; i++)
		if (c->sources[i].spec == NULL)
			return sr_err_set(err,
			    "%s: [source %s] needs spec=", file,
			    c->sources[i].name);
	return 0;
}

int
sr_config_load_file(struct sr_config *c, const char *path, struct sr_err *err)
{
	struct cfg_ctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.file = path;
	x.fp = fopen(path, "r");
	if (x.fp == NULL)
		return sr_err_set(err, "cannot read '%s': %s", path,
		    strerror(errno));
	rc = ini_parse_stream(cfg_reader, &x, cfg_handler, &x);
	(void)fclose(x.fp); /* read-only: nothing to lose */
	if (x.failed) {
		if (err != NULL)
			*err = x.err;
		return -1;
	}
	if (rc != 0)
		return sr_err_set(err, "%s:%d: syntax error", path, rc);
	free(c->path);
	c->path = sr_xstrdup(path);
	return cfg_validate(c, path, err);
}

char *
sr_config_user_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *h = getenv("HOME");

	if (x != NULL && *x == '/')
		return sr_xasprintf("%s/sitrep/sitrep.conf", x);
	return sr_xasprintf("%s/.config/sitrep/sitrep.conf",
	    h != NULL && *h ? h : ".");
}

int
sr_config_load(struct sr_config *c, const char *path, struct sr_err *err)
{
	char *user;
	FILE *fp;

	sr_config_init(c);
	if (path != NULL)
		return sr_config_load_file(c, path, err);
	user = sr_config_user_path();
	fp = fopen(user, "r");
	if (fp != NULL) {
		int rc;

		(void)fclose(fp);
		rc = sr_config_load_file(c, user, err);
		free(user);
		return rc;
	}
	free(user);
	fp = fopen("/etc/sitrep.conf", "r");
	if (fp != NULL) {
		(void)fclose(fp);
		return sr_config_load_file(c, "/etc/sitrep.conf", err);
	}
	return 0;
}

const struct sr_rule_params *
sr_config_rule(const struct sr_config *c, const char *rule_id)
{
	int i = sr_rule_index(rule_id);

	return i < 0 ? NULL : &c->rules[i];
}

/* ---- dump ---- */

static void
dump_dur(struct sr_buf *b, const char *k, int64_t ms)
{
	static const struct {
		int64_t ms;
		const char *u;
	} units[] = {
		{ 86400000, "d" },
		{ 3600000, "h" },
		{ 60000, "m" },
		{ 1000, "s" },
	};

	if (ms == 0) {
		sr_buf_addf(b, "%s = 0s\n", k);
		return;
	}
	for (size_t i = 0; i < 4; i++)
		if (ms % units[i].ms == 0) {
			sr_buf_addf(b, "%s = %lld%s\n", k,
			    (long long)(ms / units[i].ms), units[i].u);
			return;
		}
	sr_buf_addf(b, "%s = %lldms\n", k, (long long)ms);
}

static void
dump_str(struct sr_buf *b, const char *k, const char *v)
{
	sr_buf_addf(b, "%s = %s\n", k, v ? v : "");
}

static void
dump_rule(struct sr_buf *b, const struct sr_rule *r,
    const struct sr_rule_params *p)
{
	char k[96];
	int dl = (r->flags & SR_RULE_DURATION_LEVELS) != 0;

#define K(name) ((void)snprintf(k, sizeof(k), "%s_%s", r->id, name), k)
	dump_str(b, K("enabled"), p->enabled ? "yes" : "no");
	if (dl) {
		dump_dur(b, K("warn"), (int64_t)p->warn);
		dump_dur(b, K("crit"), (int64_t)p->crit);
		dump_dur(b, K("clear"), (int64_t)p->clear);
	} else {
		sr_buf_addf(b, "%s = %.10g\n", K("warn"), p->warn);
		sr_buf_addf(b, "%s = %.10g\n", K("crit"), p->crit);
		sr_buf_addf(b, "%s = %.10g\n", K("clear"), p->clear);
	}
	dump_dur(b, K("for"), p->for_ms);
	dump_dur(b, K("keep_firing_for"), p->keep_firing_for_ms);
	dump_dur(b, K("window"), p->window_ms);
	sr_buf_addf(b, "%s = %.10g\n", K("min_samples"), p->min_samples);
	sr_buf_addf(b, "%s = %.10g\n", K("factor"), p->factor);
	if (r->flags & SR_RULE_CHANGE_DURATION)
		dump_dur(b, K("min_change"), (int64_t)p->min_change);
	else
		sr_buf_addf(b, "%s = %.10g\n", K("min_change"), p->min_change);
#undef K
}

void
sr_config_dump(const struct sr_config *c, struct sr_buf *b)
{
	sr_buf_adds(b, "[general]\n");
	dump_dur(b, "interval", c->general.interval_ms);
	dump_str(b, "db", c->general.db);
	dump_str(b, "durable", c->general.durable ? "yes" : "no");
	sr_buf_adds(b, "\n[store]\n");
	dump_dur(b, "events", c->retention.events_ms);
	sr_buf_addf(b, "max_events = %lld\n",
	    (long long)c->retention.max_events);
	dump_dur(b, "samples_raw", c->retention.samples_raw_ms);
	dump_dur(b, "samples_1m", c->retention.samples_1m_ms);
	dump_dur(b, "samples_1h", c->retention.samples_1h_ms);
	sr_buf_adds(b, "\n[insights]\n");
	dump_dur(b, "active_session", c->insights.active_session_ms);
	dump_dur(b, "baseline", c->insights.baseline_ms);
	dump_dur(b, "resolved_keep", c->insights.resolved_keep_ms);
	for (size_t i = 0; i < c->n_rules; i++)
		dump_rule(b, sr_rules[i], &c->rules[i]);
	for (size_t i = 0; i < c->n_actions; i++) {
		const struct sr_config_action *a = &c->actions[i];

		sr_buf_addf(b, "\n[action %s]\n", a->name);
		sr_buf_addf(b, "on = %s%s%s\n",
		    (a->on & SR_ACTION_ON_FIRE) ? "fire" : "",
		    a->on == (SR_ACTION_ON_FIRE | SR_ACTION_ON_RESOLVE) ? ","
									: "",
		    (a->on & SR_ACTION_ON_RESOLVE) ? "resolve" : "");
		if (a->command)
			dump_str(b, "command", a->command);
		if (a->webhook)
			dump_str(b, "webhook", a->webhook);
		dump_dur(b, "timeout", a->timeout_ms);
		sr_buf_addf(b, "retries = %d\n", a->retries);
		if (a->rate_limit > 0)
			sr_buf_addf(b, "rate_limit = %d/%llds\n", a->rate_limit,
			    (long long)(a->rate_per_ms / 1000));
		dump_str(b, "severity",
		    sr_severity_name((enum sr_severity)a->min_severity));
		dump_str(b, "match", a->match);
	}
	for (size_t i = 0; i < c->n_sources; i++)
		sr_buf_addf(b, "\n[source %s]\nspec = %s\n", c->sources[i].name,
		    c->sources[i].spec);
	sr_buf_adds(b, "\n[tui]\n");
	dump_str(b, "layout", c->tui.layout);
	dump_str(b, "tiles", c->tui.tiles);
	dump_str(b, "panels", c->tui.panels);
	dump_str(b, "theme", c->tui.theme);
	dump_str(b, "mouse", c->tui.mouse ? "yes" : "no");
	dump_str(b, "ascii", c->tui.ascii ? "yes" : "no");
	sr_buf_adds(b, "\n[serve]\n");
	dump_str(b, "listen", c->serve.listen);
	dump_str(b, "token_file", c->serve.token_file);
	dump_str(b, "cors", c->serve.cors);
	dump_str(b, "accept_events", c->serve.accept_events ? "yes" : "no");
}
