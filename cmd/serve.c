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
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/options.h"
#include "collectors/source.h"
#include "core/config.h"
#include "core/snapshot.h"
#include "core/store.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "runtime/app.h"
#include "web/guard.h"
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
	if (st != NULL)
		info.store_pending = sr_store_pending(st);
	info.store_bytes = serve_db_bytes(sv->db_path);
	sr_web_stats(sv->web, &info.http);
	info.cpu_us = sr_cpu_us();
	sr_web_publish(sv->web, sr_web_render(snap, &info));
}

/*
 * The server's limits from [serve] (defaults there), where the command
 * line left them; 0, or -1 with err naming the key and its range.
 */
static int
serve_limits(struct sr_web_cfg *wc, const struct sr_config_serve *cs,
    struct sr_err *err)
{
	const struct {
		const char *key;
		int64_t v, lo, hi;
	} k[] = {
		{ "max_conns", cs->max_conns, 1, 100000 },
		{ "max_conns_per_ip", cs->max_conns_per_ip, 1, 100000 },
		{ "max_body", cs->max_body, 1, 256 * 1024 * 1024 },
		{ "max_url", cs->max_url, 256, 1024 * 1024 },
		{ "max_header", cs->max_header, 1024, 1024 * 1024 },
		{ "timeout", cs->timeout_ms / 1000, 1, 86400 },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (k[i].v < k[i].lo || k[i].v > k[i].hi)
			return sr_err_set(err,
			    "bad [serve] %s %lld: want %lld..%lld%s", k[i].key,
			    (long long)k[i].v, (long long)k[i].lo,
			    (long long)k[i].hi,
			    strcmp(k[i].key, "timeout") == 0 ? " seconds" : "");
	if (wc->max_conns == 0)
		wc->max_conns = (unsigned)cs->max_conns;
	if (wc->max_conns_per_ip == 0)
		wc->max_conns_per_ip = (unsigned)cs->max_conns_per_ip;
	wc->max_body = (size_t)cs->max_body;
	wc->max_url = (size_t)cs->max_url;
	wc->max_header = (size_t)cs->max_header;
	wc->timeout_s = (unsigned)(cs->timeout_ms / 1000);
	return 0;
}

/* --allow-host names and [serve] allow_host as one comma list, or NULL. */
static char *
serve_allow_hosts(const struct sr_opts *o, const char *conf)
{
	const char *names[SERVE_MAX_LISTEN * 4];
	size_t n = sr_opts_all(o, SR_O_ALLOW_HOST, names,
	    sizeof(names) / sizeof(names[0]));
	struct sr_buf b;

	sr_buf_init(&b);
	if (conf != NULL)
		sr_buf_adds(&b, conf);
	for (size_t i = 0; i < n && i < sizeof(names) / sizeof(names[0]); i++)
		sr_buf_addf(&b, "%s%s", b.len ? "," : "", names[i]);
	if (b.len == 0) {
		sr_buf_release(&b);
		return NULL;
	}
	return sr_buf_detach(&b, NULL);
}

static int
serve_post(void *ctx, const struct sr_event *evs, size_t n, uint64_t *ticket,
    struct sr_err *err)
{
	struct serve *sv = ctx;

