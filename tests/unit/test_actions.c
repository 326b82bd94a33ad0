/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for actions/: a real script receives the insight (env and
 * JSON on stdin), a late command is killed, a webhook POST reaches a
 * real HTTP receiver on 127.0.0.1 (a small one in a thread here), a
 * failing one is retried, and a receiver that hangs does not hold up
 * the tick.  actions/ is in libsitrep.a, which the runner links.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actions/action_int.h"
#include "actions/actions.h"
#include "core/insight.h"
#include "core/timeutil.h"

void sr_test_actions_suite(void);

#define T0 1700000000000LL

/* ---- a tiny HTTP receiver ---- */

struct receiver {
	int fd;
	int port;
	int mode;	/* 0 answer, 1 hang */
	int fail_first; /* answer 500 this many times */
	int served;
	char body[8192];
	pthread_t th;
	/* hang mode: requests read whole, and closed by the client before
	 * receiver_stop() (under lock); stop[0] wakes the thread */
	pthread_mutex_t lock;
	int hung;
	int hung_closed;
	int stop[2];
};

/* Read one request (headers and Content-Length body) into buf; 0 or -1. */
static int
receiver_read(int c, char *buf, size_t size, char **hdr_end)
{
	size_t len = 0;

	*hdr_end = NULL;
	buf[0] = '\0';
	while (len < size - 1) {
		ssize_t n = read(c, buf + len, size - 1 - len);
		char *cl;

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		*hdr_end = strstr(buf, "\r\n\r\n");
		cl = strstr(buf, "Content-Length:");
		if (*hdr_end != NULL && cl != NULL &&
		    len >= (size_t)(*hdr_end + 4 - buf) + (size_t)atoi(cl + 15))
			return 0;
	}
	return -1;
}

/*
 * Hang: count the request, answer nothing, and wait for the client to
 * give up (counted) or for receiver_stop().
 */
static void
receiver_hang(struct receiver *r, int c)
{
	char buf[16384], *hdr_end;
	struct pollfd p[2];

	if (receiver_read(c, buf, sizeof(buf), &hdr_end) < 0 ||
	    strncmp(buf, "POST /hook ", 11) != 0)
		return;
	pthread_mutex_lock(&r->lock);
	r->hung++;
	pthread_mutex_unlock(&r->lock);
	p[0] = (struct pollfd){ .fd = c, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = r->stop[0], .events = POLLIN };
	while (poll(p, 2, -1) < 0)
		;
	if (p[0].revents != 0 && p[1].revents == 0) {
		pthread_mutex_lock(&r->lock);
		r->hung_closed++;
		pthread_mutex_unlock(&r->lock);
	}
}

static void *
receiver_main(void *arg)
{
	struct receiver *r = arg;

	for (int k = 0; k < 8; k++) {
		char buf[16384];
		int c = accept(r->fd, NULL, NULL);
		char *hdr_end = NULL;

		if (c < 0)
			return NULL;
		if (r->mode == 1) {
			receiver_hang(r, c);
			(void)close(c);
			continue;
		}
		(void)receiver_read(c, buf, sizeof(buf), &hdr_end);
		if (hdr_end != NULL)
			(void)snprintf(r->body, sizeof(r->body), "%s",
			    hdr_end + 4);
		if (r->fail_first > 0) {
			r->fail_first--;
			static const char e500[] =
			    "HTTP/1.1 500 Oops\r\n"
			    "Content-Length: 0\r\nConnection: close\r\n\r\n";

			(void)!write(c, e500, sizeof(e500) - 1);
		} else {
			r->served++;
			static const char ok[] =
			    "HTTP/1.1 200 OK\r\n"
			    "Content-Length: 0\r\nConnection: close\r\n\r\n";

			(void)!write(c, ok, sizeof(ok) - 1);
		}
		(void)close(c);
	}
	return NULL;
}

