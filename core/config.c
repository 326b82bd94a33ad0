/* SPDX-License-Identifier: MIT */
/*
 * config: defaults, the inih handler, value parsers and the canonical
 * dump.  Lines are counted by our own reader around ini_parse_stream(),
 * so every error names FILE:LINE whatever inih was built with.
 */
#include "core/config.h"

#include <errno.h>
#include <stddef.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/insight.h"
#include "core/timeutil.h"

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
	free(c->layout.panels);
	free(c->serve.listen);
	free(c->serve.token_file);
	free(c->serve.cors);
	free(c->serve.allow_host);
	free(c->serve.otlp_listen);
	free(c->otlp.export_url);
	free(c->otlp.export_token_file);
	free(c->otlp.export_headers);
	free(c->otlp.export_headers_file);
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

/* ---- the tables ---- */

#define G(f) offsetof(struct sr_config, f)
#define R(f) offsetof(struct sr_rule_params, f)
#define A(f) offsetof(struct sr_config_action, f)

const struct sr_config_key sr_config_keys[] = {
	{ "general", "interval", SR_CONF_TICK, G(general.interval_ms), "1s",
	    "the tick: sample, evaluate, publish and draw this often", 0,
	    NULL },
	{ "general", "db", SR_CONF_STRING, G(general.db), "",
	    "the database (empty: $XDG_DATA_HOME/sitrep/sitrep.db)", 0,
	    "XDG_DATA_HOME" },
	{ "general", "durable", SR_CONF_BOOL, G(general.durable), "no",
	    "synchronous=FULL: committed events survive power loss", 0, NULL },
	{ "store", "events", SR_CONF_DURATION, G(retention.events_ms), "30d",
	    "how long events are kept", 0, NULL },
	{ "general", "retain", SR_CONF_DURATION, G(retention.events_ms), "30d",
	    "the same as [store] events", SR_CONF_ALIAS, NULL },
	{ "store", "max_events", SR_CONF_COUNT, G(retention.max_events), "0",
	    "at most this many events, oldest pruned first (0: no cap)", 0,
	    NULL },
	{ "store", "queue_max", SR_CONF_COUNT, G(store_queue_max), "100000",
	    "events held in memory while the database cannot be written "
	    "(beyond: stdin events dropped and counted, posts answered 503)",
	    0, NULL },
	{ "store", "cache_kib", SR_CONF_COUNT, G(store_cache_kib), "2048",
	    "KiB of SQLite page cache the console and serve keep (0: "
	    "4096, what batch commands use)",
	    0, NULL },
	{ "store", "samples_raw", SR_CONF_DURATION, G(retention.samples_raw_ms),
	    "1d", "how long raw metric samples are kept", 0, NULL },
	{ "store", "samples_1m", SR_CONF_DURATION, G(retention.samples_1m_ms),
	    "30d", "how long per-minute rollups are kept", 0, NULL },
	{ "store", "samples_1h", SR_CONF_DURATION, G(retention.samples_1h_ms),
	    "365d", "how long per-hour rollups are kept", 0, NULL },
	{ "insights", "active_session", SR_CONF_DURATION,
	    G(insights.active_session_ms), "30m",
	    "a session or user is active this long after its last event", 0,
	    NULL },
	{ "insights", "baseline", SR_CONF_DURATION, G(insights.baseline_ms),
	    "1h", "time constant of the EWMA baselines", 0, NULL },
	{ "insights", "resolved_keep", SR_CONF_DURATION,
	    G(insights.resolved_keep_ms), "1h",
	    "resolved insights are listed this long", 0, NULL },
	{ "limits", "services", SR_CONF_LIMIT, G(limits.services), "100",
	    "services with their own series; the rest are one \"(other)\"", 0,
	    NULL },
	{ "limits", "endpoints_per_service", SR_CONF_LIMIT,
	    G(limits.endpoints_per_service), "500",
	    "templated endpoints a service keeps; the rest are one "
	    "\"(other)\"",
	    0, NULL },
	{ "limits", "models", SR_CONF_LIMIT, G(limits.models), "200",
	    "models with their own series; the rest are one \"(other)\"", 0,
	    NULL },
	{ "tui", "layout", SR_CONF_STRING, G(tui.layout), "auto",
	    "auto, full, compact, events or system", 0, NULL },
	{ "tui", "tiles", SR_CONF_STRING, G(tui.tiles),
	    "cpu,mem,load,disk,net,events,errors,p95,users",
	    "the KPI tiles, in order", 0, NULL },
	{ "tui", "panels", SR_CONF_STRING, G(tui.panels),
	    "services,insights,events,errors,system", "the panels, in order", 0,
	    NULL },
	{ "tui", "theme", SR_CONF_STRING, G(tui.theme), "auto",
	    "auto, default, solar, light or mono", 0, NULL },
	{ "tui", "mouse", SR_CONF_BOOL, G(tui.mouse), "yes", "use the mouse", 0,
	    NULL },
	{ "tui", "ascii", SR_CONF_BOOL, G(tui.ascii), "no",
	    "ASCII only (no block or braille glyphs)", 0, NULL },
	{ "limits", "prom_series", SR_CONF_COUNT, G(limits.prom_series), "2000",
	    "series a prom: source keeps (plain series and histograms); "
	    "samples of more are dropped and counted in its status",
	    0, NULL },
	{ "tui", "history_bytes", SR_CONF_COUNT, G(tui.history_bytes),
	    "4194304",
	    "memory for the frames kept for pause and time travel (bytes; "
	    "about 4 KiB a tick: 4 MiB holds the 900 ticks kept at most)",
	    0, NULL },
	{ "layout", "panels", SR_CONF_STRING, G(layout.panels), "",
	    "the console's panels top to bottom with their share of the "
	    "screen, NAME[:PERCENT] (chart:25%,services,events:40%); "
	    "empty: the [tui] layout preset",
	    0, NULL },
	{ "serve", "listen", SR_CONF_STRING, G(serve.listen), "127.0.0.1:8081",
	    "the address to listen on", 0, NULL },
	{ "serve", "token_file", SR_CONF_STRING, G(serve.token_file), "",
	    "require the bearer token in this file's first line", 0,
	    "SITREP_TOKEN" },
	{ "serve", "cors", SR_CONF_STRING, G(serve.cors), "",
	    "allow this browser origin", 0, NULL },
	{ "serve", "accept_events", SR_CONF_BOOL, G(serve.accept_events), "no",
	    "allow POST /api/events", 0, NULL },
	{ "serve", "accept_otlp", SR_CONF_BOOL, G(serve.accept_otlp), "no",
	    "receive OTLP/HTTP on POST /v1/traces and /v1/logs", 0, NULL },
	{ "serve", "otlp_listen", SR_CONF_STRING, G(serve.otlp_listen), "",
	    "also receive OTLP on this address, and nothing else there "
	    "(implies accept_otlp)",
	    0, NULL },
	{ "serve", "allow_host", SR_CONF_STRING, G(serve.allow_host), "",
	    "more Host names to answer (comma list; loopback always)", 0,
	    NULL },
	{ "serve", "max_conns", SR_CONF_COUNT, G(serve.max_conns), "512",
	    "connections the server holds; past it an idle one is closed", 0,
	    NULL },
	{ "serve", "max_conns_per_ip", SR_CONF_COUNT, G(serve.max_conns_per_ip),
	    "32", "connections one address may hold (429 past it)", 0, NULL },
	{ "serve", "max_body", SR_CONF_COUNT, G(serve.max_body), "1048576",
	    "request body bytes (413 past it)", 0, NULL },
	{ "serve", "max_url", SR_CONF_COUNT, G(serve.max_url), "4096",
	    "URL and query bytes (414 past it)", 0, NULL },
	{ "serve", "max_header", SR_CONF_COUNT, G(serve.max_header), "16384",
	    "request header bytes (431 past it)", 0, NULL },
	{ "serve", "timeout", SR_CONF_DURATION, G(serve.timeout_ms), "30s",
	    "a connection quiet this long during a request is closed", 0,
	    NULL },
	{ "otlp", "export_url", SR_CONF_URL, G(otlp.export_url), "",
	    "push events (URL/v1/logs) and metrics (URL/v1/metrics) to this "
	    "OTLP/HTTP collector (empty: no export)",
	    0, NULL },
	{ "otlp", "export_queue", SR_CONF_COUNT, G(otlp.export_queue), "10000",
	    "log records, and metric points, held while the collector is "
	    "away (beyond: dropped and counted)",
	    0, NULL },
	{ "otlp", "export_batch", SR_CONF_COUNT, G(otlp.export_batch), "512",
	    "log records or metric points per request", 0, NULL },
	{ "otlp", "export_interval", SR_CONF_DURATION,
	    G(otlp.export_interval_ms), "10s",
	    "metrics (KPIs, system metrics) are collected and pushed this often",
	    0, NULL },
	{ "otlp", "export_timeout", SR_CONF_DURATION, G(otlp.export_timeout_ms),
	    "10s", "one request may take this long", 0, NULL },
	{ "otlp", "export_max_backoff", SR_CONF_DURATION,
	    G(otlp.export_max_backoff_ms), "1m",
	    "retries wait 1 s, 2 s, 4 s ... up to this", 0, NULL },
	{ "otlp", "export_token_file", SR_CONF_STRING,
	    G(otlp.export_token_file), "",
	    "send 'Authorization: Bearer TOKEN' (TOKEN: the file's first line)",
	    0, "SITREP_OTLP_TOKEN" },
	{ "otlp", "export_headers", SR_CONF_STRING, G(otlp.export_headers), "",
	    "more request headers, name=value,name=value (as "
	    "OTEL_EXPORTER_OTLP_HEADERS; shown by sitrep config, so no "
	    "secrets)",
	    0, NULL },
	{ "otlp", "export_headers_file", SR_CONF_STRING,
	    G(otlp.export_headers_file), "",
	    "more request headers from a file, one name=value a line (for "
	    "secret ones: an API key, Basic credentials)",
	    0, NULL },
	{ NULL, NULL, SR_CONF_STRING, 0, NULL, NULL, 0, NULL },
};

