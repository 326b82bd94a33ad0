/* SPDX-License-Identifier: MIT */
/*
 * parse_fmt: the declared formats of the line parser (see parse.h and
 * parse_int.h).  The format table (names, aliases, an example line of
 * each, for `sitrep formats` and the man page); the templates, nginx
 * log_format or Apache LogFormat syntax, compiled once into a plan of
 * literal text and fields that a line is matched against; the presets
 * built on templates (common, vhost_combined, timed_combined, traefik);
 * syslog (RFC 3164 and 5424) and HAProxy's HTTP log, matched by hand.
 *
 * A line parser here cuts the parser's scratch copy of the line and
 * hands values over with parse_set()/parse_meta(); it never fails a line
 * that is in its format: a value that does not convert is kept in
 * metadata by parse.c.
 */
#include "core/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/parse_int.h"
#include "core/timeutil.h"

/* const: the format table, read-only for the program's life. */
static const struct sr_format_info fmt_list[] = {
	{ SR_FMT_AUTO, "auto", "",
	    "detect per line: JSON (OTLP, Caddy), combined and its variants, "
	    "HAProxy, syslog, logfmt",
	    "(any line below)" },
	{ SR_FMT_JSON, "json", "jsonl",
	    "one JSON object per line; nested objects are read by dotted path",
	    "{\"ts\":\"2026-12-04T10:15:32Z\",\"service\":\"api\","
	    "\"status\":200,\"latency_ms\":12.5,"
	    "\"usage\":{\"prompt_tokens\":812}}" },
	{ SR_FMT_LOGFMT, "logfmt", "",
	    "key=value pairs (Go kit, logrus, Heroku)",
	    "t=2026-12-04T10:15:32Z lvl=error msg=\"upstream timeout\" "
	    "path=/api duration=1.2s" },
	{ SR_FMT_COMBINED, "combined", "clf",
	    "nginx/Apache combined (or common) access log; a trailing "
	    "fraction is $request_time (s), key=value pairs and durations "
	    "with a unit are read, a bare whole number is not",
	    "127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] \"GET /a HTTP/1.1\" "
	    "200 512 \"-\" \"curl/8.5.0\"" },
	{ SR_FMT_COMMON, "common", "", "Apache %h %l %u %t \"%r\" %>s %b",
	    "127.0.0.1 - frank [04/Dec/2026:10:15:32 +0000] "
	    "\"GET /apache_pb.gif HTTP/1.0\" 200 2326" },
	{ SR_FMT_VHOST_COMBINED, "vhost_combined", "",
	    "Apache %v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" "
	    "\"%{User-Agent}i\"; the virtual host is the service",
	    "www.example.com:80 127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] "
	    "\"GET / HTTP/1.1\" 200 3477 \"-\" \"curl/7.88.1\"" },
	{ SR_FMT_TIMED_COMBINED, "timed_combined", "nginx_timed",
	    "nginx combined + $request_time $upstream_response_time $pipe "
	    "(the last ones may be missing)",
	    "127.0.0.1 - - [04/Dec/2026:10:15:32 +0000] \"GET /a HTTP/1.1\" "
	    "200 512 \"-\" \"curl/8.5.0\" 0.012 0.010 ." },
	{ SR_FMT_TRAEFIK, "traefik", "",
	    "Traefik's CLF access log: combined + request count, router, "
	    "backend URL, duration",
	    "10.0.0.7 - - [04/Dec/2026:10:15:32 +0000] \"GET /v1/models "
	    "HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\" 17 \"api@docker\" "
	    "\"http://172.18.0.5:8000\" 3ms" },
	{ SR_FMT_HAPROXY, "haproxy", "",
	    "HAProxy's HTTP log (option httplog), with or without a syslog "
	    "header; the latency is Ta (Tt), the service the backend",
	    "haproxy[14389]: 10.0.1.2:33317 [04/Dec/2026:10:15:32.655] "
	    "http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 "
	    "0/0 \"GET /index.html HTTP/1.1\"" },
	{ SR_FMT_CADDY, "caddy", "",
	    "Caddy's JSON access log: duration in float seconds, "
	    "request.uri, request.method",
	    "{\"level\":\"info\",\"ts\":1796379332.5,\"logger\":"
	    "\"http.log.access\",\"msg\":\"handled request\",\"request\":"
	    "{\"method\":\"GET\",\"uri\":\"/a?b=1\"},\"duration\":0.0012,"
	    "\"status\":200}" },
	{ SR_FMT_ECS, "ecs", "",
	    "Elastic Common Schema JSON: @timestamp, log.level, service.name, "
	    "url.path, http.response.status_code, event.duration (ns)",
	    "{\"@timestamp\":\"2026-12-04T10:15:32.000Z\",\"log.level\":"
	    "\"error\",\"service\":{\"name\":\"shop\"},\"http\":{\"response\":"
	    "{\"status_code\":503}},\"event\":{\"duration\":12500000}}" },
	{ SR_FMT_SYSLOG, "syslog", "rfc3164 rfc5424",
	    "syslog, RFC 3164 (BSD, or with an RFC 3339 time) and RFC 5424; "
	    "the tag is the service, PRI severity 0-3 an error; a time "
	    "without a year or zone is taken as UTC this year",
	    "<11>Dec  4 10:15:32 web1 sshd[812]: error: maximum "
	    "authentication attempts exceeded" },
	{ SR_FMT_JOURNALD, "journald", "journal",
	    "journalctl -o json: MESSAGE (text or bytes), _SYSTEMD_USER_UNIT "
	    "or _SYSTEMD_UNIT, PRIORITY, __REALTIME_TIMESTAMP",
	    "{\"__REALTIME_TIMESTAMP\":\"1796379332000000\",\"PRIORITY\":"
	    "\"3\",\"_SYSTEMD_UNIT\":\"api.service\",\"MESSAGE\":\"db down\"}" },
	{ SR_FMT_OTLP, "otlp", "otlp_json",
	    "OpenTelemetry logs as JSON lines (the Collector's file "
	    "exporter): one event per log record",
	    "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":"
	    "\"service.name\",\"value\":{\"stringValue\":\"chat-api\"}}]},"
	    "\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":"
	    "\"1796379332000000000\",\"severityNumber\":17,\"severityText\":"
	    "\"ERROR\",\"body\":{\"stringValue\":\"model overloaded\"}}]}]}]}" },
	{ SR_FMT_NGINX, "nginx:'TEMPLATE'", "",
	    "an nginx log_format: $remote_addr $remote_user $time_local "
	    "$time_iso8601 $msec $request $status $body_bytes_sent "
	    "$http_referer $http_user_agent $request_time "
	    "$upstream_response_time $host ...; other variables go to "
	    "metadata",
	    "nginx:'$remote_addr [$time_local] \"$request\" $status "
	    "$request_time' reads: 127.0.0.1 [04/Dec/2026:10:15:32 +0000] "
	    "\"GET / HTTP/1.1\" 200 0.004" },
	{ SR_FMT_APACHE, "apache:'TEMPLATE'", "",
	    "an Apache LogFormat: %h %l %u %t \"%r\" %>s %b %O %D %T "
	    "%{ms}T %v %p %{Referer}i %{User-Agent}i %m %U %q %H ...",
	    "apache:'%h %l %u %t \"%r\" %>s %b %D' reads: 127.0.0.1 - - "
	    "[04/Dec/2026:10:15:32 +0000] \"GET / HTTP/1.1\" 200 45 5123" },
};