static void
receiver_start(struct receiver *r, int mode, int fail_first)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->fail_first = fail_first;
	pthread_mutex_init(&r->lock, NULL);
	CU_ASSERT_FATAL(pipe(r->stop) == 0);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(r->fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(bind(r->fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(listen(r->fd, 8) == 0);
	CU_ASSERT_FATAL(getsockname(r->fd, (struct sockaddr *)&a, &al) == 0);
	r->port = ntohs(a.sin_port);
	CU_ASSERT_FATAL(pthread_create(&r->th, NULL, receiver_main, r) == 0);
}

static void
receiver_stop(struct receiver *r)
{
	(void)!write(r->stop[1], "x", 1);
	(void)shutdown(r->fd, SHUT_RDWR);
	(void)close(r->fd);
	(void)pthread_join(r->th, NULL);
	(void)close(r->stop[0]);
	(void)close(r->stop[1]);
	pthread_mutex_destroy(&r->lock);
}

/* r's hang counters, read under its lock. */
static void
receiver_hung(struct receiver *r, int *hung, int *closed)
{
	pthread_mutex_lock(&r->lock);
	*hung = r->hung;
	*closed = r->hung_closed;
	pthread_mutex_unlock(&r->lock);
}

/* ---- tests ---- */

static void
fire_cpu(struct sr_engine *e, int from, int to)
{
	for (int t = from; t < to; t++) {
		sr_engine_sample(e, "cpu.total.busy_pct", "%", T0 + t * 1000LL,
		    97);
		sr_engine_tick(e, T0 + t * 1000LL, NULL);
	}
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	static char buf[8192];
	size_t n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	(void)fclose(fp);
	return buf;
}

static void
test_command(void)
{
	char dir[] = "/tmp/sitrep-act-XXXXXX";
	char cmd[512], path[256];
	struct sr_config cfg;
	struct sr_engine *e;
	struct sr_err err;
	cJSON *j;
	char *s;
	int done = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	sr_config_init(&cfg);
	(void)snprintf(cmd, sizeof(cmd),
	    "cat > %s/in.json && env | grep "
	    "^SITREP_INSIGHT_ > %s/env && touch %s/done",
	    dir, dir, dir);
	cfg.actions[0].name = sr_xstrdup("script");
	cfg.actions[0].command = sr_xstrdup(cmd);
	cfg.actions[0].on = SR_ACTION_ON_FIRE;
	cfg.actions[0].timeout_ms = 5000;
	cfg.actions[0].min_severity = SR_SEV_WARN;
	cfg.actions[0].match = sr_xstrdup("cpu:*");
	cfg.n_actions = 1;
	e = sr_engine_new(&cfg);
	CU_ASSERT_EQUAL_FATAL(sr_actions_attach(e, &cfg, &err), 0);
	fire_cpu(e, 0, 121);
	(void)snprintf(path, sizeof(path), "%s/done", dir);
	/* bounded wait for the script, reaping on each tick */
	for (int i = 0; i < 100 && !done; i++) {
		usleep(50000);
		fire_cpu(e, 121 + i, 122 + i);
		done = access(path, F_OK) == 0;
	}
	CU_ASSERT_TRUE_FATAL(done);
	(void)snprintf(path, sizeof(path), "%s/in.json", dir);
	s = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	j = cJSON_Parse(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "id")->valuestring,
	    "cpu:host");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "state")->valuestring,
	    "firing");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "severity")->valuestring,
	    "critical");
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(cJSON_GetObjectItem(j, "text")->valuestring, "cpu:host"));
	cJSON_Delete(j);
	(void)snprintf(path, sizeof(path), "%s/env", dir);
	s = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "SITREP_INSIGHT_ID=cpu:host\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "SITREP_INSIGHT_STATE=firing\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "SITREP_INSIGHT_SEVERITY=critical\n"));
	sr_engine_free(e);
	sr_config_release(&cfg);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

static void
test_command_timeout(void)
{
	struct sr_exec *x = sr_exec_new();
	struct sr_action_msg m;
	struct sr_snap_insight in;
	int left = 1;

	memset(&in, 0, sizeof(in));
	in.id = in.rule = in.subject = in.title = "t";
	in.description = in.recommendation = "";
	sr_action_msg_init(&m, &in, SR_INS_PENDING, T0);
	CU_ASSERT_EQUAL(sr_exec_start(x, "sleep 30", 200, &m, NULL), 0);
	CU_ASSERT_EQUAL(sr_exec_start(x, "exit 0", 5000, &m, NULL), 0);
	for (int i = 0; i < 100 && left > 0; i++) {
		usleep(20000);
		left = (int)sr_exec_poll(x);
	}
	CU_ASSERT_EQUAL(left, 0);
	CU_ASSERT_EQUAL(sr_exec_ok(x), 1);
	CU_ASSERT_EQUAL(sr_exec_failed(x), 1); /* killed at 200 ms */
	sr_action_msg_release(&m);
	sr_exec_free(x);
}