/* In [insights] as RULE_FIELD, in [rule RULE] as FIELD. */
const struct sr_config_key sr_config_rule_fields[] = {
	{ "insights", "enabled", SR_CONF_BOOL, R(enabled), NULL,
	    "no: the rule is never evaluated", 0, NULL },
	{ "insights", "warn", SR_CONF_LEVEL, R(warn), NULL,
	    "the level of a warning", 0, NULL },
	{ "insights", "crit", SR_CONF_LEVEL, R(crit), NULL,
	    "the level of a critical insight", 0, NULL },
	{ "insights", "clear", SR_CONF_LEVEL, R(clear), NULL,
	    "the value must fall back past this to resolve", 0, NULL },
	{ "insights", "for", SR_CONF_DURATION, R(for_ms), NULL,
	    "the condition holds this long before it fires", 0, NULL },
	{ "insights", "keep_firing_for", SR_CONF_DURATION,
	    R(keep_firing_for_ms), NULL, "stays firing this long after clear",
	    0, NULL },
	{ "insights", "window", SR_CONF_DURATION, R(window_ms), NULL,
	    "the data window the rule looks at", SR_CONF_RULE_OPTIONAL, NULL },
	{ "insights", "min_samples", SR_CONF_NUMBER, R(min_samples), NULL,
	    "fewer samples: no finding", 0, NULL },
	{ "insights", "factor", SR_CONF_NUMBER, R(factor), NULL,
	    "relative change against the baseline", SR_CONF_RULE_OPTIONAL,
	    NULL },
	{ "insights", "min_change", SR_CONF_CHANGE, R(min_change), NULL,
	    "absolute change floor", SR_CONF_RULE_OPTIONAL, NULL },
	{ NULL, NULL, SR_CONF_STRING, 0, NULL, NULL, 0, NULL },
};

