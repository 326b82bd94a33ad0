/* SPDX-License-Identifier: MIT */
/*
 * options: the command and option tables, the parser built from them,
 * and what is generated from them: --help, --help-table and the shell
 * completion scripts (see options.h).
 */
#include "cmd/options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "collectors/source.h"
#include "core/timeutil.h"
#include "core/util.h"

#define T SR_CMD_TUI
#define I SR_CMD_INGEST
#define R SR_CMD_REPORT
#define N SR_CMD_INSIGHTS
#define E SR_CMD_EXPORT
#define M SR_CMD_METRICS
#define D SR_CMD_DEMO
#define S SR_CMD_SERVE
#define C SR_CMD_CONFIG
#define P SR_CMD_PARSE
#define F SR_CMD_FORMATS
#define G SR_CMD_MAIN
#define ALL (T | I | R | N | E | M | D | S | C | P | F | G)

#define SOURCE_SPECS                                             \
	"file:PATH?from=start, sqlite:PATH?table=T&from=start, " \
	"http(s)://URL, sitrep://HOST[:PORT], "                  \
	"prom:http(s)://URL#job=NAME (see sitrep(1) SOURCES)"

/* Designated by id, so a row's place is its enum value. */
const struct sr_option sr_options[] = {
	[SR_O_HELP] = { SR_O_HELP, "help", 'h', SR_OPT_FLAG, NULL, NULL,
	    "this text", ALL, 0, NULL, NULL, NULL },
	[SR_O_VERSION] = { SR_O_VERSION, "version", 0, SR_OPT_FLAG, NULL, NULL,
	    "print the version", G, 0, NULL, NULL, NULL },
	[SR_O_HEADLESS] = { SR_O_HEADLESS, "headless", 0, SR_OPT_FLAG, NULL,
	    NULL, "same as 'sitrep serve'", G, 0, NULL, NULL, NULL },
	[SR_O_COMPLETION] = { SR_O_COMPLETION, "completion", 0, SR_OPT_CHOICE,
	    "SHELL", NULL, "print the bash or zsh completion script", G,
	    SR_OPT_HIDDEN, "bash zsh", NULL, NULL },
	[SR_O_HELP_TABLE] = { SR_O_HELP_TABLE, "help-table", 0, SR_OPT_FLAG,
	    NULL, NULL, "list every command's options, one per line", G,
	    SR_OPT_HIDDEN, NULL, NULL, NULL },
	[SR_O_DB] = { SR_O_DB, "db", 0, SR_OPT_PATH, "PATH",
	    "$XDG_DATA_HOME/sitrep/sitrep.db",
	    "the database (:memory: keeps nothing); the console, serve, "
	    "insights and config take [general] db when this is not given",
	    T | I | R | N | E | S | C, 0, NULL, "general.db", NULL },
	[SR_O_CONFIG] = { SR_O_CONFIG, "config", 0, SR_OPT_PATH, "PATH",
	    "$XDG_CONFIG_HOME/sitrep/sitrep.conf, else /etc/sitrep.conf",
	    "the config file (insights: the rule thresholds; ingest and "
	    "report: [limits])",
	    T | I | R | N | S | C, 0, NULL, NULL, NULL },
	[SR_O_INTERVAL] = { SR_O_INTERVAL, "interval", 0, SR_OPT_DURATION,
	    "DUR", "1s",
	    "the tick (at least 10ms; the console at most 1h: 500ms, 2s ...); "
	    "metrics: the time between its two samples (0: one sample, "
	    "gauges only; at most 1h)",
	    T | S | M | C, 0, NULL, "general.interval", NULL },
	[SR_O_TICKS] = { SR_O_TICKS, "ticks", 0, SR_OPT_INT, "N", NULL,
	    "stop after N ticks (tests)", T | S, 0, NULL, NULL, NULL },
	[SR_O_SOURCE] = { SR_O_SOURCE, "source", 0, SR_OPT_SOURCE, "SPEC", NULL,
	    "an event source (repeatable; '-' or stdin: standard input): " SOURCE_SPECS
	    "; ingest reads each to its current end, resuming "
	    "from its stored cursor",
	    T | I | S, SR_OPT_REPEAT, NULL, NULL, NULL },
	[SR_O_LAYOUT] = { SR_O_LAYOUT, "layout", 0, SR_OPT_CHOICE, "NAME", NULL,
	    "full, compact, events or system", T | C, 0,
	    "full compact events system", "tui.layout", NULL },
	[SR_O_THEME] = { SR_O_THEME, "theme", 0, SR_OPT_CHOICE, "NAME", "auto",
	    "auto (from the terminal's background), default (dark), solar, "
	    "light or mono",
	    T | C, 0, "auto default dark solar light mono", "tui.theme", NULL },
	[SR_O_ASCII] = { SR_O_ASCII, "ascii", 0, SR_OPT_FLAG, NULL, NULL,
	    "ASCII only (no block or braille glyphs)", T | C, 0, NULL,
	    "tui.ascii", "yes" },
	[SR_O_NO_MOUSE] = { SR_O_NO_MOUSE, "no-mouse", 0, SR_OPT_FLAG, NULL,
	    NULL, "ignore the mouse", T | C, 0, NULL, "tui.mouse", "no" },
	[SR_O_BELL] = { SR_O_BELL, "bell", 0, SR_OPT_FLAG, NULL, NULL,
	    "ring the terminal bell when a critical insight starts firing", T,
	    0, NULL, NULL, NULL },
	[SR_O_REPLAY_CLOCK] = { SR_O_REPLAY_CLOCK, "replay-clock", 0,
	    SR_OPT_FLAG, NULL, NULL,
	    "tick at the newest event's time (old logs)", T, 0, NULL, NULL,
	    NULL },
	[SR_O_INGEST_FORMAT] = { SR_O_INGEST_FORMAT, "format", 0, SR_OPT_CHOICE,
	    "F", "auto",
	    "the input format of lines (stdin for the console and serve): "
	    "auto, a preset (sitrep formats), nginx:'...' or apache:'...'",
	    I | T | S | P, 0,
	    "auto json logfmt combined common vhost_combined timed_combined "
	    "traefik haproxy caddy ecs syslog journald otlp",
	    NULL, NULL },
	[SR_O_RETAIN] = { SR_O_RETAIN, "retain", 0, SR_OPT_DURATION, "D", "30d",
	    "keep events for D, pruned at the end", I, 0, NULL, NULL, NULL },
	[SR_O_DURABLE] = { SR_O_DURABLE, "durable", 0, SR_OPT_FLAG, NULL, NULL,
	    "synchronous=FULL: committed events survive power loss", I, 0, NULL,
	    NULL, NULL },
	[SR_O_FOLLOW] = { SR_O_FOLLOW, "follow", 0, SR_OPT_FLAG, NULL, NULL,
	    "with --source: keep following until interrupted", I, 0, NULL, NULL,
	    NULL },
	[SR_O_HOURS] = { SR_O_HOURS, "hours", 0, SR_OPT_NUMBER, "N", "24",
	    "the N hours before now (insights: before the newest stored "
	    "minute)",
	    R | N, 0, NULL, NULL, NULL },
	[SR_O_FROM] = { SR_O_FROM, "from", 0, SR_OPT_TIME, "T", NULL,
	    "range start, inclusive (ISO-8601 or epoch; report: default 24 h "
	    "before --to, export: all)",
	    R | E, 0, NULL, NULL, NULL },
	[SR_O_TO] = { SR_O_TO, "to", 0, SR_OPT_TIME, "T", NULL,
	    "range end, exclusive (report: default now, export: all)", R | E, 0,
	    NULL, NULL, NULL },
	[SR_O_SERVICE] = { SR_O_SERVICE, "service", 0, SR_OPT_STRING, "S", NULL,
	    "only events of service S", R, 0, NULL, NULL, NULL },
	[SR_O_REPORT_TOP] = { SR_O_REPORT_TOP, "top", 0, SR_OPT_INT, "N", "10",
	    "endpoints and errors listed per service", R, 0, NULL, NULL, NULL },
	[SR_O_JSON] = { SR_O_JSON, "json", 0, SR_OPT_FLAG, NULL, NULL,
	    "JSON instead of text (report: one object, insights: a list of "
	    "insight objects, metrics: one flat object {\"name\": value, ...})",
	    R | N | M | C, 0, NULL, NULL, NULL },
	[SR_O_WHAT] = { SR_O_WHAT, "what", 0, SR_OPT_CHOICE, "KIND", NULL,
	    "events, metrics or insights (required)", E, 0,
	    "events metrics insights", NULL, NULL },
	[SR_O_STEP] = { SR_O_STEP, "step", 0, SR_OPT_DURATION, "S", "60s",
	    "metrics bucket, e.g. 10s, 5m, 1h", E, 0, NULL, NULL, NULL },
	[SR_O_NAME] = { SR_O_NAME, "name", 0, SR_OPT_STRING, "PATTERN", "*",
	    "metrics whose name matches this glob", E, 0, NULL, NULL, NULL },
	[SR_O_EXPORT_FORMAT] = { SR_O_EXPORT_FORMAT, "format", 0, SR_OPT_CHOICE,
	    "F", "csv", "csv, json (one array) or jsonl", E, 0,
	    "csv json jsonl", NULL, NULL },
	[SR_O_QUERY] = { SR_O_QUERY, "query", 'q', SR_OPT_STRING, "Q", NULL,
	    "events the query matches (as the console's / filter: text, "
	    "service=api, status=5xx, is:error; see EVENT QUERIES in "
	    "sitrep(1))",
	    E, 0, NULL, NULL, NULL },
	[SR_O_METRICS_TOP] = { SR_O_METRICS_TOP, "top", 0, SR_OPT_FLAG, NULL,
	    NULL, "also print the top processes by CPU and memory", M, 0, NULL,
	    NULL, NULL },
	[SR_O_PROC_ROOT] = { SR_O_PROC_ROOT, "proc-root", 0, SR_OPT_PATH, "P",
	    NULL, "read P instead of /proc ($SITREP_PROC)", M, 0, NULL, NULL,
	    NULL },
	[SR_O_SYS_ROOT] = { SR_O_SYS_ROOT, "sys-root", 0, SR_OPT_PATH, "S",
	    NULL, "read S instead of /sys ($SITREP_SYS)", M, 0, NULL, NULL,
	    NULL },
	[SR_O_RATE] = { SR_O_RATE, "rate", 0, SR_OPT_NUMBER, "N", "50",
	    "events per second on average", D, 0, NULL, NULL, NULL },
	[SR_O_DURATION] = { SR_O_DURATION, "duration", 0, SR_OPT_DURATION, "D",
	    "forever", "stop after D (30s, 5m ...)", D, 0, NULL, NULL, NULL },
	[SR_O_SEED] = { SR_O_SEED, "seed", 0, SR_OPT_STRING, "K",
	    "from the clock", "seed of the generator", D, 0, NULL, NULL, NULL },
	[SR_O_INCIDENTS] = { SR_O_INCIDENTS, "incidents", 0, SR_OPT_CHOICE, "X",
	    "some",
	    "'some': error bursts, latency regressions, traffic spikes; "
	    "'none': calm",
	    D, 0, "none some", NULL, NULL },
	[SR_O_FAST] = { SR_O_FAST, "fast", 0, SR_OPT_FLAG, NULL, NULL,
	    "no pacing: write the events of a past span", D, 0, NULL, NULL,
	    NULL },
	[SR_O_SPAN] = { SR_O_SPAN, "span", 0, SR_OPT_DURATION, "D", "1h",
	    "with --fast, the span", D, 0, NULL, NULL, NULL },
	[SR_O_COUNT] = { SR_O_COUNT, "count", 0, SR_OPT_INT, "N", NULL,
	    "number of events (with --fast default rate x span seconds; "
	    "otherwise stop after N)",
	    D, 0, NULL, NULL, NULL },
	[SR_O_END] = { SR_O_END, "end", 0, SR_OPT_TIME, "TIME", "now",
	    "with --fast, the span's end", D, 0, NULL, NULL, NULL },
	[SR_O_LLM_METRICS] = { SR_O_LLM_METRICS, "llm-metrics", 0,
	    SR_OPT_STRING, "ADDR:PORT", NULL,
	    "also serve the stream's vLLM Prometheus text at "
	    "http://ADDR:PORT/metrics",
	    D, 0, NULL, NULL, NULL },
	[SR_O_LISTEN] = { SR_O_LISTEN, "listen", 0, SR_OPT_STRING, "ADDR:PORT",
	    "127.0.0.1:8081", "listen here (repeatable; [::1]:8081 for IPv6)",
	    S | C, SR_OPT_REPEAT, NULL, "serve.listen", NULL },
	[SR_O_TOKEN_FILE] = { SR_O_TOKEN_FILE, "token-file", 0, SR_OPT_PATH,
	    "PATH", NULL,
	    "require 'Authorization: Bearer TOKEN' on every data route "
	    "(TOKEN: the file's first line)",
	    S | C, 0, NULL, "serve.token_file", NULL },
	[SR_O_CORS] = { SR_O_CORS, "cors", 0, SR_OPT_STRING, "ORIGIN", NULL,
	    "allow this browser origin (CORS)", S | C, 0, NULL, "serve.cors",
	    NULL },
	[SR_O_TLS_CERT] = { SR_O_TLS_CERT, "tls-cert", 0, SR_OPT_PATH, "FILE",
	    NULL, "serve HTTPS with this PEM certificate...", S, 0, NULL, NULL,
	    NULL },
	[SR_O_TLS_KEY] = { SR_O_TLS_KEY, "tls-key", 0, SR_OPT_PATH, "FILE",
	    NULL, "...and this PEM private key", S, 0, NULL, NULL, NULL },
	[SR_O_MAX_CONNS_PER_IP] = { SR_O_MAX_CONNS_PER_IP, "max-conns-per-ip",
	    0, SR_OPT_INT, "N", "32", "connections one address may hold", S | C,
	    0, NULL, "serve.max_conns_per_ip", NULL },
	[SR_O_MAX_CONNS] = { SR_O_MAX_CONNS, "max-conns", 0, SR_OPT_INT, "N",
	    "512",
	    "connections the server holds (past it an idle one is closed)",
	    S | C, 0, NULL, "serve.max_conns", NULL },
	[SR_O_ACCEPT_EVENTS] = { SR_O_ACCEPT_EVENTS, "accept-events", 0,
	    SR_OPT_FLAG, NULL, NULL, "allow POST /api/events", S | C, 0, NULL,
	    "serve.accept_events", "yes" },
	[SR_O_ACCEPT_OTLP] = { SR_O_ACCEPT_OTLP, "accept-otlp", 0, SR_OPT_FLAG,
	    NULL, NULL,
	    "receive OTLP/HTTP: POST /v1/traces and /v1/logs (JSON or "
	    "protobuf)",
	    S | C, 0, NULL, "serve.accept_otlp", "yes" },
	[SR_O_OTLP_LISTEN] = { SR_O_OTLP_LISTEN, "otlp-listen", 0,
	    SR_OPT_STRING, "ADDR:PORT", NULL,
	    "also receive OTLP here, and nothing else (4318 by convention; "
	    "implies --accept-otlp)",
	    S | C, 0, NULL, "serve.otlp_listen", NULL },
	[SR_O_ALLOW_HOST] = { SR_O_ALLOW_HOST, "allow-host", 0, SR_OPT_STRING,
	    "NAME", NULL,
	    "answer requests whose Host is NAME too (repeatable; adds to "
	    "[serve] allow_host)",
	    S, SR_OPT_REPEAT, NULL, NULL, NULL },
	[SR_O_NO_SYSTEM] = { SR_O_NO_SYSTEM, "no-system", 0, SR_OPT_FLAG, NULL,
	    NULL, "do not sample this machine", S, 0, NULL, NULL, NULL },
	[SR_O_KEYS] = { SR_O_KEYS, "keys", 0, SR_OPT_FLAG, NULL, NULL,
	    "list every config key, one per line", C, SR_OPT_HIDDEN, NULL, NULL,
	    NULL },
	[SR_O_EXPLAIN] = { SR_O_EXPLAIN, "explain", 0, SR_OPT_FLAG, NULL, NULL,
	    "also print the format chosen, each field's source and what was "
	    "kept aside and why",
	    P, 0, NULL, NULL, NULL },
	[SR_O_OTLP_EXPORT] = { SR_O_OTLP_EXPORT, "otlp-export", 0,
	    SR_OPT_STRING, "URL", NULL,
	    "push events (URL/v1/logs) and metrics (URL/v1/metrics) to an "
	    "OTLP/HTTP collector, as JSON; the token comes from [otlp] "
	    "export_token_file or $SITREP_OTLP_TOKEN",
	    T | S | C, 0, NULL, "otlp.export_url", NULL },
	[SR_O__COUNT] = { SR_O__COUNT, NULL, 0, SR_OPT_FLAG, NULL, NULL, NULL,
	    0, 0, NULL, NULL, NULL },
};

