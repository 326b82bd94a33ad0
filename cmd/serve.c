/* SPDX-License-Identifier: MIT */
/*
 * sitrep serve (also `sitrep --headless`): the runtime (runtime/app.h)
 * without a terminal, its snapshots served over HTTP by web/server.h.
 * Each publish renders one frame (web/render.h) on the loop thread and
 * hands it to the server; posted events go back through the app's
 * bounded queue.  Piped stdin is read as events, as in the TUI.
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collectors/source.h"
#include "core/config.h"
#include "core/snapshot.h"
#include "core/store.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "runtime/app.h"
#include "web/render.h"
#include "web/server.h"

#define SERVE_MAX_LISTEN 16
#define SERVE_MAX_SOURCES 32

struct serve {
	struct sr_app *app;
	struct sr_web *web;
	const char *db_path;
	int64_t started_ms;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sitrep serve [OPTIONS]      (also: sitrep --headless)\n"
	    "\n"
	    "Run without a terminal and serve the live data over HTTP: a JSON\n"
	    "API, Server-Sent Events, Prometheus text at /metrics and a web\n"
	    "page at /.  Piped stdin is read as events.\n"
	    "\n"
	    "  --listen ADDR:PORT     listen here (repeatable; [::1]:8081 for\n"
	    "                         IPv6); default 127.0.0.1:8081\n"
	    "  --token-file PATH      require 'Authorization: Bearer TOKEN' on\n"
	    "                         every data route (TOKEN: the file's first\n"
	    "                         line)\n"
	    "  --cors ORIGIN          allow this browser origin (CORS)\n"
	    "  --tls-cert FILE        serve HTTPS with this PEM certificate...\n"
	    "  --tls-key FILE         ...and this PEM private key\n"
	    "  --max-conns-per-ip N   connections one address may hold (32)\n"
	    "  --max-conns N          connections per listen address (512)\n"
	    "  --accept-events        allow POST /api/events\n"
	    "  --db PATH              database (default\n"
	    "                         $XDG_DATA_HOME/sitrep/sitrep.db)\n"
	    "  --config PATH          config file\n"
	    "  --interval DUR         tick (default 1s)\n"
	    "  --ticks N              stop after N ticks\n"
	    "  --source SPEC          an event source (repeatable; '-' = stdin):\n"
	    "                         file:PATH, sqlite:PATH?table=T, http(s)://URL,\n"
	    "                         sitrep://HOST[:PORT] (see sitrep(1) SOURCES)\n"
	    "  --no-system            do not sample this machine\n"
	    "  --help                 this text\n"
	    "\n"
	    "Routes: /api/health /api/metrics/overview\n"
	    "/api/metrics/performance /api/metrics/series /api/services\n"
	    "/api/events /api/insights /api/summary /api/stream /metrics /.\n"
	    "See man sitrep, HTTP API.\n");
}

/* The token: the file's first line without surrounding blanks. */
static char *
serve_token(const char *path, struct sr_err *err)
{
	FILE *fp = fopen(path, "r");
	char line[1024], *s, *e;
	struct stat stt;

	if (fp == NULL)
		return sr_err_set(err, "cannot read token file '%s': %s", path,
			   strerror(errno)),
		       NULL;
	if (fstat(fileno(fp), &stt) == 0 && (stt.st_mode & 077) != 0)
		fprintf(stderr,
		    "sitrep serve: warning: token file '%s' is "
		    "readable by others (chmod 600)\n",
		    path);
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	e = s + strlen(s);
	while (e > s &&
	    (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (*s == '\0')
		return sr_err_set(err, "token file '%s' is empty", path), NULL;
	return sr_xstrdup(s);
}

/* A whole PEM file, or NULL with err set. */
static char *
serve_pem(const char *path, struct sr_err *err)
{
	FILE *fp = fopen(path, "rb");
	struct sr_buf b;
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		return sr_err_set(err, "cannot read '%s': %s", path,
			   strerror(errno)),
		       NULL;
	sr_buf_init(&b);
	while (
	    (n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && b.len < 1024 * 1024)
		sr_buf_add(&b, chunk, n);
	fclose(fp);
	return sr_buf_detach(&b, NULL);
}

/* Size of the database file plus its WAL, or -1. */
static int64_t
serve_db_bytes(const char *path)
{
	struct stat st;
	char wal[4096];
	int64_t n;

	if (path == NULL || strcmp(path, ":memory:") == 0 ||
	    stat(path, &st) < 0)
		return -1;
	n = st.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &st) == 0)
		n += st.st_size;
	return n;
}

static void
serve_publish(void *ctx, struct sr_snapshot *snap)
{
	struct serve *sv = ctx;
	struct sr_web_render_info info;
	struct sr_store *st = sr_app_store(sv->app);

	memset(&info, 0, sizeof(info));
	info.started_ms = sv->started_ms;
	info.db_path = sv->db_path;
	if (st != NULL) {
		info.store_committed = sr_store_committed(st);
		info.store_pending = sr_store_pending(st);
	}
	info.store_bytes = serve_db_bytes(sv->db_path);
	sr_web_stats(sv->web, &info.http);
	info.cpu_us = sr_cpu_us();
	sr_web_publish(sv->web, sr_web_render(snap, &info));
}

static int
serve_post(void *ctx, const struct sr_event *ev, struct sr_err *err)
{
	struct serve *sv = ctx;

	return sr_app_post_events(sv->app, ev, 1, err);
}

/* A whole number option in [lo, hi]; 0 or -1. */
static int
serve_num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return (*s == '\0' || *end != '\0' || errno != 0 || *out < lo ||
		   *out > hi)
	    ? -1
	    : 0;
}