const struct sr_format_info *
sr_format_list(size_t *n)
{
	*n = sizeof fmt_list / sizeof fmt_list[0];
	return fmt_list;
}

const char *
sr_format_name(enum sr_format fmt)
{
	static const char *const names[SR_FMT__COUNT] = {
		[SR_FMT_AUTO] = "auto",
		[SR_FMT_JSON] = "json",
		[SR_FMT_LOGFMT] = "logfmt",
		[SR_FMT_COMBINED] = "combined",
		[SR_FMT_COMMON] = "common",
		[SR_FMT_VHOST_COMBINED] = "vhost_combined",
		[SR_FMT_TIMED_COMBINED] = "timed_combined",
		[SR_FMT_TRAEFIK] = "traefik",
		[SR_FMT_HAPROXY] = "haproxy",
		[SR_FMT_CADDY] = "caddy",
		[SR_FMT_ECS] = "ecs",
		[SR_FMT_SYSLOG] = "syslog",
		[SR_FMT_JOURNALD] = "journald",
		[SR_FMT_OTLP] = "otlp",
		[SR_FMT_NGINX] = "nginx",
		[SR_FMT_APACHE] = "apache",
	};

	if ((unsigned)fmt >= SR_FMT__COUNT)
		return "auto";
	return names[fmt];
}

/* 1 when the space-separated list holds word. */
static int
fmt_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	while (*list != '\0') {
		size_t k = strcspn(list, " ");

		if (k == n && strncmp(list, word, n) == 0)
			return 1;
		list += k;
		list += strspn(list, " ");
	}
	return 0;
}

int
sr_format_parse(const char *s, enum sr_format *fmt)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof fmt_list / sizeof fmt_list[0]; i++) {
		const struct sr_format_info *f = &fmt_list[i];

		if (f->fmt == SR_FMT_NGINX || f->fmt == SR_FMT_APACHE)
			continue;
		if (strcmp(s, f->name) == 0 || fmt_word_in(f->aliases, s)) {
			*fmt = f->fmt;
			return 0;
		}
	}
	return -1;
}