const struct sr_command sr_commands[] = {
	{ "ingest", I,
	    "read events from files, stdin or sources into the store",
	    "sitrep ingest [--db PATH] [--format F] [--retain D] [--durable]\n"
	    "                     [--source SPEC]... [--follow] [FILE...]",
	    "Read events (one per line) from FILEs, or stdin when none is "
	    "given\nor FILE is '-', into the store.  Rejected lines are counted "
	    "by\nreason and summarised on stderr; the first few are shown.",
	    "Only committed events are counted.  Exit status: 0 ok; 1 an "
	    "input\ncould not be read, or the store could not be written "
	    "(then stderr\nsays what was committed, what was not and where "
	    "a rerun resumes);\n2 bad command line.",
	    SR_CMD_OPERANDS | SR_CMD_IN_ORDER, sr_cmd_ingest },
	{ "report", R, "summarise stored events over a time range",
	    "sitrep report [--db PATH] [--hours N | --from T --to T]\n"
	    "                     [--service S] [--top N] [--json]",
	    "Summarise the stored events of a time range: totals, distinct\n"
	    "users and sessions, events by type, per-service requests, rates,\n"
	    "4xx/5xx, error rate, latency avg/p50/p95/p99/max, top endpoints\n"
	    "and top errors, and per-model tokens, tokens/s and TTFT.",
	    "A database on read-only media, or one you may not write, is "
	    "read\nas it is.  Exit status: 0 ok, 1 the database is missing "
	    "or\nunreadable, 2 bad command line.",
	    0, sr_cmd_report },
	{ "insights", N, "evaluate the insight rules over stored history",
	    "sitrep insights [--db PATH] [--hours N] [--json] [--config PATH]",
	    "Evaluate the insight rules over the last N hours of stored "
	    "history\n(default 24, ending at the newest stored minute) and "
	    "print the\ninsights that fired or are pending.",
	    NULL, 0, sr_cmd_insights },
	{ "export", E, "write stored events, metrics or insights as CSV/JSON",
	    "sitrep export [--db PATH] --what events|metrics|insights\n"
	    "                     [--from T] [--to T] [--step S] [--name "
	    "PATTERN]\n"
	    "                     [--format csv|json|jsonl]",
	    "Write stored data to stdout.  Events carry every stored field;\n"
	    "their JSON lines can be fed back to 'sitrep ingest' without "
	    "loss.\nMetrics are written per step bucket (name, ts, min, avg, "
	    "max, n).",
	    "Exit status: 0 ok, 1 the database is missing or unreadable,\n"
	    "2 bad command line.",
	    0, sr_cmd_export },
	{ "metrics", M, "sample this machine once and print its metrics",
	    "sitrep metrics [--json] [--interval D] [--top]\n"
	    "                      [--proc-root P] [--sys-root S] "
	    "[PATTERN...]",
	    "Sample this machine twice, D apart (default 1s; 0: once, gauges\n"
	    "only), and print each metric whose name matches a PATTERN (shell\n"
	    "glob, e.g. 'cpu.total.*' 'fs./.*'; default: all) with its value\n"
	    "and unit.",
	    NULL, SR_CMD_OPERANDS, sr_cmd_metrics },
	{ "demo", D, "write realistic synthetic events as JSON lines",
	    "sitrep demo [--rate N] [--duration D] [--seed K]\n"
	    "                   [--incidents none|some] [--llm-metrics ADDR:PORT]\n"
	    "       sitrep demo --fast [--span D] [--count N] [--end TIME] ...",
	    "Write realistic synthetic events of an LLM stack (litellm, vllm,\n"
	    "embeddings, qdrant, webui, whisper, sd) as JSON lines on stdout.",
	    NULL, SR_CMD_IN_ORDER, sr_cmd_demo },
	{ "serve", S, "run headless: JSON API, SSE, Prometheus and web page",
	    "sitrep serve [OPTIONS]      (also: sitrep --headless)",
	    "Run without a terminal and serve the live data over HTTP: a JSON\n"
	    "API, Server-Sent Events, Prometheus text at /metrics and a web\n"
	    "page at /.  Piped stdin is read as events.",
	    "Routes: /api/health /api/metrics/overview\n"
	    "/api/metrics/performance /api/metrics/series /api/services\n"
	    "/api/events /api/insights /api/summary /api/stream /metrics /;\n"
	    "with --accept-otlp the OTLP/HTTP receiver /v1/traces /v1/logs.\n"
	    "See man sitrep, HTTP API.",
	    0, sr_cmd_serve },
	{ "config", C,
	    "print the effective configuration and where it came from",
	    "sitrep config [--config PATH] [--json] [OPTIONS]",
	    "Print every config key with its effective value and where that\n"
	    "came from: default, file:PATH:LINE, env:NAME or flag:--OPTION.\n"
	    "The output is INI (key = value  ; from) and can be pasted into a\n"
	    "config file.  The console's and serve's options that override\n"
	    "the file may be given, to see their effect.",
	    NULL, 0, sr_cmd_config },
	{ "parse", P, "print each input line as sitrep reads it, as JSON",
	    "sitrep parse [--format F] [--explain] [FILE...]",
	    "Read lines from FILEs (or stdin) and print each as the event\n"
	    "sitrep makes of it, one JSON object per line (its line number,\n"
	    "the format it was read as and the event, or why it was\n"
	    "rejected).  Nothing is stored.  --explain adds every field's\n"
	    "source and what was kept in metadata, and why.",
	    "Exit status: 0 every line read, 1 a line was rejected or a file\n"
	    "could not be read, 2 bad command line.",
	    SR_CMD_OPERANDS, sr_cmd_parse },
	{ "formats", F, "list the input formats, each with an example line",
	    "sitrep formats",
	    "List every value --format takes (and file:PATH?format=F and\n"
	    "stdin?format=F): auto, the presets and the nginx and Apache\n"
	    "templates, each with its aliases, what it reads and an example\n"
	    "line.",
	    NULL, 0, sr_cmd_formats },
	{ "tui", T, "the terminal console (the default command)",
	    "sitrep [tui] [OPTIONS]",
	    "The terminal console: KPIs, services, insights, processes and\n"
	    "the live event log.  Events piped in on stdin are read (keys\n"
	    "then come from /dev/tty); press ? for every key.",
	    NULL, 0, sr_cmd_tui },
	{ NULL, 0, NULL, NULL, NULL, NULL, 0, NULL },
};