/* [action NAME]; the default of each is set when the section opens. */
const struct sr_config_key sr_config_action_keys[] = {
	{ "action", "on", SR_CONF_ON, A(on), "fire",
	    "run on fire and/or resolve", 0, NULL },
	{ "action", "command", SR_CONF_STRING, A(command), NULL,
	    "run this with /bin/sh -c", 0, NULL },
	{ "action", "webhook", SR_CONF_URL, A(webhook), NULL,
	    "POST the insight as JSON to this URL", 0, NULL },
	{ "action", "timeout", SR_CONF_DURATION, A(timeout_ms), "5s",
	    "give up on a run after this long", 0, NULL },
	{ "action", "retries", SR_CONF_RETRIES, A(retries), "3",
	    "webhook retries, with exponential backoff", 0, NULL },
	{ "action", "rate_limit", SR_CONF_RATE, A(rate_limit), NULL,
	    "at most N runs per period (N/period, e.g. 10/h)", 0, NULL },
	{ "action", "severity", SR_CONF_SEVERITY, A(min_severity), "warning",
	    "the least severity that triggers it", 0, NULL },
	{ "action", "match", SR_CONF_GLOB, A(match), "*",
	    "a glob on the insight id (rule:subject)", 0, NULL },
	{ NULL, NULL, SR_CONF_STRING, 0, NULL, NULL, 0, NULL },
};