int
sr_format_spec_parse(const char *s, struct sr_format_spec *out,
    struct sr_err *err)
{
	const char *t = NULL;
	struct parse_plan *pl;
	size_t n;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return sr_err_set(err, "missing format");
	if (strncmp(s, "nginx:", 6) == 0) {
		out->fmt = SR_FMT_NGINX;
		t = s + 6;
	} else if (strncmp(s, "apache:", 7) == 0) {
		out->fmt = SR_FMT_APACHE;
		t = s + 7;
	} else if (sr_format_parse(s, &out->fmt) == 0) {
		return 0;
	} else {
		return sr_err_set(err,
		    "unknown format '%s' (see sitrep formats: auto, json, "
		    "logfmt, combined, common, vhost_combined, "
		    "timed_combined, traefik, haproxy, caddy, ecs, syslog, "
		    "journald, otlp, nginx:'...', apache:'...')",
		    s);
	}
	n = strlen(t);
	if (n >= 2 && (t[0] == '\'' || t[0] == '"') && t[n - 1] == t[0]) {
		t++;
		n -= 2;
	}
	if (n == 0)
		return sr_err_set(err, "empty %s template",
		    sr_format_name(out->fmt));
	if (n >= sizeof out->tmpl)
		return sr_err_set(err, "%s template is over %zu bytes",
		    sr_format_name(out->fmt), sizeof out->tmpl - 1);
	memcpy(out->tmpl, t, n);
	out->tmpl[n] = '\0';
	pl = parse_plan_compile(out->tmpl, out->fmt == SR_FMT_APACHE, err);
	if (pl == NULL)
		return sr_err_prefix(err, "%s template",
		    sr_format_name(out->fmt));
	parse_plan_free(pl);
	return 0;
}

/* ---- templates ---- */

enum pf_kind {
	PF_LIT,
	PF_IP,
	PF_IDENT,
	PF_USER,
	PF_TIME_CLF,
	PF_TIME_ISO, /* ISO 8601, or epoch s/ms/us as text */
	PF_REQUEST,
	PF_METHOD,
	PF_URI, /* path and query */
	PF_PATH,
	PF_QUERY,
	PF_PROTO,
	PF_STATUS,
	PF_BYTES,
	PF_REFERER,
	PF_AGENT,
	PF_LAT_S,
	PF_LAT_MS,
	PF_LAT_US,
	PF_DURATION, /* with its unit */
	PF_VHOST,
	PF_META, /* any other: kept under its name */
};

struct pf_step {
	unsigned char kind; /* enum pf_kind */
	char *text;	    /* PF_LIT: the text; PF_META: the key */
	size_t len;
};

struct parse_plan {
	struct pf_step *steps;
	size_t n, cap;
};

static void
plan_add(struct parse_plan *pl, enum pf_kind kind, const char *text, size_t len)
{
	struct pf_step *st;

	if (kind == PF_LIT && pl->n > 0 &&
	    pl->steps[pl->n - 1].kind == PF_LIT) {
		/* merge adjacent literal text */
		st = &pl->steps[pl->n - 1];
		st->text = sr_xrealloc(st->text, st->len + len + 1);
		memcpy(st->text + st->len, text, len);
		st->len += len;
		st->text[st->len] = '\0';
		return;
	}
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 16;
		pl->steps = sr_xrealloc(pl->steps, pl->cap * sizeof *pl->steps);
	}
	st = &pl->steps[pl->n++];
	st->kind = (unsigned char)kind;
	st->text = text != NULL ? sr_xstrndup(text, len) : NULL;
	st->len = len;
}

void
parse_plan_free(struct parse_plan *pl)
{
	if (pl == NULL)
		return;
	for (size_t i = 0; i < pl->n; i++)
		free(pl->steps[i].text);
	free(pl->steps);
	free(pl);
}

/* What an nginx variable is. */
static enum pf_kind
plan_nginx_var(const char *v, size_t n)
{
	static const struct {
		const char *name;
		enum pf_kind kind;
	} vars[] = {
		{ "remote_addr", PF_IP }, { "realip_remote_addr", PF_IP },
		{ "remote_user", PF_USER }, { "time_local", PF_TIME_CLF },
		{ "time_iso8601", PF_TIME_ISO }, { "msec", PF_TIME_ISO },
		{ "request", PF_REQUEST }, { "request_method", PF_METHOD },
		{ "request_uri", PF_URI }, { "uri", PF_PATH },
		{ "document_uri", PF_PATH }, { "args", PF_QUERY },
		{ "query_string", PF_QUERY }, { "server_protocol", PF_PROTO },
		{ "status", PF_STATUS }, { "body_bytes_sent", PF_BYTES },
		{ "bytes_sent", PF_BYTES }, { "http_referer", PF_REFERER },
		{ "http_user_agent", PF_AGENT }, { "request_time", PF_LAT_S },
		{ "host", PF_VHOST }, { "server_name", PF_VHOST },
		{ "http_host", PF_VHOST },
		{ "duration", PF_DURATION }, /* sitrep's: Traefik's "3ms" */
	};

	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if (strlen(vars[i].name) == n &&
		    memcmp(vars[i].name, v, n) == 0)
			return vars[i].kind;
	return PF_META;
}