const struct sr_command *
sr_command_find(const char *name)
{
	for (const struct sr_command *c = sr_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The bit of command name; SR_CMD_MAIN for NULL. */
static unsigned
opts_bit(const char *cmd)
{
	const struct sr_command *c;

	if (cmd == NULL)
		return SR_CMD_MAIN;
	if ((c = sr_command_find(cmd)) == NULL)
		SR_BUG("options for an unknown command");
	return c->bit;
}

/* ---- parsing ---- */

/* Check and store one option's argument; 0 or -1 (usage error shown). */
static int
opts_value(const char *cmd, const struct sr_option *op, const char *arg,
    struct sr_optval *v)
{
	struct sr_err err;
	char *end;

	v->s = arg;
	switch (op->type) {
	case SR_OPT_FLAG:
	case SR_OPT_STRING:
	case SR_OPT_PATH:
	case SR_OPT_CHOICE:
		return 0;
	case SR_OPT_INT: {
		long long n;

		errno = 0;
		n = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno != 0) {
			sr_usage_error(cmd,
			    "bad --%s '%s': want a whole number", op->name,
			    arg);
			return -1;
		}
		v->i = n;
		return 0;
	}
	case SR_OPT_NUMBER:
		errno = 0;
		v->d = strtod(arg, &end);
		if (end == arg || *end != '\0' || errno != 0 ||
		    !isfinite(v->d)) {
			sr_usage_error(cmd, "bad --%s '%s': want a number",
			    op->name, arg);
			return -1;
		}
		return 0;
	case SR_OPT_DURATION:
		if (sr_duration_parse(arg, &v->i, &err) < 0 || v->i < 0) {
			sr_usage_error(cmd,
			    "bad --%s '%s': want a duration "
			    "such as 30s, 500ms or 5m",
			    op->name, arg);
			return -1;
		}
		return 0;
	case SR_OPT_TIME:
		if (sr_time_parse(arg, strlen(arg), &v->i, &err) < 0) {
			sr_usage_error(cmd, "bad --%s '%s': %s", op->name, arg,
			    err.msg);
			return -1;
		}
		return 0;
	case SR_OPT_SOURCE:
		if (sr_source_spec_check(arg, &err) < 0) {
			sr_usage_error(cmd, "%s", err.msg);
			return -1;
		}
		return 0;
	}
	SR_BUG("unknown option type");
}

int
sr_opts_parse(const char *cmd, int argc, char **argv, struct sr_opts *o)
{
	struct option lo[SR_O__COUNT + 1];
	char shorts[2 * SR_O__COUNT + 4];
	const struct sr_command *c = cmd ? sr_command_find(cmd) : NULL;
	unsigned bit = opts_bit(cmd);
	size_t nl = 0, ns = 0;
	int ch;

	memset(o, 0, sizeof(*o));
	if (c != NULL && (c->flags & SR_CMD_IN_ORDER))
		shorts[ns++] = '+';
	shorts[ns++] = ':';
	for (int i = 0; i < SR_O__COUNT; i++) {
		const struct sr_option *op = &sr_options[i];

		if (op->id != (enum sr_opt_id)i || op->name == NULL)
			SR_BUG("sr_options[] is not indexed by its ids");
		if (!(op->cmds & bit))
			continue;
		lo[nl].name = op->name;
		lo[nl].has_arg =
		    op->type == SR_OPT_FLAG ? no_argument : required_argument;
		lo[nl].flag = NULL;
		lo[nl].val = 256 + i;
		nl++;
		if (op->letter) {
			shorts[ns++] = op->letter;
			if (op->type != SR_OPT_FLAG)
				shorts[ns++] = ':';
		}
	}
	memset(&lo[nl], 0, sizeof(lo[nl]));
	shorts[ns] = '\0';
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct sr_option *op = NULL;

		if (ch >= 256 && ch < 256 + SR_O__COUNT) {
			op = &sr_options[ch - 256];
		} else if (ch == ':') {
			sr_usage_error(cmd, "option '%s' needs a value",
			    argv[optind - 1]);
			return -1;
		} else if (ch != '?') {
			for (int i = 0; i < SR_O__COUNT; i++)
				if (sr_options[i].letter == ch &&
				    (sr_options[i].cmds & bit))
					op = &sr_options[i];
		}
		if (op == NULL) {
			sr_usage_error(cmd, "unknown option '%s'",
			    argv[optind - 1]);
			return -1;
		}
		if (op->id == SR_O_HELP) {
			sr_opts_help(stdout, cmd);
			return 1;
		}
		if (o->nseen == SR_OPTS_SEEN_MAX) {
			sr_usage_error(cmd, "too many options");
			return -1;
		}
		if (opts_value(cmd, op, op->type == SR_OPT_FLAG ? NULL : optarg,
			&o->v[op->id]) < 0)
			return -1;
		o->v[op->id].n++;
		o->seen[o->nseen].id = op->id;
		o->seen[o->nseen].arg = o->v[op->id].s;
		o->nseen++;
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	if (o->argc > 0 && (c == NULL || !(c->flags & SR_CMD_OPERANDS))) {
		sr_usage_error(cmd, "unexpected argument '%s'", o->argv[0]);
		return -1;
	}
	return 0;
}

size_t
sr_opts_all(const struct sr_opts *o, enum sr_opt_id id, const char **out,
    size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < o->nseen; i++)
		if (o->seen[i].id == id) {
			if (n < max)
				out[n] = o->seen[i].arg;
			n++;
		}
	return n;
}