/* [source NAME] */
const struct sr_config_key sr_config_source_keys[] = {
	{ "source", "spec", SR_CONF_STRING,
	    offsetof(struct sr_config_source, spec), "",
	    "the source, as --source on the command line", 0, NULL },
	{ NULL, NULL, SR_CONF_STRING, 0, NULL, NULL, 0, NULL },
};

#undef G
#undef R
#undef A

/* ---- typed values ---- */

static void
set_s(char **dst, const char *v)
{
	free(*dst);
	*dst = *v ? sr_xstrdup(v) : NULL;
}

/* Is this rule field's number written as a duration for rule flags? */
static int
conf_as_duration(enum sr_config_type t, unsigned rule_flags)
{
	return (t == SR_CONF_LEVEL && (rule_flags & SR_RULE_DURATION_LEVELS)) ||
	    (t == SR_CONF_CHANGE && (rule_flags & SR_RULE_CHANGE_DURATION));
}

/* Parse v into the field at base + k->off; 0 or -1 with err set. */
static int
conf_parse(const struct sr_config_key *k, unsigned rule_flags, void *base,
    const char *v, struct sr_err *err)
{
	char *p = (char *)base + k->off;
	int64_t n = 0;

	switch (k->type) {
	case SR_CONF_STRING:
		set_s((char **)(void *)p, v);
		return 0;
	case SR_CONF_GLOB:
		set_s((char **)(void *)p, *v ? v : "*");
		return 0;
	case SR_CONF_URL:
		if (*v == '\0') { /* unset, as for a string */
			set_s((char **)(void *)p, v);
			return 0;
		}
		if (strncmp(v, "http://", 7) != 0 &&
		    strncmp(v, "https://", 8) != 0)
			return sr_err_set(err, "not an http(s) URL");
		set_s((char **)(void *)p, v);
		return 0;
	case SR_CONF_BOOL:
		return sr_config_parse_bool(v, (int *)(void *)p, err);
	case SR_CONF_DURATION:
		return parse_dur(v, (int64_t *)(void *)p, err);
	case SR_CONF_TICK:
		if (parse_dur(v, &n, err) < 0)
			return -1;
		if (n < 10)
			return sr_err_set(err, "below 10ms");
		*(int64_t *)(void *)p = n;
		return 0;
	case SR_CONF_COUNT:
		return parse_int(v, 0, INT64_MAX, (int64_t *)(void *)p, err);
	case SR_CONF_LIMIT:
		return parse_int(v, 1, 1000000, (int64_t *)(void *)p, err);
	case SR_CONF_RETRIES:
		if (parse_int(v, 0, 20, &n, err) < 0)
			return -1;
		*(int *)(void *)p = (int)n;
		return 0;
	case SR_CONF_NUMBER:
	case SR_CONF_LEVEL:
	case SR_CONF_CHANGE:
		if (conf_as_duration(k->type, rule_flags)) {
			if (parse_dur(v, &n, err) < 0)
				return -1;
			*(double *)(void *)p = (double)n;
			return 0;
		}
		return parse_num(v, (double *)(void *)p, err);
	case SR_CONF_ON: {
		char buf[64], *t, *save = NULL;
		unsigned on = 0;

		if (strlen(v) >= sizeof(buf))
			return sr_err_set(err, "too long");
		memcpy(buf, v, strlen(v) + 1);
		for (t = strtok_r(buf, ", ", &save); t != NULL;
		     t = strtok_r(NULL, ", ", &save)) {
			if (strcmp(t, "fire") == 0)
				on |= SR_ACTION_ON_FIRE;
			else if (strcmp(t, "resolve") == 0)
				on |= SR_ACTION_ON_RESOLVE;
			else
				return sr_err_set(err,
				    "expected fire and/or resolve");
		}
		*(unsigned *)(void *)p = on;
		return 0;
	}
	case SR_CONF_RATE: {
		struct sr_config_action *a = base;

		if (*v == '\0') {
			a->rate_limit = 0;
			a->rate_per_ms = 0;
			return 0;
		}
		return sr_config_parse_rate(v, &a->rate_limit, &a->rate_per_ms,
		    err);
	}
	case SR_CONF_SEVERITY: {
		int sev = sr_severity_parse(v);

		if (sev < 0)
			return sr_err_set(err,
			    "expected info, warning or critical");
		*(int *)(void *)p = sev;
		return 0;
	}
	}
	SR_BUG("unknown config type");
}