static int
plan_is_var_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
plan_nginx(struct parse_plan *pl, const char *t, struct sr_err *err)
{
	while (*t != '\0') {
		const char *v;
		size_t n;

		if (*t != '$') {
			plan_add(pl, PF_LIT, t, 1);
			t++;
			continue;
		}
		t++;
		if (*t == '{') {
			v = ++t;
			while (plan_is_var_char(*t))
				t++;
			if (*t != '}')
				return sr_err_set(err,
				    "'${' without its '}' at '%.20s'", v - 2);
			n = (size_t)(t - v);
			t++;
		} else {
			v = t;
			while (plan_is_var_char(*t))
				t++;
			n = (size_t)(t - v);
		}
		if (n == 0)
			return sr_err_set(err, "a '$' without a variable name");
		plan_add(pl, plan_nginx_var(v, n), v, n);
	}
	return 0;
}

/* The Apache directives without an argument of their own; const. */
static const struct {
	char d;
	unsigned char kind; /* enum pf_kind */
	const char *key;    /* PF_META: the metadata name */
} plan_apache_simple[] = {
	{ 'h', PF_IP, NULL },
	{ 'a', PF_IP, NULL },
	{ 'l', PF_IDENT, NULL },
	{ 'u', PF_USER, NULL },
	{ 'r', PF_REQUEST, NULL },
	{ 's', PF_STATUS, NULL },
	{ 'b', PF_BYTES, NULL },
	{ 'B', PF_BYTES, NULL },
	{ 'O', PF_BYTES, NULL },
	{ 'D', PF_LAT_US, NULL },
	{ 'v', PF_VHOST, NULL },
	{ 'V', PF_VHOST, NULL },
	{ 'm', PF_METHOD, NULL },
	{ 'U', PF_PATH, NULL },
	{ 'q', PF_QUERY, NULL },
	{ 'H', PF_PROTO, NULL },
	{ 'I', PF_META, "bytes_in" },
	{ 'p', PF_META, "port" },
	{ 'A', PF_META, "server_ip" },
	{ 'f', PF_META, "file" },
	{ 'P', PF_META, "pid" },
	{ 'k', PF_META, "keepalive" },
	{ 'L', PF_META, "log_id" },
	{ 'X', PF_META, "connection" },
	{ 'R', PF_META, "handler" },
};

/* Add an Apache directive %{arg}d to the plan; 0 or -1. */
static int
plan_apache_dir(struct parse_plan *pl, char d, const char *arg, size_t an,
    struct sr_err *err)
{
	char key[80];
	size_t i;