/* ---- help ---- */

#define HELP_COLS 78

/* "-h, --name ARG" or "--name ARG" into out. */
static void
opts_label(const struct sr_option *op, char *out, size_t cap)
{
	char letter[8] = "";

	if (op->letter)
		(void)snprintf(letter, sizeof(letter), "-%c, ", op->letter);
	(void)snprintf(out, cap, "%s--%s%s%s", letter, op->name,
	    op->arg ? " " : "", op->arg ? op->arg : "");
}

/* text wrapped at HELP_COLS, continuation lines indented by `indent`. */
static void
opts_wrap(FILE *f, const char *text, int col, int indent)
{
	const char *p = text;

	while (*p) {
		const char *w = p;
		int len;

		while (*w && *w != ' ')
			w++;
		len = (int)(w - p);
		if (col > indent && col + 1 + len > HELP_COLS) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", len, p);
		col += len;
		p = w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

static void
opts_list(FILE *f, unsigned bit)
{
	char label[64];
	int width = 0;

	for (int i = 0; i < SR_O__COUNT; i++) {
		const struct sr_option *op = &sr_options[i];
		int n;

		if (!(op->cmds & bit) || (op->flags & SR_OPT_HIDDEN))
			continue;
		opts_label(op, label, sizeof(label));
		n = (int)strlen(label);
		if (n > width)
			width = n;
	}
	for (int i = 0; i < SR_O__COUNT; i++) {
		const struct sr_option *op = &sr_options[i];
		char text[600];

		if (!(op->cmds & bit) || (op->flags & SR_OPT_HIDDEN))
			continue;
		opts_label(op, label, sizeof(label));
		(void)snprintf(text, sizeof(text), "%s%s%s%s", op->help,
		    op->def ? " (default " : "", op->def ? op->def : "",
		    op->def ? ")" : "");
		fprintf(f, "  %-*s  ", width, label);
		opts_wrap(f, text, width + 4, width + 4);
	}
}

void
sr_opts_help(FILE *f, const char *cmd)
{
	const struct sr_command *c;

	if (cmd != NULL) {
		c = sr_command_find(cmd);
		if (c == NULL)
			SR_BUG("help for an unknown command");
		fprintf(f, "usage: %s\n\n%s\n\nOptions:\n", c->synopsis,
		    c->about);
		opts_list(f, c->bit);
		if (c->notes != NULL)
			fprintf(f, "\n%s\n", c->notes);
		return;
	}
	fprintf(f,
	    "usage: sitrep [OPTIONS]             the terminal console\n"
	    "       sitrep COMMAND [OPTIONS]     a batch command or the server\n"
	    "\n"
	    "Commands:\n");
	for (c = sr_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
	    "\nGlobal options ('sitrep COMMAND --help' for a "
	    "command's):\n");
	opts_list(f, SR_CMD_MAIN);
	fprintf(f,
	    "\n"
	    "Events piped into 'sitrep' or 'sitrep serve' are read as JSON lines,\n"
	    "logfmt or combined access-log lines.  See man sitrep.\n");
}

void
sr_opts_table(FILE *f)
{
	for (const struct sr_command *c = sr_commands; c->name; c++)
		for (int i = 0; i < SR_O__COUNT; i++)
			if (sr_options[i].cmds & c->bit)
				fprintf(f, "%s --%s%s%s\n", c->name,
				    sr_options[i].name,
				    sr_options[i].arg ? " " : "",
				    sr_options[i].arg ? sr_options[i].arg : "");
	for (int i = 0; i < SR_O__COUNT; i++)
		if (sr_options[i].cmds & SR_CMD_MAIN)
			fprintf(f, "sitrep --%s%s%s\n", sr_options[i].name,
			    sr_options[i].arg ? " " : "",
			    sr_options[i].arg ? sr_options[i].arg : "");
}

/* ---- completion ---- */

/* The options of bit, "--a --b", for a completion word list. */
static void
opts_words(FILE *f, unsigned bit)
{
	int first = 1;

	for (int i = 0; i < SR_O__COUNT; i++)
		if ((sr_options[i].cmds & bit) &&
		    !(sr_options[i].flags & SR_OPT_HIDDEN)) {
			fprintf(f, "%s--%s", first ? "" : " ",
			    sr_options[i].name);
			first = 0;
		}
}

static void
opts_bash(FILE *f)
{
	fprintf(f,
	    "# bash completion for sitrep (generated by sitrep --completion "
	    "bash)\n"
	    "_sitrep() {\n"
	    "\tlocal cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
	    "\tlocal prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
	    "\tlocal cmd=tui opts\n"
	    "\tif [ \"$COMP_CWORD\" -gt 1 ] && [ \"${COMP_WORDS[1]#-}\" = "
	    "\"${COMP_WORDS[1]}\" ]; then\n"
	    "\t\tcmd=${COMP_WORDS[1]}\n"
	    "\tfi\n"
	    "\tcase \"$cmd:$prev\" in\n");
	for (const struct sr_command *c = sr_commands; c->name; c++)
		for (int i = 0; i < SR_O__COUNT; i++) {
			const struct sr_option *op = &sr_options[i];

			if (!(op->cmds & c->bit) || op->type == SR_OPT_FLAG)
				continue;
			fprintf(f, "\t%s:--%s)\n\t\t", c->name, op->name);
			if (op->type == SR_OPT_PATH)
				fprintf(f,
				    "COMPREPLY=($(compgen -f -- \"$cur\"))");
			else if (op->type == SR_OPT_CHOICE)
				fprintf(f,
				    "COMPREPLY=($(compgen -W '%s' -- \"$cur\"))",
				    op->choices);
			else
				fprintf(f, "COMPREPLY=()");
			fprintf(f, "\n\t\treturn ;;\n");
		}
	fprintf(f, "\tesac\n\tcase \"$cmd\" in\n");
	for (const struct sr_command *c = sr_commands; c->name; c++) {
		fprintf(f, "\t%s) opts='", c->name);
		opts_words(f, c->bit);
		fprintf(f, "' ;;\n");
	}
	fprintf(f,
	    "\tesac\n"
	    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\topts=\"$opts ");
	opts_words(f, SR_CMD_MAIN);
	for (const struct sr_command *c = sr_commands; c->name; c++)
		fprintf(f, " %s", c->name);
	fprintf(f,
	    "\"\n"
	    "\tfi\n"
	    "\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	    "\tif [ \"$cmd\" = ingest ] && [ \"${cur#-}\" = \"$cur\" ]; "
	    "then\n"
	    "\t\tCOMPREPLY+=($(compgen -f -- \"$cur\"))\n"
	    "\tfi\n"
	    "}\n"
	    "complete -F _sitrep sitrep\n");
}

/* Help text fit for a zsh _arguments description: no []:'\ . */
static void
opts_zsh_desc(FILE *f, const char *s)
{
	for (int n = 0; *s && n < 60; s++, n++)
		fputc(strchr("[]:'\\`$\"", *s) ? ' ' : *s, f);
}

static void
opts_zsh_args(FILE *f, unsigned bit)
{
	for (int i = 0; i < SR_O__COUNT; i++) {
		const struct sr_option *op = &sr_options[i];

		if (!(op->cmds & bit) || (op->flags & SR_OPT_HIDDEN))
			continue;
		fprintf(f, " \\\n\t\t    '%s--%s[",
		    (op->flags & SR_OPT_REPEAT) ? "*" : "", op->name);
		opts_zsh_desc(f, op->help);
		fputc(']', f);
		if (op->type == SR_OPT_PATH)
			fprintf(f, ":%s:_files", op->arg);
		else if (op->type == SR_OPT_CHOICE)
			fprintf(f, ":%s:(%s)", op->arg, op->choices);
		else if (op->type != SR_OPT_FLAG)
			fprintf(f, ":%s: ", op->arg);
		fputc('\'', f);
	}
}

static void
opts_zsh(FILE *f)
{
	fprintf(f,
	    "#compdef sitrep\n"
	    "# zsh completion for sitrep (generated by sitrep "
	    "--completion zsh)\n"
	    "_sitrep() {\n"
	    "\tlocal -a cmds\n"
	    "\tcmds=(\n");
	for (const struct sr_command *c = sr_commands; c->name; c++) {
		fprintf(f, "\t    '%s:", c->name);
		opts_zsh_desc(f, c->summary);
		fprintf(f, "'\n");
	}
	fprintf(f,
	    "\t)\n"
	    "\tif (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then\n"
	    "\t\t_describe command cmds\n"
	    "\t\treturn\n"
	    "\tfi\n"
	    "\tlocal cmd=tui\n"
	    "\tif [[ $words[2] != -* ]]; then\n"
	    "\t\tcmd=$words[2]\n"
	    "\t\tshift words\n"
	    "\t\t(( CURRENT-- ))\n"
	    "\tfi\n"
	    "\tcase $cmd in\n");
	for (const struct sr_command *c = sr_commands; c->name; c++) {
		fprintf(f, "\t%s)\n\t\t_arguments", c->name);
		opts_zsh_args(f,
		    c->bit | (c->bit == SR_CMD_TUI ? SR_CMD_MAIN : 0));
		if (c->flags & SR_CMD_OPERANDS)
			fprintf(f, " \\\n\t\t    '*:file:_files'");
		fprintf(f, " ;;\n");
	}
	fprintf(f,
	    "\tesac\n"
	    "}\n"
	    "_sitrep \"$@\"\n");
}

int
sr_opts_completion(FILE *f, const char *shell)
{
	if (strcmp(shell, "bash") == 0)
		opts_bash(f);
	else if (strcmp(shell, "zsh") == 0)
		opts_zsh(f);
	else
		return -1;
	return 0;
}