/* A duration in the largest exact unit: "0s", "90s", "5m", "250ms". */
static void
conf_fmt_dur(struct sr_buf *b, int64_t ms)
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
		sr_buf_adds(b, "0s");
		return;
	}
	for (size_t i = 0; i < 4; i++)
		if (ms % units[i].ms == 0) {
			sr_buf_addf(b, "%lld%s", (long long)(ms / units[i].ms),
			    units[i].u);
			return;
		}
	sr_buf_addf(b, "%lldms", (long long)ms);
}

/* The field at base + k->off as config text, appended to b. */
static void
conf_format(const struct sr_config_key *k, unsigned rule_flags,
    const void *base, struct sr_buf *b)
{
	const char *p = (const char *)base + k->off;

	switch (k->type) {
	case SR_CONF_STRING:
	case SR_CONF_GLOB:
	case SR_CONF_URL: {
		const char *s = *(char *const *)(const void *)p;

		sr_buf_adds(b, s ? s : "");
		return;
	}
	case SR_CONF_BOOL:
		sr_buf_adds(b, *(const int *)(const void *)p ? "yes" : "no");
		return;
	case SR_CONF_DURATION:
	case SR_CONF_TICK:
		conf_fmt_dur(b, *(const int64_t *)(const void *)p);
		return;
	case SR_CONF_COUNT:
	case SR_CONF_LIMIT:
		sr_buf_addf(b, "%lld",
		    (long long)*(const int64_t *)(const void *)p);
		return;
	case SR_CONF_RETRIES:
		sr_buf_addf(b, "%d", *(const int *)(const void *)p);
		return;
	case SR_CONF_NUMBER:
	case SR_CONF_LEVEL:
	case SR_CONF_CHANGE: {
		double v = *(const double *)(const void *)p;

		if (conf_as_duration(k->type, rule_flags))
			conf_fmt_dur(b, (int64_t)v);
		else
			sr_buf_addf(b, "%.10g", v);
		return;
	}
	case SR_CONF_ON: {
		unsigned on = *(const unsigned *)(const void *)p;

		sr_buf_addf(b, "%s%s%s", (on & SR_ACTION_ON_FIRE) ? "fire" : "",
		    on == (SR_ACTION_ON_FIRE | SR_ACTION_ON_RESOLVE) ? "," : "",
		    (on & SR_ACTION_ON_RESOLVE) ? "resolve" : "");
		return;
	}
	case SR_CONF_RATE: {
		const struct sr_config_action *a = base;

		if (a->rate_limit > 0)
			sr_buf_addf(b, "%d/%llds", a->rate_limit,
			    (long long)(a->rate_per_ms / 1000));
		return;
	}
	case SR_CONF_SEVERITY:
		sr_buf_adds(b,
		    sr_severity_name(
			(enum sr_severity) * (const int *)(const void *)p));
		return;
	}
	SR_BUG("unknown config type");
}

/* Set every row of a table from its default text. */
static void
conf_defaults(const struct sr_config_key *t, void *base)
{
	struct sr_err err;

	for (; t->name != NULL; t++)
		if (t->def != NULL && !(t->flags & SR_CONF_ALIAS) &&
		    conf_parse(t, 0, base, t->def, &err) < 0)
			SR_BUG("bad default in a config table");
}

/* The row of [sec] key in t, or -1; an alias gives its first spelling. */
static int
conf_find(const struct sr_config_key *t, const char *sec, const char *key)
{
	for (int i = 0; t[i].name != NULL; i++) {
		if ((sec != NULL && strcmp(t[i].section, sec) != 0) ||
		    strcmp(t[i].name, key) != 0)
			continue;
		if (t[i].flags & SR_CONF_ALIAS)
			for (int j = 0; t[j].name != NULL; j++)
				if (t[j].off == t[i].off &&
				    !(t[j].flags & SR_CONF_ALIAS))
					return j;
		return i;
	}
	return -1;
}

static int
conf_has_section(const char *sec)
{
	for (const struct sr_config_key *k = sr_config_keys; k->name; k++)
		if (strcmp(k->section, sec) == 0)
			return 1;
	return 0;
}