	for (i = 0; i < sizeof plan_apache_simple / sizeof *plan_apache_simple;
	     i++) {
		const char *k = plan_apache_simple[i].key;

		if (plan_apache_simple[i].d == d) {
			plan_add(pl, (enum pf_kind)plan_apache_simple[i].kind,
			    k, k != NULL ? strlen(k) : 0);
			return 0;
		}
	}
	switch (d) {
	case 't':
		if (arg == NULL) {
			plan_add(pl, PF_LIT, "[", 1);
			plan_add(pl, PF_TIME_CLF, NULL, 0);
			plan_add(pl, PF_LIT, "]", 1);
		} else if ((an == 3 && memcmp(arg, "sec", 3) == 0) ||
		    (an == 4 && memcmp(arg, "msec", 4) == 0) ||
		    (an == 4 && memcmp(arg, "usec", 4) == 0)) {
			plan_add(pl, PF_TIME_ISO, NULL, 0);
		} else if (an == 20 &&
		    memcmp(arg, "%d/%b/%Y:%H:%M:%S %z", 20) == 0) {
			plan_add(pl, PF_TIME_CLF, NULL, 0);
		} else {
			plan_add(pl, PF_META, "time", 4);
		}
		return 0;
	case 'T':
		if (arg == NULL || (an == 1 && *arg == 's'))
			plan_add(pl, PF_LAT_S, NULL, 0);
		else if (an == 2 && memcmp(arg, "ms", 2) == 0)
			plan_add(pl, PF_LAT_MS, NULL, 0);
		else if (an == 2 && memcmp(arg, "us", 2) == 0)
			plan_add(pl, PF_LAT_US, NULL, 0);
		else
			return sr_err_set(err, "%%{%.*s}T: want s, ms or us",
			    (int)an, arg);
		return 0;
	case 'i':
	case 'o':
	case 'C':
	case 'e':
	case 'n':
		if (arg == NULL || an == 0)
			return sr_err_set(err, "%%%c needs a {NAME}", d);
		if (d == 'i' && an == 7 &&
		    strncasecmp(arg, "referer", 7) == 0) {
			plan_add(pl, PF_REFERER, NULL, 0);
			return 0;
		}
		if (d == 'i' && an == 10 &&
		    strncasecmp(arg, "user-agent", 10) == 0) {
			plan_add(pl, PF_AGENT, NULL, 0);
			return 0;
		}
		/* the header's name, lower-case, '-' as '_' */
		for (i = 0; i < an && i < sizeof key - 1; i++) {
			char c = arg[i];

			key[i] = c == '-'	     ? '_'
			    : (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a')
						     : c;
		}
		key[i] = '\0';
		plan_add(pl, PF_META, key, i);
		return 0;
	default:
		return sr_err_set(err, "unknown directive %%%c", d);
	}
}

static int
plan_apache(struct parse_plan *pl, const char *t, struct sr_err *err)
{
	while (*t != '\0') {
		const char *arg = NULL;
		size_t an = 0;

		if (*t == '\\' && (t[1] == '"' || t[1] == '\\')) {
			plan_add(pl, PF_LIT, t + 1, 1); /* from a config file */
			t += 2;
			continue;
		}
		if (*t != '%') {
			plan_add(pl, PF_LIT, t, 1);
			t++;
			continue;
		}
		t++;
		if (*t == '%') {
			plan_add(pl, PF_LIT, "%", 1);
			t++;
			continue;
		}
		/* modifiers: %>s %<s %!200,304r %400,501{User-agent}i */
		while (*t == '<' || *t == '>' || *t == '!' || *t == ',' ||
		    (*t >= '0' && *t <= '9'))
			t++;
		if (*t == '{') {
			arg = ++t;
			while (*t != '\0' && *t != '}')
				t++;
			if (*t != '}')
				return sr_err_set(err, "'%%{' without its '}'");
			an = (size_t)(t - arg);
			t++;
		}
		if (*t == '\0')
			return sr_err_set(err, "a '%%' at the end");
		if (plan_apache_dir(pl, *t, arg, an, err) < 0)
			return -1;
		t++;
	}
	return 0;
}

struct parse_plan *
parse_plan_compile(const char *tmpl, int apache, struct sr_err *err)
{
	struct parse_plan *pl = sr_xcalloc(1, sizeof *pl);
	int fields = 0;

	if ((apache ? plan_apache(pl, tmpl, err) : plan_nginx(pl, tmpl, err)) <
	    0) {
		parse_plan_free(pl);
		return NULL;
	}
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->steps[i].kind == PF_LIT)
			continue;
		fields++;
		if (i + 1 < pl->n && pl->steps[i + 1].kind != PF_LIT) {
			sr_err_set(err,
			    "two fields with no text between them (field "
			    "%d): where one ends is unknown",
			    fields);
			parse_plan_free(pl);
			return NULL;
		}
	}
	if (fields == 0) {
		sr_err_set(err, "no field in the template");
		parse_plan_free(pl);
		return NULL;
	}
	return pl;
}

/*
 * Where the value starting at s ends: at the next occurrence of the
 * literal lit (an escaped quote does not end a quoted value); NULL when
 * it does not occur.
 */
static char *
plan_find(char *s, char *end, const struct pf_step *lit)
{
	for (char *c = s; c + lit->len <= end; c++) {
		if (*c == '\\' && lit->text[0] == '"' && c + 1 < end) {
			c++; /* \" or \\ inside a quoted value */
			continue;
		}
		if (*c == lit->text[0] && memcmp(c, lit->text, lit->len) == 0)
			return c;
	}
	return NULL;
}

/* Undo the escapes of a quoted value in place (\" \\). */
static void
plan_unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		*w++ = *s;
	}
	*w = '\0';
}

/* What a run has seen that the end of the line needs. */
struct plan_seen {
	char *ip, *agent, *user, *day;
	size_t daylen;
	int required; /* a status or a time matched: the rest may be short */
};

static int
plan_value(struct sr_parser *p, const struct pf_step *st, char *v,
    struct plan_seen *seen)
{
	int64_t ms;
	char *c;

