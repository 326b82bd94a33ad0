/* SPDX-License-Identifier: MIT */
/*
 * webhook: POST JSON with libcurl's multi interface, driven from the
 * tick with curl_multi_perform() (never curl_easy_perform, never a
 * blocking wait).  A failed POST (transport error, timeout, or a status
 * outside 2xx) is retried up to `retries` times after 1 s, 2 s, 4 s ...
 */
#include "actions/action_int.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

struct hook_req {
	CURL *easy; /* NULL while waiting for a retry */
	char *url;
	char *json;
	int64_t timeout_ms;
	int retries_left;
	int attempt;
	int64_t retry_at_ms; /* monotonic */
};

struct sr_webhook {
	CURLM *multi;
	struct curl_slist *headers;
	struct hook_req **reqs;
	size_t n;
	uint64_t ok, failed;
};

struct sr_webhook *
sr_webhook_new(struct sr_err *err)
{
	struct sr_webhook *w;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		sr_err_set(err, "cannot initialise libcurl");
		return NULL;
	}
	w = sr_xcalloc(1, sizeof(*w));
	w->multi = curl_multi_init();
	if (w->multi == NULL) {
		free(w);
		sr_err_set(err, "cannot create a curl multi handle");
		return NULL;
	}
	w->headers = curl_slist_append(NULL, "Content-Type: application/json");
	return w;
}

static size_t
hook_discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static int
hook_start(struct sr_webhook *w, struct hook_req *r)
{
	CURL *e = curl_easy_init();

	if (e == NULL)
		return -1;
	(void)curl_easy_setopt(e, CURLOPT_URL, r->url);
	(void)curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->json);
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->headers);
	(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	(void)curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)r->timeout_ms);
	(void)curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, hook_discard);
	(void)curl_easy_setopt(e, CURLOPT_USERAGENT, "sitrep/" SR_VERSION);
	(void)curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	if (curl_multi_add_handle(w->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		return -1;
	}
	r->easy = e;
	r->attempt++;
	return 0;
}

int
sr_webhook_post(struct sr_webhook *w, const char *url, int64_t timeout_ms,
    int retries, const char *json, struct sr_err *err)
{
	struct hook_req *r = sr_xcalloc(1, sizeof(*r));

	r->url = sr_xstrdup(url);
	r->json = sr_xstrdup(json);
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	r->retries_left = retries;
	w->reqs = sr_xrealloc(w->reqs, (w->n + 1) * sizeof(*w->reqs));
	w->reqs[w->n++] = r;
	if (hook_start(w, r) < 0) {
		char *shown = sr_redact(url); /* it may hold a token */

		sr_err_set(err, "cannot start a POST to '%s'", shown);
		free(shown);
		return -1;
	}
	return 0;
}

static void
hook_drop(struct sr_webhook *w, struct hook_req *r)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->reqs[i] == r) {
			w->reqs[i] = w->reqs[--w->n];
			break;
		}
	if (r->easy != NULL) {
		(void)curl_multi_remove_handle(w->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	free(r->url);
	free(r->json);
	free(r);
}

size_t
sr_webhook_poll(struct sr_webhook *w, int64_t now)
{
	int running = 0, left;
	CURLMsg *m;

	/* due retries first */
	for (size_t i = 0; i < w->n; i++) {
		struct hook_req *r = w->reqs[i];

		if (r->easy == NULL && now >= r->retry_at_ms &&
		    hook_start(w, r) < 0) {
			w->failed++;
			hook_drop(w, r);
			i--;
		}
	}
	(void)curl_multi_perform(w->multi, &running);
	while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
		struct hook_req *r = NULL;
		long code = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)&r);
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE,
		    &code);
		if (m->data.result == CURLE_OK && code >= 200 && code < 300) {
			w->ok++;
			hook_drop(w, r);
			continue;
		}
		(void)curl_multi_remove_handle(w->multi, r->easy);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
		if (r->retries_left-- <= 0) {
			w->failed++;
			hook_drop(w, r);
			continue;
		}
		/* exponential backoff: 1 s, 2 s, 4 s ... */
		r->retry_at_ms = now +
		    (1000LL << (r->attempt - 1 < 10 ? r->attempt - 1 : 10));
	}
	return w->n;
}

void
sr_webhook_free(struct sr_webhook *w)
{
	if (w == NULL)
		return;
	while (w->n > 0)
		hook_drop(w, w->reqs[0]);
	free(w->reqs);
	curl_slist_free_all(w->headers);
	(void)curl_multi_cleanup(w->multi);
	free(w);
	curl_global_cleanup();
}

uint64_t
sr_webhook_ok(const struct sr_webhook *w)
{
	return w->ok;
}

uint64_t
sr_webhook_failed(const struct sr_webhook *w)
{
	return w->failed;
}