	return sr_app_post_events(sv->app, evs, n, ticket, err);
}

/* The loop committed (or gave up on) a post: answer its request. */
static void
serve_post_done(void *ctx, uint64_t ticket, int committed)
{
	struct serve *sv = ctx;

	sr_web_post_done(sv->web, ticket, committed);
}

int
sr_cmd_serve(int argc, char **argv)
{
	const char *listen[SERVE_MAX_LISTEN], *sources[SERVE_MAX_SOURCES];
	const char *token_file, *cert, *key;
	struct sr_app_opts ao;
	struct sr_web_cfg wc;
	struct sr_opts o;
	struct serve sv;
	struct sr_err err;
	const struct sr_config *conf;
	char *token = NULL, *cert_pem = NULL, *key_pem = NULL, *hosts = NULL;
	const char *env_token;
	int64_t v;
	size_t n;
	int rc = SR_EXIT_OK;
	char stdin_spec[3200];

	memset(&wc, 0, sizeof(wc));
	memset(&sv, 0, sizeof(sv));
	sr_app_opts_init(&ao);
	ao.cmd = "serve";
	ao.sources = sources;
	if ((rc = sr_opts_parse("serve", argc, argv, &o)) != 0)
		return rc < 0 ? SR_EXIT_USAGE : SR_EXIT_OK;
	/*
	 * Two malloc arenas, before any thread starts: the main loop's and
	 * one the web server's threads share.  An arena each kept about
	 * 0.9 MB of responses per thread after a burst (1.4 MB of the RSS
	 * growth over 1M events, bench/cardinality_bench.sh); one arena in
	 * all would put the main loop behind the threads' lock.
	 */
	(void)mallopt(M_ARENA_MAX, 2);
	if (sr_opts_has(&o, SR_O_INGEST_FORMAT)) {
		if (sr_cmd_stdin_format("serve", o.v[SR_O_INGEST_FORMAT].s,
			stdin_spec, sizeof stdin_spec) != 0)
			return SR_EXIT_USAGE;
		ao.stdin_spec = stdin_spec;
	}
	n = sr_opts_all(&o, SR_O_LISTEN, listen, SERVE_MAX_LISTEN);
	if (n > SERVE_MAX_LISTEN)
		return sr_usage_error("serve", "at most %d --listen addresses",
		    SERVE_MAX_LISTEN);
	wc.n_listen = n;
	token_file = sr_opts_str(&o, SR_O_TOKEN_FILE, NULL);
	wc.cors_origin = sr_opts_str(&o, SR_O_CORS, NULL);
	if (wc.cors_origin != NULL &&
	    (*wc.cors_origin == '\0' || strchr(wc.cors_origin, '\n') ||
		strchr(wc.cors_origin, '\r')))
		return sr_usage_error("serve", "bad --cors origin '%s'",
		    wc.cors_origin);
	cert = sr_opts_str(&o, SR_O_TLS_CERT, NULL);
	key = sr_opts_str(&o, SR_O_TLS_KEY, NULL);
	if (sr_opts_has(&o, SR_O_MAX_CONNS_PER_IP)) {
		v = o.v[SR_O_MAX_CONNS_PER_IP].i;
		if (v < 1 || v > 100000)
			return sr_usage_error("serve",
			    "bad --max-conns-per-ip '%s': want 1..100000",
			    o.v[SR_O_MAX_CONNS_PER_IP].s);
		wc.max_conns_per_ip = (unsigned)v;
	}
	if (sr_opts_has(&o, SR_O_MAX_CONNS)) {
		v = o.v[SR_O_MAX_CONNS].i;
		if (v < 1 || v > 100000)
			return sr_usage_error("serve",
			    "bad --max-conns '%s': want 1..100000",
			    o.v[SR_O_MAX_CONNS].s);
		wc.max_conns = (unsigned)v;
	}
	wc.accept_events = sr_opts_has(&o, SR_O_ACCEPT_EVENTS);
	wc.otlp_listen = sr_opts_str(&o, SR_O_OTLP_LISTEN, NULL);
	wc.accept_otlp =
	    sr_opts_has(&o, SR_O_ACCEPT_OTLP) || wc.otlp_listen != NULL;
	ao.db_path = sr_opts_str(&o, SR_O_DB, NULL);
	ao.config_path = sr_opts_str(&o, SR_O_CONFIG, NULL);
	if (sr_opts_has(&o, SR_O_INTERVAL)) {
		if (o.v[SR_O_INTERVAL].i < 10)
			return sr_usage_error("serve",
			    "bad --interval '%s': want a duration of at least "
			    "10ms",
			    o.v[SR_O_INTERVAL].s);
		ao.interval_ms = o.v[SR_O_INTERVAL].i;
	}
	if (sr_opts_has(&o, SR_O_TICKS)) {
		if (o.v[SR_O_TICKS].i < 1)
			return sr_usage_error("serve",
			    "bad --ticks '%s': want a positive number",
			    o.v[SR_O_TICKS].s);
		ao.max_ticks = o.v[SR_O_TICKS].i;
	}
	n = sr_opts_all(&o, SR_O_SOURCE, sources, SERVE_MAX_SOURCES);
	if (n > SERVE_MAX_SOURCES)
		return sr_usage_error("serve", "too many --source options");
	ao.nsources = (int)n;
	ao.no_system = sr_opts_has(&o, SR_O_NO_SYSTEM);
	ao.otlp_export = sr_opts_str(&o, SR_O_OTLP_EXPORT, NULL);
	if (ao.otlp_export != NULL &&
	    sr_cmd_otlp_url("serve", ao.otlp_export) != 0)
		return SR_EXIT_USAGE;
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
		if (wc.otlp_listen == NULL && conf->serve.otlp_listen != NULL &&
		    *conf->serve.otlp_listen != '\0')
			wc.otlp_listen = conf->serve.otlp_listen;
		if (conf->serve.accept_otlp || wc.otlp_listen != NULL)
			wc.accept_otlp = 1;
		wc.limits = &conf->limits;
		if (serve_limits(&wc, &conf->serve, &err) < 0) {
			fprintf(stderr, "sitrep serve: %s\n", err.msg);
			sr_app_free(sv.app);
			return SR_EXIT_USAGE;
		}
	}
	hosts = serve_allow_hosts(&o, conf ? conf->serve.allow_host : NULL);
	if (sr_web_guard_check(hosts, &err) < 0) {
		fprintf(stderr,
		    "sitrep serve: %s (--allow-host, [serve] allow_host)\n",
		    err.msg);
		free(hosts);
		sr_app_free(sv.app);
		return SR_EXIT_USAGE;
	}
	wc.allow_hosts = hosts;
	if (token_file != NULL &&
	    (token = serve_token(token_file, &err)) == NULL)
		goto fail;
	/* no token file: $SITREP_TOKEN holds the token itself */
	if (token == NULL && (env_token = getenv("SITREP_TOKEN")) != NULL &&
	    *env_token != '\0')
		token = sr_xstrdup(env_token);
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
	sr_app_on_commit(sv.app, serve_post_done, &sv);
	fprintf(stderr, "sitrep serve: started (database %s)\n",
	    sv.db_path ? sv.db_path : "?");
	if (sr_app_run(sv.app, &err) < 0) {
		fprintf(stderr, "sitrep serve: %s\n", err.msg);
		rc = SR_EXIT_FAIL;
	}
	sr_app_on_publish(sv.app, NULL, NULL);
	sr_app_on_commit(sv.app, NULL, NULL);
	sr_web_close(sv.web); /* answers posts still waiting: 503 */
	sr_app_free(sv.app);
	fprintf(stderr, "sitrep serve: stopped\n");
	free(hosts);
	free(token);
	free(cert_pem);
	free(key_pem);
	return rc;
fail:
	fprintf(stderr, "sitrep serve: %s\n", err.msg);
	sr_web_close(sv.web);
	sr_app_free(sv.app);
	free(hosts);
	free(token);
	free(cert_pem);
	free(key_pem);
	return SR_EXIT_FAIL;
}