	switch ((enum pf_kind)st->kind) {
	case PF_LIT:
		break;
	case PF_IP:
		seen->ip = v;
		parse_meta(p, "ip", v);
		break;
	case PF_IDENT:
		parse_meta(p, "ident", v);
		break;
	case PF_USER:
		seen->user = v;
		break;
	case PF_TIME_CLF:
		if (parse_clf_time(v, strlen(v), &ms) < 0)
			return -1;
		parse_set_time(p, ms);
		seen->day = v;
		seen->daylen = 11;
		seen->required = 1;
		break;
	case PF_TIME_ISO:
		if (sr_time_parse(v, strlen(v), &ms, NULL) < 0)
			return -1;
		parse_set_time(p, ms);
		seen->day = v;
		seen->daylen = strlen(v) < 10 ? strlen(v) : 10;
		seen->required = 1;
		break;
	case PF_REQUEST:
		parse_request_line(p, v);
		break;
	case PF_METHOD:
		parse_meta(p, "method", v);
		parse_mark_method(p);
		break;
	case PF_URI:
		c = strchr(v, '?');
		if (c != NULL) {
			*c = '\0';
			parse_meta(p, "query", c + 1);
		}
		parse_set(p, SR_FIELD_ENDPOINT, SR_READ_URL, "uri", v);
		break;
	case PF_PATH:
		parse_set(p, SR_FIELD_ENDPOINT, SR_READ_PATH, "uri", v);
		break;
	case PF_QUERY:
		parse_meta(p, "query", *v == '?' ? v + 1 : v);
		break;
	case PF_PROTO:
		parse_meta(p, "protocol", v);
		break;
	case PF_STATUS:
		parse_set(p, SR_FIELD_STATUS, SR_READ_STATUS, "status", v);
		seen->required = 1;
		break;
	case PF_BYTES:
		parse_meta_num(p, "bytes", v);
		break;
	case PF_REFERER:
		parse_meta(p, "referer", v);
		break;
	case PF_AGENT:
		seen->agent = v;
		parse_meta(p, "agent", v);
		break;
	case PF_LAT_S:
		parse_set(p, SR_FIELD_LATENCY, SR_READ_SEC, "request_time", v);
		break;
	case PF_LAT_MS:
		parse_set(p, SR_FIELD_LATENCY, SR_READ_MS, "request_time_ms",
		    v);
		break;
	case PF_LAT_US:
		parse_set(p, SR_FIELD_LATENCY, SR_READ_US, "request_time_us",
		    v);
		break;
	case PF_DURATION:
		parse_set(p, SR_FIELD_LATENCY, SR_READ_DUR, "duration", v);
		break;
	case PF_VHOST:
		c = strrchr(v, ':');
		if (c != NULL && parse_is_number(c + 1)) {
			*c = '\0';
			parse_meta(p, "port", c + 1);
		}
		parse_set(p, SR_FIELD_SERVICE, SR_READ_STR, "vhost", v);
		break;
	case PF_META:
		parse_meta(p, st->text, v);
		break;
	}
	return 0;
}

int
parse_plan_run(struct sr_parser *p, const struct parse_plan *pl, char *s,
    size_t len, int64_t now_ms)
{
	char *end = s + len;
	struct plan_seen seen = { 0 };

	(void)now_ms;
	for (size_t i = 0; i < pl->n; i++) {
		const struct pf_step *st = &pl->steps[i], *next;
		char *v = s, *e;
		int quoted;

		if (st->kind == PF_LIT) {
			if (s == end && seen.required)
				break; /* a short line: the rest is absent */
			if ((size_t)(end - s) < st->len ||
			    memcmp(s, st->text, st->len) != 0)
				return 0;
			s += st->len;
			continue;
		}
		next = i + 1 < pl->n ? &pl->steps[i + 1] : NULL;
		quoted = i > 0 && pl->steps[i - 1].text != NULL &&
		    pl->steps[i - 1].kind == PF_LIT &&
		    pl->steps[i - 1].text[pl->steps[i - 1].len - 1] == '"';
		if (next == NULL) {
			e = end;
		} else if ((e = plan_find(s, end, next)) != NULL) {
			s = e + next->len;
			i++; /* the literal is matched */
		} else if (seen.required && !quoted) {
			e = end; /* a short line: the value runs to its end */
			s = end;
			i = pl->n;
		} else {
			return 0;
		}
		if (next == NULL)
			s = end;
		*e = '\0';
		if (quoted)
			plan_unescape(v);
		if (plan_value(p, st, v, &seen) < 0)
			return 0;
	}
	if (s < end) {
		while (s < end && *s == ' ')
			s++;
		if (s < end)
			parse_meta(p, "extra", s);
	}
	if (seen.user != NULL && strcmp(seen.user, "-") != 0 &&
	    *seen.user != '\0')
		parse_set(p, SR_FIELD_USER, SR_READ_ID, "user", seen.user);
	else if (seen.ip != NULL && seen.day != NULL)
		parse_visitor(p, seen.ip, seen.day, seen.daylen, seen.agent);
	return 1;
}

/* The templates of the presets; const. */
const char *
parse_preset_template(enum sr_format fmt, int *apache)
{
	*apache = 0;
	switch (fmt) {
	case SR_FMT_COMMON:
		*apache = 1;
		return "%h %l %u %t \"%r\" %>s %b";
	case SR_FMT_VHOST_COMBINED:
		*apache = 1;
		return "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" "
		       "\"%{User-Agent}i\"";
	case SR_FMT_TIMED_COMBINED:
		return "$remote_addr - $remote_user [$time_local] \"$request\" "
		       "$status $body_bytes_sent \"$http_referer\" "
		       "\"$http_user_agent\" $request_time "
		       "$upstream_response_time $pipe";
	case SR_FMT_TRAEFIK:
		return "$remote_addr - $remote_user [$time_local] \"$request\" "
		       "$status $body_bytes_sent \"$http_referer\" "
		       "\"$http_user_agent\" $request_count \"$router_name\" "
		       "\"$backend_url\" $duration";
	default:
		return NULL;
	}
}

/* ---- syslog ---- */