static void
test_webhook_post_and_retry(void)
{
	struct receiver r;
	struct sr_webhook *w;
	char url[64];
	cJSON *j;

	receiver_start(&r, 0, 1); /* first answer 500, then 200 */
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", r.port);
	w = sr_webhook_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(sr_webhook_post(w, url, 2000, 3,
			    "{\"text\":\"hello\",\"id\":\"x:y\"}", NULL),
	    0);
	for (int i = 0; i < 300 && sr_webhook_poll(w, sr_mono_ms()) > 0; i++)
		usleep(20000);
	CU_ASSERT_EQUAL(sr_webhook_ok(w), 1);
	CU_ASSERT_EQUAL(sr_webhook_failed(w), 0);
	CU_ASSERT_EQUAL(r.served, 1);
	j = cJSON_Parse(r.body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "text")->valuestring,
	    "hello");
	cJSON_Delete(j);
	sr_webhook_free(w);
	receiver_stop(&r);
}

/*
 * A receiver that takes the webhook and never answers: the POST arrives
 * (counted at the receiver), and the ticks after it run while the
 * receiver still holds it open (a tick that waited on it would return
 * only once curl's 10 s timeout had closed the connection).
 */
static void
test_webhook_hang_does_not_block(void)
{
	struct receiver r;
	struct sr_config cfg;
	struct sr_engine *e;
	char url[64];
	int64_t worst = 0;
	int hung = 0, closed = 0, t = 0, after = 0;

	receiver_start(&r, 1, 0);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", r.port);
	sr_config_init(&cfg);
	cfg.actions[0].name = sr_xstrdup("hook");
	cfg.actions[0].webhook = sr_xstrdup(url);
	cfg.actions[0].on = SR_ACTION_ON_FIRE;
	cfg.actions[0].timeout_ms = 10000;
	cfg.actions[0].retries = 0;
	cfg.actions[0].min_severity = SR_SEV_WARN;
	cfg.actions[0].match = sr_xstrdup("*");
	cfg.n_actions = 1;
	e = sr_engine_new(&cfg);
	CU_ASSERT_EQUAL_FATAL(sr_actions_attach(e, &cfg, NULL), 0);
	/* tick until the receiver holds the POST (bounded), then 20 more */
	for (; t < 620 && after < 20; t++) {
		int64_t a = sr_mono_ms(), d;

		sr_engine_sample(e, "cpu.total.busy_pct", "%", T0 + t * 1000LL,
		    97);
		sr_engine_tick(e, T0 + t * 1000LL, NULL);
		d = sr_mono_ms() - a;
		if (d > worst)
			worst = d;
		receiver_hung(&r, &hung, &closed);
		if (hung > 0)
			after++;
		if (t >= 120)
			usleep(20000);
	}
	CU_ASSERT_EQUAL(hung, 1);   /* the webhook really was sent */
	CU_ASSERT_EQUAL(after, 20); /* and ticks went on after it */
	CU_ASSERT_EQUAL(closed, 0); /* while it was still in flight */
	/* a functional bound, far from the 10 s the receiver hangs */
	CU_ASSERT(worst < 1000);
	sr_engine_free(e);
	sr_config_release(&cfg);
	receiver_stop(&r);
}

void
sr_test_actions_suite(void)
{
	CU_pSuite s = CU_add_suite("actions", NULL, NULL);

	CU_add_test(s, "command gets env and JSON", test_command);
	CU_add_test(s, "late command is killed", test_command_timeout);
	CU_add_test(s, "webhook POST with a retry",
	    test_webhook_post_and_retry);
	CU_add_test(s, "hanging receiver does not block the tick",
	    test_webhook_hang_does_not_block);
}