void
sr_config_init(struct sr_config *c)
{
	size_t nk = 0;

	memset(c, 0, sizeof(*c));
	while (sr_config_keys[nk].name != NULL)
		nk++;
	if (nk > SR_CONFIG_KEYS_MAX)
		SR_BUG("too many config keys for SR_CONFIG_KEYS_MAX");
	conf_defaults(sr_config_keys, c);
	c->n_rules = sr_rules_count();
	if (c->n_rules > SR_CONFIG_RULES_MAX)
		SR_BUG("too many rules for SR_CONFIG_RULES_MAX");
	for (size_t i = 0; i < c->n_rules; i++)
		c->rules[i] = sr_rules[i]->defaults;
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

/*
 * inih's line reader: one line a call, counted.  A line that does not fit
 * inih's buffer would reach inih cut in two (the tail read as a line of
 * its own): it stops the parse with an error naming the line instead.
 */
static char *
cfg_reader(char *buf, int size, void *stream)
{
	struct cfg_ctx *x = stream;
	char *r = fgets(buf, size, x->fp);
	size_t n;
	int ch;

	if (r == NULL)
		return NULL;
	x->line++;
	n = strlen(buf);
	if (n == 0 || buf[n - 1] == '\n')
		return r;
	if ((ch = fgetc(x->fp)) == '\n' || ch == EOF)
		return r; /* the line just fits */
	x->failed = 1;
	(void)sr_err_set(&x->err,
	    "%s:%d: line longer than %d characters (the limit of the "
	    "config reader)",
	    x->file, x->line, SR_CONFIG_LINE_MAX);
	return NULL;
}

int
sr_config_rule_has(size_t rule, const struct sr_config_key *f)
{
	return !(f->flags & SR_CONF_RULE_OPTIONAL) ||
	    sr_rule_reads(sr_rules[rule], f->name);
}

/* "rule 'cpu' does not read 'window' (error_rate, latency do)" */
static int
rule_unread(size_t rule, const struct sr_config_key *f, struct sr_err *err)
{
	struct sr_buf b;
	int r;

	sr_buf_init(&b);
	for (size_t i = 0; i < sr_rules_count(); i++)
		if (sr_config_rule_has(i, f))
			sr_buf_addf(&b, "%s%s", b.len ? ", " : "",
			    sr_rules[i]->id);
	r = sr_err_set(err, "rule '%s' does not read '%s' (%s %s)",
	    sr_rules[rule]->id, f->name, b.len ? b.data : "no rule",
	    b.len ? "do" : "does");
	sr_buf_release(&b);
	return r;
}

/* Set one rule field; 1 handled, 0 unknown key, -1 bad value. */
static int
rule_param(struct sr_config *c, size_t rule, const char *key, const char *v,
    struct sr_config_origin o, struct sr_err *err)
{
	int f = conf_find(sr_config_rule_fields, NULL, key);

	if (f < 0)
		return 0;
	if (!sr_config_rule_has(rule, &sr_config_rule_fields[f]))
		return rule_unread(rule, &sr_config_rule_fields[f], err);
	if (conf_parse(&sr_config_rule_fields[f], sr_rules[rule]->flags,
		&c->rules[rule], v, err) < 0)
		return -1;
	c->rule_origin[rule][f] = o;
	return 1;
}

static struct sr_config_action *
cfg_action(struct sr_config *c, const char *name, int line, struct sr_err *err)
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
	a->line = line;
	conf_defaults(sr_config_action_keys, a);
	return a;
}

/* One key of [sec]: 1 handled, 0 unknown key, -1 bad value. */
static int
cfg_key(struct sr_config *c, const char *sec, const char *k, const char *v,
    struct sr_config_origin o, struct sr_err *err)
{
	int i;

	if ((i = conf_find(sr_config_keys, sec, k)) >= 0) {
		if (conf_parse(&sr_config_keys[i], 0, c, v, err) < 0)
			return -1;
		c->key_origin[i] = o;
		return 1;
	}
	if (strcmp(sec, "insights") == 0) {
		/* RULE_FIELD: every rule id that prefixes the key */
		for (size_t r = 0; r < c->n_rules; r++) {
			size_t l = strlen(sr_rules[r]->id);
			int got;

			if (strncmp(k, sr_rules[r]->id, l) != 0 || k[l] != '_')
				continue;
			if ((got = rule_param(c, r, k + l + 1, v, o, err)) != 0)
				return got;
		}
		return 0;
	}
	if (conf_has_section(sec))
		return 0;
	if (strncmp(sec, "rule ", 5) == 0) {
		int r = sr_rule_index(sec + 5);

		if (r < 0)
			return sr_err_set(err, "unknown rule '%s'", sec + 5);
		return rule_param(c, (size_t)r, k, v, o, err);
	}
	if (strncmp(sec, "action ", 7) == 0) {
		struct sr_config_action *a =
		    cfg_action(c, sec + 7, o.line, err);

		if (a == NULL)
			return -1;
		if ((i = conf_find(sr_config_action_keys, NULL, k)) < 0)
			return 0;
		return conf_parse(&sr_config_action_keys[i], 0, a, v, err) < 0
		    ? -1
		    : 1;
	}
	if (strncmp(sec, "source ", 7) == 0) {
		struct sr_config_source *s = NULL;

		if ((i = conf_find(sr_config_source_keys, NULL, k)) < 0)
			return 0;
		for (size_t j = 0; j < c->n_sources; j++)
			if (strcmp(c->sources[j].name, sec + 7) == 0)
				s = &c->sources[j];
		if (s == NULL) {
			if (c->n_sources == SR_CONFIG_SOURCES_MAX)
				return sr_err_set(err, "too many sources");
			s = &c->sources[c->n_sources++];
			s->name = sr_xstrdup(sec + 7);
			s->spec = NULL;
		}
		s->line = o.line;
		return conf_parse(&sr_config_source_keys[i], 0, s, v, err) < 0
		    ? -1
		    : 1;
	}
	return sr_err_set(err, "unknown section [%s]", sec);
}