/* A syslog tag or app name: letters, digits and _ . / - @ */
static int
fmt_is_tag(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '.' ||
			c == '/' || c == '-' || c == '@'))
			return 0;
	}
	return 1;
}

/* "Dec  4 10:15:32" (RFC 3164) at s: 0 and *ms (UTC, this year). */
static int
fmt_bsd_time(const char *s, int64_t now_ms, int64_t *ms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int mon = 0, day, h, mi, sec, year;
	char iso[32];

	if (s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':' ||
	    s[15] != ' ')
		return -1;
	for (int k = 0; k < 12; k++)
		if (memcmp(s, months + 3 * k, 3) == 0)
			mon = k + 1;
	if (mon == 0)
		return -1;
	day = s[4] == ' ' ? sr_time_digits(s + 5, 1) : sr_time_digits(s + 4, 2);
	h = sr_time_digits(s + 7, 2);
	mi = sr_time_digits(s + 10, 2);
	sec = sr_time_digits(s + 13, 2);
	sr_time_format_iso(now_ms, iso, sizeof iso);
	year = sr_time_digits(iso, 4);
	if (day < 0 || h < 0 || mi < 0 || sec < 0 || year < 0 ||
	    sr_time_civil_ms(year, mon, day, h, mi, sec, 0, ms) < 0)
		return -1;
	/* a line from December read in January is last year's */
	if (*ms > now_ms + 86400000LL &&
	    sr_time_civil_ms(year - 1, mon, day, h, mi, sec, 0, ms) < 0)
		return -1;
	return 0;
}

/* The PRI's severity and facility; severity 0-3 is an error. */
static void
fmt_pri(struct sr_parser *p, int pri)
{
	parse_meta_number(p, "severity", pri & 7);
	parse_meta_number(p, "facility", pri >> 3);
	if ((pri & 7) <= 3)
		parse_mark_error(p);
}

int
parse_syslog(struct sr_parser *p, char *s, size_t len, int64_t now_ms)
{
	char *end = s + len, *host, *tag, *pid = NULL, *msg, *t;
	size_t tl;
	int pri = -1;
	int64_t ms;

	if (s < end && *s == '<') {
		char *c = s + 1;

		pri = 0;
		while (c < end && *c >= '0' && *c <= '9' && c - s <= 3)
			pri = pri * 10 + (*c++ - '0');
		if (c == s + 1 || c >= end || *c != '>' || pri > 191)
			return 0;
		s = c + 1;
	}
	if (pri >= 0 && end - s > 2 && s[0] >= '1' && s[0] <= '9' &&
	    s[1] == ' ') {
		/* RFC 5424: VERSION TIMESTAMP HOST APP PROCID MSGID SD MSG */
		char *f[6];

		s += 2;
		for (int k = 0; k < 5; k++) {
			f[k] = s;
			while (s < end && *s != ' ')
				s++;
			if (s >= end)
				return 0;
			*s++ = '\0';
		}
		f[5] = s; /* structured data: "-" or [..][..] */
		if (*s == '[') {
			while (s < end && *s == '[') {
				for (s++; s < end && *s != ']'; s++)
					if (*s == '\\' && s + 1 < end)
						s++;
				if (s < end)
					s++;
			}
		} else if (*s == '-') {
			s++;
		} else {
			return 0;
		}
		if (s < end && *s != ' ')
			return 0;
		msg = s < end ? s + 1 : end;
		*s = '\0';
		if (strcmp(f[0], "-") != 0 &&
		    sr_time_parse(f[0], strlen(f[0]), &ms, NULL) < 0)
			return 0;
		if (strncmp(msg, "\xef\xbb\xbf", 3) == 0)
			msg += 3; /* the BOM of a UTF-8 message */
		if (strcmp(f[0], "-") != 0)
			parse_set_time(p, ms);
		parse_meta(p, "hostname", f[1]);
		parse_set(p, SR_FIELD_SERVICE, SR_READ_STR, "app", f[2]);
		parse_meta(p, "pid", f[3]);
		parse_meta(p, "msgid", f[4]);
		parse_meta(p, "sd", f[5]);
		parse_set(p, SR_FIELD_MESSAGE, SR_READ_MSG, "msg", msg);
		fmt_pri(p, pri);
		return 1;
	}
	/* RFC 3164: "Dec  4 10:15:32" or an RFC 3339 time, HOST TAG: MSG */
	t = s;
	if (end - s >= 16 && fmt_bsd_time(s, now_ms, &ms) == 0) {
		s[15] = '\0';
		s += 16;
	} else {
		while (s < end && *s != ' ')
			s++;
		if (s >= end || s - t < 10 || t[4] != '-' ||
		    (*s = '\0', sr_time_parse(t, strlen(t), &ms, NULL) < 0))
			return 0;
		s++;
	}
	host = s;
	while (s < end && *s != ' ')
		s++;
	if (s >= end || s == host)
		return 0;
	tl = strcspn(host, "[:"); /* stops at s[-1] at the latest */
	if (s[-1] == ':' && fmt_is_tag(host, tl)) {
		/* what a program writes to /dev/log: no HOST, TAG[PID]: */
		s = host;
		host = NULL;
	} else {
		*s++ = '\0';
	}
	tag = s;
	while (s < end && *s != ':' && *s != '[' && *s != ' ')
		s++;
	if (s >= end || !fmt_is_tag(tag, (size_t)(s - tag)))
		return 0;
	if (*s == '[') {
		*s++ = '\0';
		pid = s;
		while (s < end && *s != ']')
			s++;
		if (s + 1 >= end || s[1] != ':')
			return 0;
		*s++ = '\0';
	}
	if (*s != ':')
		return 0;
	*s++ = '\0';
	if (s < end && *s == ' ')
		s++;
	msg = s;
	parse_set_time(p, ms);
	parse_meta(p, "hostname", host);
	parse_set(p, SR_FIELD_SERVICE, SR_READ_STR, "tag", tag);
	parse_meta(p, "pid", pid);
	parse_set(p, SR_FIELD_MESSAGE, SR_READ_MSG, "msg", msg);
	if (pri >= 0)
		fmt_pri(p, pri);
	return 1;
}