int
sr_cmd_serve(int argc, char **argv)
{
	enum {
		O_LISTEN = 256,
		O_TOKEN,
		O_CORS,
		O_CERT,
		O_KEY,
		O_PERIP,
		O_MAXC,
		O_ACCEPT,
		O_DB,
		O_CONFIG,
		O_INTERVAL,
		O_TICKS,
		O_SOURCE,
		O_NOSYS,
		O_HELP
	};
	static const struct option opts[] = { { "listen", required_argument,
						  NULL, O_LISTEN },
		{ "token-file", required_argument, NULL, O_TOKEN },
		{ "cors", required_argument, NULL, O_CORS },
		{ "tls-cert", required_argument, NULL, O_CERT },
		{ "tls-key", required_argument, NULL, O_KEY },
		{ "max-conns-per-ip", required_argument, NULL, O_PERIP },
		{ "max-conns", required_argument, NULL, O_MAXC },
		{ "accept-events", no_argument, NULL, O_ACCEPT },
		{ "db", required_argument, NULL, O_DB },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "ticks", required_argument, NULL, O_TICKS },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "no-system", no_argument, NULL, O_NOSYS },
		{ "help", no_argument, NULL, O_HELP }, { NULL, 0, NULL, 0 } };
	const char *listen[SERVE_MAX_LISTEN], *sources[SERVE_MAX_SOURCES];
	const char *token_file = NULL, *cert = NULL, *key = NULL;
	struct sr_app_opts ao;
	struct sr_web_cfg wc;
	struct serve sv;
	struct sr_err err;
	const struct sr_config *conf;
	char *token = NULL, *cert_pem = NULL, *key_pem = NULL;
	long long v;
	int c, rc = SR_EXIT_OK;

	memset(&wc, 0, sizeof(wc));
	memset(&sv, 0, sizeof(sv));
	sr_app_opts_init(&ao);
	ao.cmd = "serve";
	ao.sources = sources;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN:
			if (wc.n_listen == SERVE_MAX_LISTEN)
				return sr_usage_error("serve",
				    "at most %d "
				    "--listen addresses",
				    SERVE_MAX_LISTEN);
			listen[wc.n_listen++] = optarg;
			break;
		case O_TOKEN:
			token_file = optarg;
			break;
		case O_CORS:
			if (*optarg == '\0' || strchr(optarg, '\n') ||
			    strchr(optarg, '\r'))
				return sr_usage_error("serve",
				    "bad --cors origin '%s'", optarg);
			wc.cors_origin = optarg;
			break;
		case O_CERT:
			cert = optarg;
			break;
		case O_KEY:
			key = optarg;
			break;
		case O_PERIP:
			if (serve_num(optarg, 1, 100000, &v) < 0)
				return sr_usage_error("serve",
				    "bad "
				    "--max-conns-per-ip '%s': want 1..100000",
				    optarg);
			wc.max_conns_per_ip = (unsigned)v;
			break;
		case O_MAXC:
			if (serve_num(optarg, 1, 100000, &v) < 0)
				return sr_usage_error("serve",
				    "bad "
				    "--max-conns '%s': want 1..100000",
				    optarg);
			wc.max_conns = (unsigned)v;
			break;
		case O_ACCEPT:
			wc.accept_events = 1;
			break;
		case O_DB:
			ao.db_path = optarg;
			break;
		case O_CONFIG:
			ao.config_path = optarg;
			break;
		case O_INTERVAL: {
			int64_t ms;

			if (sr_duration_parse(optarg, &ms, &err) < 0 || ms < 10)
				return sr_usage_error("serve",
				    "bad "
				    "--interval '%s': want a duration of at "
				    "least 10ms",
				    optarg);
			ao.interval_ms = ms;
			break;
		}
		case O_TICKS:
			if (serve_num(optarg, 1, INT64_MAX, &v) < 0)
				return sr_usage_error("serve",
				    "bad --ticks "
				    "'%s': want a positive number",
				    optarg);
			ao.max_ticks = v;
			break;
		case O_SOURCE:
			if (ao.nsources == SERVE_MAX_SOURCES)
				return sr_usage_error("serve",
				    "too many "
				    "--source options");
			if (sr_source_spec_check(optarg, &err) == -1)
				return sr_usage_error("serve", "%s", err.msg);
			sources[ao.nsources++] = optarg;
			break;
		case O_NOSYS:
			ao.no_system = 1;
			break;
		case O_HELP:
			usage(stdout);
			return SR_EXIT_OK;
		case ':':
			return sr_usage_error("serve",
			    "option '%s' needs a "
			    "value",
			    argv[optind - 1]);
		default:
			return sr_usage_error("serve", "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return sr_usage_error("serve", "unexpected argument '%s'",
		    argv[optind]);
	if ((cert == NULL) != (key == NULL))
		return sr_usage_error("serve",
		    "--tls-cert and --tls-key go "
		    "together");

	sv.started_ms = sr_now_ms();
	sv.app = sr_app_new(&ao, &err);
	if (sv.app == NULL) {
		fprintf(stderr, "sitrep serve: %s\n", err.msg);
		return SR_EXIT_FAIL;
	}
	/* [serve] in the config fills what the command line left out. */
	conf = sr_app_config(sv.app);
	if (conf != NULL) {
		if (wc.n_listen == 0 && conf->serve.listen != NULL &&
		    *conf->serve.listen != '\0')
			listen[wc.n_listen++] = conf->serve.listen;
		if (token_file == NULL)
			token_file = conf->serve.token_file;
		if (wc.cors_origin == NULL)
			wc.cors_origin = conf->serve.cors;
		if (conf->serve.accept_events)
			wc.accept_events = 1;
	}
	if (token_file != NULL &&
	    (token = serve_token(token_file, &err)) == NULL)
		goto fail;
	if (cert != NULL &&
	    ((cert_pem = serve_pem(cert, &err)) == NULL ||
		(key_pem = serve_pem(key, &err)) == NULL))
		goto fail;
	sv.db_path = sr_app_db_path(sv.app);
	wc.listen = listen;
	wc.token = token;
	wc.tls_cert_pem = cert_pem;
	wc.tls_key_pem = key_pem;
	wc.db_path = sv.db_path;
	wc.post = serve_post;
	wc.post_ctx = &sv;
	sv.web = sr_web_open(&wc, &err);
	if (sv.web == NULL)
		goto fail;
	sr_app_on_publish(sv.app, serve_publish, &sv);
	fprintf(stderr, "sitrep serve: started (database %s)\n",
	    sv.db_path ? sv.db_path : "?");
	if (sr_app_run(sv.app, &err) < 0) {
		fprintf(stderr, "sitrep serve: %s\n", err.msg);
		rc = SR_EXIT_FAIL;
	}
	sr_app_on_publish(sv.app, NULL, NULL);
	sr_web_close(sv.web);
	sr_app_free(sv.app);
	fprintf(stderr, "sitrep serve: stopped\n");
	free(token);
	free(cert_pem);
	free(key_pem);
	return rc;
fail:
	fprintf(stderr, "sitrep serve: %s\n", err.msg);
	sr_web_close(sv.web);
	sr_app_free(sv.app);
	free(token);
	free(cert_pem);
	free(key_pem);
	return SR_EXIT_FAIL;
}