/* The error of a failed cfg_key() as "PREFIX..." in out. */
static void
cfg_error(int r, const char *where, const char *sec, const char *k,
    const char *v, const struct sr_err *e, struct sr_err *out)
{
	if (r == 0)
		sr_err_set(out, "%sunknown key '%s' in [%s]", where, k, sec);
	else if (strncmp(e->msg, "unknown section", 15) == 0 ||
	    strncmp(e->msg, "unknown rule", 12) == 0)
		sr_err_set(out, "%s%s", where, e->msg);
	else if (strncmp(e->msg, "rule '", 6) == 0)
		sr_err_set(out, "%skey '%s' in [%s]: %s", where, k, sec,
		    e->msg);
	else
		sr_err_set(out, "%sbad value '%s' for '%s' in [%s]: %s", where,
		    v, k, sec, e->msg);
}

static int
cfg_handler(void *user, const char *sec, const char *k, const char *v)
{
	struct cfg_ctx *x = user;
	struct sr_config_origin o = { .line = x->line, .note = NULL };
	struct sr_err e;
	char where[300];
	int r;

	if (x->failed)
		return 0;
	r = cfg_key(x->c, sec, k, v, o, &e);
	if (r == 1)
		return 1;
	(void)snprintf(where, sizeof(where), "%s:%d: ", x->file, x->line);
	cfg_error(r, where, sec, k, v, &e, &x->err);
	x->failed = 1;
	return 0;
}