/* ---- HAProxy ---- */

/* The next space-separated word, cut; NULL at the end. */
static char *
fmt_word(char **sp, char *end)
{
	char *s = *sp, *w;

	while (s < end && *s == ' ')
		s++;
	if (s >= end)
		return NULL;
	w = s;
	while (s < end && *s != ' ')
		s++;
	if (s < end)
		*s++ = '\0';
	*sp = s;
	return w;
}

int
parse_haproxy(struct sr_parser *p, char *s, size_t len, int64_t now_ms)
{
	char *end = s + len, *b, *client = NULL, *date, *front, *bs, *timers;
	char *status, *bytes, *w, *term = NULL, *srv;
	int64_t ms;

	(void)now_ms;
	/* "ip:port [06/Feb/2009:12:14:14.655] ", after any syslog header */
	for (b = s; (b = memchr(b, '[', (size_t)(end - b))) != NULL; b++) {
		char *c = memchr(b, ']', (size_t)(end - b));

		if (b > s && b[-1] == ' ' && c != NULL && c - b == 25 &&
		    c + 1 < end && c[1] == ' ' &&
		    parse_clf_time(b + 1, 24, &ms) == 0) {
			client = b - 1;
			while (client > s && client[-1] != ' ')
				client--;
			if (client < b - 1 &&
			    memchr(client, ':', (size_t)(b - client)))
				break;
		}
	}
	if (b == NULL)
		return 0;
	b[-1] = '\0';
	date = b + 1;
	date[24] = '\0';
	s = date + 26;
	if ((front = fmt_word(&s, end)) == NULL ||
	    (bs = fmt_word(&s, end)) == NULL ||
	    (timers = fmt_word(&s, end)) == NULL ||
	    (status = fmt_word(&s, end)) == NULL ||
	    (bytes = fmt_word(&s, end)) == NULL)
		return 0;
	if (strchr(bs, '/') == NULL || strchr(timers, '/') == NULL)
		return 0;
	for (int k = 0; k < 2 && fmt_word(&s, end) != NULL; k++)
		; /* captured request and response cookies */
	term = fmt_word(&s, end);
	(void)fmt_word(&s, end); /* actconn/feconn/beconn/srv_conn/retries */
	(void)fmt_word(&s, end); /* srv_queue/backend_queue */
	while (s < end && *s == ' ')
		s++;
	while (s < end && *s == '{') { /* captured headers */
		while (s < end && *s != '}')
			s++;
		if (s < end)
			s++;
		while (s < end && *s == ' ')
			s++;
	}
	parse_set_time(p, ms);
	srv = strchr(bs, '/');
	*srv++ = '\0';
	{
		char *colon = strrchr(client, ':');

		if (colon != NULL) {
			*colon = '\0';
			parse_meta(p, "port", colon + 1);
		}
		parse_meta(p, "ip", client);
	}
	parse_meta(p, "frontend", front);
	parse_set(p, SR_FIELD_SERVICE, SR_READ_STR, "backend", bs);
	parse_meta(p, "server", srv);
	parse_meta(p, "timers", timers);
	/* the last timer is Ta (Tt before 1.9): the whole request, ms */
	w = strrchr(timers, '/') + 1;
	if (*w == '+')
		w++;
	if (*w != '-')
		parse_set(p, SR_FIELD_LATENCY, SR_READ_MS, "Ta", w);
	parse_set(p, SR_FIELD_STATUS, SR_READ_STATUS, "status", status);
	parse_meta(p, "bytes", *bytes == '+' ? bytes + 1 : bytes);
	parse_meta(p, "termination_state", term);
	if (s < end && *s == '"') {
		char *q = ++s;

		while (s < end && *s != '"')
			s++;
		*s = '\0';
		parse_request_line(p, q);
	}
	return 1;
}