int
sr_config_set(struct sr_config *c, const char *section, const char *key,
    const char *value, const char *origin, struct sr_err *err)
{
	struct sr_config_origin o = { .line = 0, .note = origin };
	struct sr_err e;
	int r = cfg_key(c, section, key, value, o, &e);

	if (r == 1)
		return 0;
	cfg_error(r, "", section, key, value, &e, err);
	return -1;
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

/* Read fp (closed here) as the file named path over c; 0 or -1. */
static int
cfg_load_stream(struct sr_config *c, FILE *fp, const char *path,
    struct sr_err *err)
{
	struct cfg_ctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.file = path;
	x.fp = fp;
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

int
sr_config_load_file(struct sr_config *c, const char *path, struct sr_err *err)
{
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return sr_err_set(err, "cannot read '%s': %s", path,
		    strerror(errno));
	return cfg_load_stream(c, fp, path, err);
}

int
sr_config_load_mem(struct sr_config *c, const char *name, const char *text,
    size_t len, struct sr_err *err)
{
	/* fmemopen() only reads the buffer ("r"); it wants a void *. */
	FILE *fp = len > 0 ? fmemopen((void *)(uintptr_t)text, len, "r")
			   : fopen("/dev/null", "r");

	if (fp == NULL)
		return sr_err_set(err, "cannot read '%s': %s", name,
		    strerror(errno));
	return cfg_load_stream(c, fp, name, err);
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

struct each {
	const struct sr_config *c;
	sr_config_each_fn *fn;
	void *ctx;
	struct sr_buf val;
	struct sr_buf from;
};

/* One setting to the callback. */
static void
each_one(struct each *e, const char *sec, const char *key,
    const struct sr_config_key *k, unsigned rule_flags, const void *base,
    struct sr_config_origin o)
{
	sr_buf_reset(&e->val);
	sr_buf_reset(&e->from);
	conf_format(k, rule_flags, base, &e->val);
	if (o.note != NULL)
		sr_buf_adds(&e->from, o.note);
	else if (o.line > 0)
		sr_buf_addf(&e->from, "file:%s:%d",
		    e->c->path ? e->c->path : "?", o.line);
	else
		sr_buf_adds(&e->from, "default");
	e->fn(e->ctx, sec, key, e->val.len ? e->val.data : "",
	    e->from.data ? e->from.data : "");
}

/* The plain keys of one section, in table order. */
static void
each_section(struct each *e, const char *sec)
{
	for (int i = 0; sr_config_keys[i].name != NULL; i++) {
		const struct sr_config_key *k = &sr_config_keys[i];

		if (strcmp(k->section, sec) == 0 && !(k->flags & SR_CONF_ALIAS))
			each_one(e, sec, k->name, k, 0, e->c,
			    e->c->key_origin[i]);
	}
}

void
sr_config_each(const struct sr_config *c, sr_config_each_fn *fn, void *ctx)
{
	struct each e = { .c = c, .fn = fn, .ctx = ctx };
	struct sr_config_origin file = { 0, NULL };
	char key[96], sec[80];

	sr_buf_init(&e.val);
	sr_buf_init(&e.from);
	each_section(&e, "general");
	each_section(&e, "store");
	each_section(&e, "insights");
	for (size_t i = 0; i < c->n_rules; i++)
		for (int f = 0; sr_config_rule_fields[f].name != NULL; f++) {
			if (!sr_config_rule_has(i, &sr_config_rule_fields[f]))
				continue;
			(void)snprintf(key, sizeof(key), "%s_%s",
			    sr_rules[i]->id, sr_config_rule_fields[f].name);
			each_one(&e, "insights", key, &sr_config_rule_fields[f],
			    sr_rules[i]->flags, &c->rules[i],
			    c->rule_origin[i][f]);
		}
	for (size_t i = 0; i < c->n_actions; i++) {
		const struct sr_config_action *a = &c->actions[i];

		file.line = a->line;
		(void)snprintf(sec, sizeof(sec), "action %s", a->name);
		for (int k = 0; sr_config_action_keys[k].name != NULL; k++) {
			const struct sr_config_key *r =
			    &sr_config_action_keys[k];

			/* the unset one of command / webhook, no rate limit */
			if ((r->off ==
				    offsetof(struct sr_config_action,
					command) &&
				a->command == NULL) ||
			    (r->off ==
				    offsetof(struct sr_config_action,
					webhook) &&
				a->webhook == NULL) ||
			    (r->type == SR_CONF_RATE && a->rate_limit <= 0))
				continue;
			each_one(&e, sec, r->name, r, 0, a, file);
		}
	}
	for (size_t i = 0; i < c->n_sources; i++) {
		file.line = c->sources[i].line;
		(void)snprintf(sec, sizeof(sec), "source %s",
		    c->sources[i].name);
		each_one(&e, sec, "spec", &sr_config_source_keys[0], 0,
		    &c->sources[i], file);
	}
	each_section(&e, "limits");
	each_section(&e, "tui");
	each_section(&e, "layout");
	each_section(&e, "serve");
	each_section(&e, "limits");
	each_section(&e, "otlp");
	sr_buf_release(&e.val);
	sr_buf_release(&e.from);
}

const char *
sr_config_eq(const char *key, const char *value)
{
	size_t n = strlen(key) + strlen(value);

	if (n + 3 > SR_CONFIG_LINE_MAX)
		return "="; /* "k=;v" reads back too: no space before ';' */
	return value[0] == ';' ? " =" : " = ";
}

struct dump {
	struct sr_buf *b;
	char sec[80];
};

static void
dump_one(void *ctx, const char *sec, const char *key, const char *value,
    const char *origin)
{
	struct dump *d = ctx;

	(void)origin;
	if (strcmp(d->sec, sec) != 0) {
		sr_buf_addf(d->b, "%s[%s]\n", d->sec[0] ? "\n" : "", sec);
		(void)snprintf(d->sec, sizeof(d->sec), "%s", sec);
	}
	sr_buf_addf(d->b, "%s%s%s\n", key, sr_config_eq(key, value), value);
}

void
sr_config_dump(const struct sr_config *c, struct sr_buf *b)
{
	struct dump d = { .b = b, .sec = "" };

	sr_config_each(c, dump_one, &d);
}

#ifndef SR_INIH_VERSION
#define SR_INIH_VERSION "unknown"
#endif

char *
sr_config_lib_version(void)
{
	return sr_lib_version("inih", NULL, SR_INIH_VERSION);
}
