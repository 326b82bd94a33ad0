/* SPDX-License-Identifier: MIT */
/*
 * demo: see demo.h.  The stream is a pool of live sessions; each event
 * picks a session, the session's persona picks an endpoint, the endpoint's
 * profile draws a latency (and tokens for a model call), and the status is
 * drawn from base rates raised by any incident in force.  The incident
 * schedule is a pure function of (seed, start, time), so it does not
 * depend on how many events were drawn before.
 */
#include "collectors/demo.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/timeutil.h"

#define DEMO_SESSIONS 96 /* live sessions at any time */
#define DEMO_USERS 400
#define DEMO_SLOT_MS (10 * 60 * 1000) /* one incident per slot */

struct demo_rng {
	uint64_t s[4];
};

enum demo_kind {
	K_PLAIN, /* a web or API request */
	K_CHAT,	 /* chat completion through the gateway or vllm */
	K_EMBED, /* embeddings */
	K_ASR,	 /* speech to text */
	K_IMAGE, /* text to image */
};

struct demo_endpoint {
	const char *service;
	const char *endpoint;
	const char *event_type;
	const char *method;
	enum demo_kind kind;
	double median_ms; /* lognormal latency (plain kinds) */
	double sigma;
	int gateway; /* 1: litellm adds its overhead */
};

/* Indexes into endpoints[] used by the personas below. */
enum {
	EP_HOME,
	EP_CHAT_PAGE,
	EP_CHATS_API,
	EP_SIGNIN,
	EP_ASSET,
	EP_GW_CHAT,
	EP_VLLM_CHAT,
	EP_VLLM_COMPL,
	EP_GW_EMBED,
	EP_EMBED,
	EP_QDRANT_SEARCH,
	EP_QDRANT_UPSERT,
	EP_ASR,
	EP_IMAGE,
	EP_HEALTH,
	EP__COUNT
};

static const struct demo_endpoint endpoints[EP__COUNT] = {
	[EP_HOME] = { "webui", "/", "page_view", "GET", K_PLAIN, 38, 0.5, 0 },
	[EP_CHAT_PAGE] = { "webui", "/c/{id}", "page_view", "GET", K_PLAIN, 52,
	    0.5, 0 },
	[EP_CHATS_API] = { "webui", "/api/v1/chats", "request", "GET", K_PLAIN,
	    24, 0.6, 0 },
	[EP_SIGNIN] = { "webui", "/api/v1/auths/signin", "request", "POST",
	    K_PLAIN, 85, 0.4, 0 },
	[EP_ASSET] = { "webui", "/static/app.js", "request", "GET", K_PLAIN, 7,
	    0.7, 0 },
	[EP_GW_CHAT] = { "litellm", "/v1/chat/completions", "llm_call", "POST",
	    K_CHAT, 0, 0, 1 },
	[EP_VLLM_CHAT] = { "vllm", "/v1/chat/completions", "llm_call", "POST",
	    K_CHAT, 0, 0, 0 },
	[EP_VLLM_COMPL] = { "vllm", "/v1/completions", "llm_call", "POST",
	    K_CHAT, 0, 0, 0 },
	[EP_GW_EMBED] = { "litellm", "/v1/embeddings", "embedding", "POST",
	    K_EMBED, 22, 0.5, 1 },
	[EP_EMBED] = { "embeddings", "/v1/embeddings", "embedding", "POST",
	    K_EMBED, 18, 0.5, 0 },
	[EP_QDRANT_SEARCH] = { "qdrant", "/collections/docs/points/search",
	    "search", "POST", K_PLAIN, 6, 0.6, 0 },
	[EP_QDRANT_UPSERT] = { "qdrant", "/collections/docs/points", "request",
	    "PUT", K_PLAIN, 28, 0.7, 0 },
	[EP_ASR] = { "whisper", "/v1/audio/transcriptions", "transcription",
	    "POST", K_ASR, 900, 0.5, 0 },
	[EP_IMAGE] = { "sd", "/sdapi/v1/txt2img", "image", "POST", K_IMAGE,
	    3400, 0.3, 0 },
	[EP_HEALTH] = { "litellm", "/health", "request", "GET", K_PLAIN, 2, 0.4,
	    0 },
};

struct demo_model {
	const char *name;
	double ms_per_token; /* decode speed */
	double ttft_ms;	     /* median time to first token */
	int weight;
	int max_seqs; /* the vLLM server's batch limit (--max-num-seqs) */
};

static const struct demo_model models[] = {
	{ "llama-3.1-8b", 11.0, 95, 40, 64 },
	{ "qwen2.5-7b", 10.0, 90, 30, 48 },
	{ "mistral-7b-instruct", 12.0, 110, 18, 32 },
	{ "llama-3.1-70b", 34.0, 210, 12, 64 },
};
#define DEMO_NMODELS (sizeof models / sizeof models[0])

/* Per persona: endpoint weights (sum 100 each). */
struct demo_persona {
	int weight;
	struct {
		int ep, w;
	} mix[8];
};

static const struct demo_persona personas[] = {
	{ 45,
	    { { EP_HOME, 6 }, { EP_CHAT_PAGE, 10 }, { EP_CHATS_API, 8 },
		{ EP_ASSET, 4 }, { EP_GW_CHAT, 35 }, { EP_VLLM_CHAT, 35 },
		{ EP_SIGNIN, 2 }, { -1, 0 } } },
	{ 25,
	    { { EP_GW_EMBED, 10 }, { EP_EMBED, 14 }, { EP_QDRANT_SEARCH, 24 },
		{ EP_GW_CHAT, 20 }, { EP_VLLM_CHAT, 18 }, { EP_CHAT_PAGE, 8 },
		{ EP_QDRANT_UPSERT, 4 }, { EP_VLLM_COMPL, 2 } } },
	{ 10,
	    { { EP_ASR, 40 }, { EP_GW_CHAT, 28 }, { EP_VLLM_CHAT, 22 },
		{ EP_CHAT_PAGE, 10 }, { -1, 0 } } },
	{ 10,
	    { { EP_IMAGE, 50 }, { EP_HOME, 20 }, { EP_CHAT_PAGE, 20 },
		{ EP_ASSET, 10 }, { -1, 0 } } },
	{ 10,
	    { { EP_HOME, 35 }, { EP_CHAT_PAGE, 25 }, { EP_CHATS_API, 25 },
		{ EP_ASSET, 10 }, { EP_SIGNIN, 5 }, { -1, 0 } } },
};
#define DEMO_NPERSONAS (sizeof personas / sizeof personas[0])

/* Services an error burst can hit, and models a regression can hit. */
static const char *const burst_services[] = {
	"vllm",
	"qdrant",
	"embeddings",
	"litellm",
};

struct demo_session {
	char id[24];
	char user[16];
	int64_t end_ms;
	unsigned persona;
	unsigned model;
};

struct sr_demo {
	struct sr_demo_opts o;
	struct demo_rng rng;
	struct demo_session sess[DEMO_SESSIONS];
	char event_id[24];
	char message[200];
	char metadata[200];
};

/* splitmix64: seeds the generator and hashes the incident schedule. */
static uint64_t
demo_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline uint64_t
demo_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**. */
static uint64_t
demo_u64(struct demo_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = demo_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = demo_rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static double
demo_unit(struct demo_rng *r)
{
	return (double)(demo_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

static unsigned
demo_below(struct demo_rng *r, unsigned n)
{
	return (unsigned)(demo_unit(r) * n);
}

static double
demo_normal(struct demo_rng *r)
{
	double u = demo_unit(r), v = demo_unit(r);

	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

static double
demo_lognormal(struct demo_rng *r, double median, double sigma)
{
	return median * exp(sigma * demo_normal(r));
}

static double
demo_clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The incident of slot k (k >= 0 counted from the stream's start). */
static int
demo_slot_incident(const struct sr_demo *d, int64_t k,
    struct sr_demo_incident *inc)
{
	uint64_t h = demo_mix(d->o.seed ^ demo_mix((uint64_t)k + 1));
	int64_t start = d->o.start_ms + k * DEMO_SLOT_MS;
	int64_t off_s, dur_s;
	unsigned p = (unsigned)(h % 100);

	if (d->o.incidents == SR_DEMO_INCIDENTS_NONE)
		return 0;
	if (k == 0)
		inc->kind = SR_DEMO_ERROR_BURST; /* show one early */
	else if (p < 30)
		return 0;
	else if (p < 60)
		inc->kind = SR_DEMO_ERROR_BURST;
	else if (p < 85)
		inc->kind = SR_DEMO_LATENCY;
	else
		inc->kind = SR_DEMO_SPIKE;
	off_s = k == 0 ? 90 : 60 + (int64_t)((h >> 8) % 240);
	dur_s = 120 + (int64_t)((h >> 20) % 180);
	inc->from_ms = start + off_s * 1000;
	inc->to_ms = inc->from_ms + dur_s * 1000;
	if (inc->kind == SR_DEMO_ERROR_BURST)
		inc->subject = burst_services[(h >> 32) % 4];
	else if (inc->kind == SR_DEMO_LATENCY)
		inc->subject = models[(h >> 40) % DEMO_NMODELS].name;
	else
		inc->subject = NULL;
	return 1;
}

int
sr_demo_incident_at(const struct sr_demo *d, int64_t ts_ms,
    struct sr_demo_incident *inc)
{
	int64_t k;

	if (ts_ms < d->o.start_ms)
		return 0;
	k = (ts_ms - d->o.start_ms) / DEMO_SLOT_MS;
	if (!demo_slot_incident(d, k, inc))
		return 0;
	return ts_ms >= inc->from_ms && ts_ms < inc->to_ms;
}

double
sr_demo_rate_factor(const struct sr_demo *d, int64_t ts_ms)
{
	struct sr_demo_incident inc;
	double day_h = (double)(ts_ms % 86400000) / 3600000.0;
	double f;

	/* Busiest mid-afternoon UTC, quietest before dawn; a 17 min ripple. */
	f = 1.0 + 0.3 * sin(2.0 * M_PI * (day_h - 10.0) / 24.0);
	f += 0.1 * sin(2.0 * M_PI * (double)ts_ms / (17.0 * 60000.0));
	if (sr_demo_incident_at(d, ts_ms, &inc) && inc.kind == SR_DEMO_SPIKE)
		f *= 3.0;
	return f;
}

static void
demo_new_session(struct sr_demo *d, struct demo_session *s, int64_t ts_ms)
{
	unsigned u, w, acc = 0, i;
	double x = demo_unit(&d->rng);

	/* Some users are much busier than others. */
	u = (unsigned)(x * x * DEMO_USERS) + 1;
	(void)snprintf(s->user, sizeof s->user, "user_%03u", u);
	(void)snprintf(s->id, sizeof s->id, "sess_%012llx",
	    (unsigned long long)(demo_u64(&d->rng) >> 16));
	s->end_ms = ts_ms +
	    (int64_t)demo_clamp(demo_lognormal(&d->rng, 4 * 60000.0, 0.6),
		30000, 40 * 60000.0);
	/*
	 * A session slot keeps its persona, the slots split by the personas'
	 * weights: every persona is always live, so a service that only one
	 * persona uses (whisper, sd) never falls silent for minutes by
	 * chance, which a calm demo must not show.
	 */
	w = (unsigned)(((size_t)(s - d->sess) * 100 + 50) / DEMO_SESSIONS);
	for (i = 0; i < DEMO_NPERSONAS - 1; i++) {
		acc += (unsigned)personas[i].weight;
		if (w < acc)
			break;
	}
	s->persona = i;
	w = demo_below(&d->rng, 100);
	acc = 0;
	for (i = 0; i < DEMO_NMODELS - 1; i++) {
		acc += (unsigned)models[i].weight;
		if (w < acc)
			break;
	}
	s->model = i;
}

struct sr_demo *
sr_demo_new(const struct sr_demo_opts *o)
{
	struct sr_demo *d = sr_xcalloc(1, sizeof *d);
	uint64_t x = o->seed;

	d->o = *o;
	for (int i = 0; i < 4; i++) {
		x += 0x9e3779b97f4a7c15ULL;
		d->rng.s[i] = demo_mix(x);
	}
	for (int i = 0; i < DEMO_SESSIONS; i++) {
		demo_new_session(d, &d->sess[i], o->start_ms);
		/* Stagger the first sessions' ends so they do not all renew. */
		d->sess[i].end_ms = o->start_ms +
		    (int64_t)(demo_unit(&d->rng) *
			(double)(d->sess[i].end_ms - o->start_ms));
	}
	return d;
}

void
sr_demo_free(struct sr_demo *d)
{
	free(d);
}

/* A 4xx message with the ids and numbers real ones carry. */
static int
demo_client_error(struct sr_demo *d, const struct sr_event *ev, char *msg,
    size_t len)
{
	unsigned w = demo_below(&d->rng, 100);

	if (w < 30) {
		(void)snprintf(msg, len,
		    "invalid request: 'messages' must be "
		    "a non-empty array");
		return 400;
	}
	if (w < 45) {
		(void)snprintf(msg, len, "invalid API key sk-...%04x",
		    demo_below(&d->rng, 65536));
		return 401;
	}
	if (w < 65) {
		if (ev->model)
			(void)snprintf(msg, len, "model '%s-%u' not found",
			    ev->model, demo_below(&d->rng, 9) + 1);
		else
			(void)snprintf(msg, len, "not found: %s/%u",
			    ev->endpoint, demo_below(&d->rng, 100000));
		return 404;
	}
	if (w < 80) {
		(void)snprintf(msg, len,
		    "validation error: max_tokens must be "
		    "<= 4096 (got %u)",
		    4097 + demo_below(&d->rng, 12000));
		return 422;
	}
	(void)snprintf(msg, len, "rate limit exceeded for %s: %u requests/min",
	    ev->user_id ? ev->user_id : "anonymous",
	    60 * (1 + demo_below(&d->rng, 4)));
	return 429;
}

/* A 5xx message; bursts use their service's signature failure. */
static int
demo_server_error(struct sr_demo *d, const struct sr_event *ev, int burst,
    char *msg, size_t len)
{
	unsigned long long rid = (unsigned long long)(demo_u64(&d->rng) >> 16);
	unsigned w = demo_below(&d->rng, 100);
	const char *svc = ev->service;

	if (burst && strcmp(svc, "vllm") == 0) {
		if (w < 60) {
			(void)snprintf(msg, len,
			    "CUDA out of memory. Tried to "
			    "allocate %.2f GiB (request %012llx)",
			    0.25 * (1 + demo_below(&d->rng, 16)), rid);
			return 500;
		}
		(void)snprintf(msg, len,
		    "engine loop stopped: "
		    "AsyncEngineDeadError (request %012llx)",
		    rid);
		return 503;
	}
	if (burst && strcmp(svc, "qdrant") == 0) {
		(void)snprintf(msg, len,
		    "connection refused: qdrant-%u:6333 "
		    "(attempt %u)",
		    demo_below(&d->rng, 3), 1 + demo_below(&d->rng, 5));
		return 503;
	}
	if (burst && strcmp(svc, "litellm") == 0 && ev->model) {
		(void)snprintf(msg, len,
		    "upstream vllm returned 500: CUDA out "
		    "of memory (request %012llx)",
		    rid);
		return 502;
	}
	if (burst || w < 35) {
		(void)snprintf(msg, len,
		    "upstream timeout after 30000 ms "
		    "(request %012llx)",
		    rid);
		return 504;
	}
	if (w < 60) {
		(void)snprintf(msg, len,
		    "internal server error (request "
		    "%012llx)",
		    rid);
		return 500;
	}
	if (w < 80) {
		(void)snprintf(msg, len,
		    "bad gateway: upstream %s-%u reset the "
		    "connection",
		    svc, demo_below(&d->rng, 4));
		return 502;
	}
	(void)snprintf(msg, len,
	    "service unavailable: %s is overloaded "
	    "(queue %u)",
	    svc, 64 + demo_below(&d->rng, 960));
	return 503;
}

static unsigned
demo_pick_endpoint(struct sr_demo *d, const struct demo_session *s)
{
	const struct demo_persona *p = &personas[s->persona];
	unsigned w = demo_below(&d->rng, 100), acc = 0, i;

	for (i = 0; i < 8 && p->mix[i].ep >= 0; i++) {
		acc += (unsigned)p->mix[i].w;
		if (w < acc)
			return (unsigned)p->mix[i].ep;
	}
	return (unsigned)p->mix[0].ep;
}

static void
demo_metadata(struct sr_demo *d, const struct demo_endpoint *e, char *out,
    size_t len)
{
	static const char *const clients[] = {
		"openai-python/1.40.6",
		"open-webui/0.3.21",
		"curl/7.88.1",
		"langchain/0.2.14",
		"Mozilla/5.0",
	};
	static const char *const regions[] = {
		"eu-west-1",
		"us-east-1",
		"ap-south-1",
	};
	unsigned c = demo_below(&d->rng, 5), r = demo_below(&d->rng, 3);

	if (e->kind == K_CHAT)
		(void)snprintf(out, len,
		    "{\"method\":\"%s\",\"client\":\"%s\","
		    "\"stream\":%s,\"region\":\"%s\"}",
		    e->method, clients[c],
		    demo_below(&d->rng, 4) ? "true" : "false", regions[r]);
	else
		(void)snprintf(out, len,
		    "{\"method\":\"%s\",\"client\":\"%s\","
		    "\"trace_id\":\"%016llx\"}",
		    e->method, clients[c],
		    (unsigned long long)demo_u64(&d->rng));
}

void
sr_demo_next(struct sr_demo *d, int64_t ts_ms, struct sr_event *ev)
{
	struct sr_demo_incident inc;
	const struct demo_endpoint *e;
	const struct demo_model *m = NULL;
	struct demo_session *s = NULL;
	unsigned ep;
	int have_inc, burst = 0, status = 200;
	double slow = 1.0, p5 = 0.002, p4 = 0.015, lat, u;

	sr_event_clear(ev);
	ev->ts_ms = ts_ms;
	(void)snprintf(d->event_id, sizeof d->event_id, "evt_%016llx",
	    (unsigned long long)demo_u64(&d->rng));
	ev->event_id = d->event_id;
	have_inc = sr_demo_incident_at(d, ts_ms, &inc);

	if (demo_unit(&d->rng) < 0.015) {
		ep = EP_HEALTH; /* probes carry no user */
	} else {
		s = &d->sess[demo_below(&d->rng, DEMO_SESSIONS)];
		if (ts_ms >= s->end_ms)
			demo_new_session(d, s, ts_ms);
		ep = demo_pick_endpoint(d, s);
		ev->user_id = s->user;
		ev->session_id = s->id;
	}
	e = &endpoints[ep];
	ev->event_type = e->event_type;
	ev->service = e->service;
	ev->endpoint = e->endpoint;

	if (have_inc && inc.kind == SR_DEMO_ERROR_BURST) {
		if (strcmp(inc.subject, e->service) == 0) {
			burst = 1;
			p5 = 0.35;
		} else if (strcmp(inc.subject, "vllm") == 0 && e->gateway &&
		    e->kind == K_CHAT) {
			burst = 1; /* the gateway passes upstream errors */
			p5 = 0.2;
		}
	}
	switch (e->kind) {
	case K_CHAT:
		m = &models[s ? s->model : 0];
		if (have_inc && inc.kind == SR_DEMO_LATENCY &&
		    strcmp(inc.subject, m->name) == 0)
			slow = 3.0;
		ev->model = m->name;
		ev->tokens_in =
		    (int64_t)demo_clamp(demo_lognormal(&d->rng,
					    s && s->persona == 1 ? 1400 : 450,
					    0.8),
			8, 32000);
		ev->tokens_out =
		    (int64_t)demo_clamp(demo_lognormal(&d->rng, 170, 0.75), 1,
			4096);
		ev->ttft_ms =
		    demo_clamp(demo_lognormal(&d->rng, m->ttft_ms, 0.35), 30,
			5000) *
		    slow;
		lat = ev->ttft_ms +
		    (double)ev->tokens_out * m->ms_per_token *
			demo_lognormal(&d->rng, 1.0, 0.1) * slow;
		if (e->gateway) {
			double gw = demo_lognormal(&d->rng, 12, 0.4);

			lat += gw;
			ev->ttft_ms += gw;
		}
		ev->has |=
		    SR_EV_HAS_TOKENS_IN | SR_EV_HAS_TOKENS_OUT | SR_EV_HAS_TTFT;
		break;
	case K_EMBED:
		ev->model = "bge-m3";
		ev->tokens_in =
		    (int64_t)demo_clamp(demo_lognormal(&d->rng, 300, 0.9), 1,
			8192);
		ev->has |= SR_EV_HAS_TOKENS_IN;
		lat = demo_lognormal(&d->rng, e->median_ms, e->sigma) +
		    0.02 * (double)ev->tokens_in;
		break;
	case K_ASR:
		ev->model = "whisper-large-v3";
		lat = demo_lognormal(&d->rng, e->median_ms, e->sigma);
		break;
	case K_IMAGE:
		ev->model = "sdxl-turbo";
		lat = demo_lognormal(&d->rng, e->median_ms, e->sigma);
		break;
	case K_PLAIN:
	default:
		lat = demo_lognormal(&d->rng, e->median_ms, e->sigma);
		break;
	}

	u = demo_unit(&d->rng);
	if (ep != EP_HEALTH && u < p5) {
		status = demo_server_error(d, ev, burst, d->message,
		    sizeof d->message);
		lat = status == 504 ? 30000 + demo_lognormal(&d->rng, 20, 0.5)
				    : demo_lognormal(&d->rng, 45, 1.0);
	} else if (ep != EP_HEALTH && u < p5 + p4) {
		status =
		    demo_client_error(d, ev, d->message, sizeof d->message);
		lat = demo_lognormal(&d->rng, 6, 0.5);
	}
	if (status >= 400) {
		ev->message = d->message;
		ev->has &= ~(unsigned)(SR_EV_HAS_TOKENS_OUT | SR_EV_HAS_TTFT);
		ev->tokens_out = 0;
		ev->ttft_ms = 0;
	} else if (e->kind == K_PLAIN && strcmp(e->method, "PUT") == 0) {
		status = 201;
	}
	ev->status_code = status;
	ev->response_time_ms = lat;
	ev->has |= SR_EV_HAS_STATUS | SR_EV_HAS_LATENCY;
	if (ep != EP_HEALTH && demo_below(&d->rng, 100) < 15) {
		demo_metadata(d, e, d->metadata, sizeof d->metadata);
		ev->metadata = d->metadata;
	}
}

/* ,"key":"value" when value is not NULL. */
static void
demo_json_str(struct sr_buf *out, const char *key, const char *value)
{
	if (value == NULL)
		return;
	sr_buf_addf(out, ",\"%s\":", key);
	sr_buf_add_json_str(out, value);
}

/* One field as ,"name":value; absent values are left out. */
static void
demo_json_field(struct sr_buf *out, const struct sr_field *f,
    const struct sr_event *ev)
{
	const char *t;
	int64_t i;
	double d;

	switch (f->type) {
	case SR_FIELD_TEXT:
		demo_json_str(out, f->name, sr_field_text(f, ev));
		return;
	case SR_FIELD_JSON:
		if ((t = sr_field_text(f, ev)) != NULL)
			sr_buf_addf(out, ",\"%s\":%s", f->name, t);
		return;
	case SR_FIELD_INT:
		if (sr_field_int(f, ev, &i))
			sr_buf_addf(out, ",\"%s\":%lld", f->name, (long long)i);
		return;
	case SR_FIELD_REAL:
		if (sr_field_num(f, ev, &d))
			sr_buf_addf(out, ",\"%s\":%.1f", f->name, d);
		return;
	case SR_FIELD_TIME:
	case SR_FIELD_FLAG:
		return;
	}
}

/* The timestamp first, then the fields in the field table's order. */
void
sr_demo_format_json(const struct sr_event *ev, struct sr_buf *out)
{
	char ts[64];

	sr_time_format_iso(ev->ts_ms, ts, sizeof(ts));
	sr_buf_addf(out, "{\"%s\":\"%s\"", sr_fields[SR_FIELD_TS].name, ts);
	for (int k = 0; k < SR_FIELD__COUNT; k++)
		demo_json_field(out, &sr_fields[k], ev);
	sr_buf_adds(out, "}\n");
}

/* ---- the vLLM /metrics of the same stream ---- */

/* Bucket bounds in seconds, as vLLM declares them. */
static const double vllm_ttft_le[] = { 0.001, 0.005, 0.01, 0.02, 0.04, 0.06,
	0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
	160.0, 640.0, 2560.0 };
static const double vllm_e2e_le[] = { 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0,
	10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0,
	1920.0, 7680.0 };
#define VLLM_NTTFT (sizeof vllm_ttft_le / sizeof vllm_ttft_le[0])
#define VLLM_NE2E (sizeof vllm_e2e_le / sizeof vllm_e2e_le[0])
#define VLLM_BUSY_S 10 /* seconds of latency that make the gauges */

struct vllm_model {
	uint64_t prompt, gen, preempt, stop, length, abort;
	uint64_t ttft_b[VLLM_NTTFT], e2e_b[VLLM_NE2E]; /* not cumulative */
	double ttft_sum, e2e_sum;		       /* seconds */
	/* request-milliseconds started in each of the last seconds */
	double busy_ms[VLLM_BUSY_S];
	int64_t busy_s[VLLM_BUSY_S]; /* which second each slot holds */
};

struct sr_demo_vllm {
	struct vllm_model m[DEMO_NMODELS];
	uint64_t events; /* every event counted, chat or not */
};

struct sr_demo_vllm *
sr_demo_vllm_new(void)
{
	return sr_xcalloc(1, sizeof(struct sr_demo_vllm));
}

void
sr_demo_vllm_free(struct sr_demo_vllm *v)
{
	free(v);
}

/* Requests in flight for m at now: request-seconds of its last
 * VLLM_BUSY_S seconds over that span (Little's law). */
static double
vllm_load(const struct vllm_model *m, int64_t now_ms)
{
	int64_t sec = now_ms / 1000;
	double ms = 0;

	for (int i = 0; i < VLLM_BUSY_S; i++)
		if (m->busy_s[i] > sec - VLLM_BUSY_S && m->busy_s[i] <= sec)
			ms += m->busy_ms[i];
	return ms / (VLLM_BUSY_S * 1000.0);
}

/* The gauges of model k at now: running, waiting, KV-cache fraction. */
static void
vllm_gauges(const struct sr_demo_vllm *v, size_t k, int64_t now_ms, double *run,
    double *wait, double *kv)
{
	double load = vllm_load(&v->m[k], now_ms), cap = models[k].max_seqs;

	*run = floor(load < cap ? load : cap);
	*wait = load > cap ? floor(load - cap) : 0;
	*kv = demo_clamp(0.85 * *run / cap + 0.4 * *wait / cap, 0, 1);
}

static void
vllm_observe(uint64_t *b, const double *le, size_t n, double x)
{
	for (size_t i = 0; i < n; i++)
		if (x <= le[i]) {
			b[i]++;
			return;
		}
	/* above the last bound: only +Inf (the count) holds it */
}

/* x as sr_demo_format_json() writes it ("%.1f") and a reader reads it. */
static double
vllm_as_written(double x)
{
	char b[64];

	(void)snprintf(b, sizeof(b), "%.1f", x);
	return strtod(b, NULL);
}

void
sr_demo_vllm_add(struct sr_demo_vllm *v, const struct sr_event *ev)
{
	struct vllm_model *m;
	size_t k;
	int64_t sec;
	int slot;
	double run, wait, kv, ttft, e2e;

	v->events++;
	if (ev->model == NULL)
		return;
	for (k = 0; k < DEMO_NMODELS; k++)
		if (strcmp(ev->model, models[k].name) == 0)
			break;
	if (k == DEMO_NMODELS)
		return; /* embeddings, speech, images: not a vLLM model */
	m = &v->m[k];
	if (ev->status_code >= 500) {
		m->abort++;
		return;
	}
	if (ev->status_code >= 400)
		return; /* refused before the engine */
	sec = ev->ts_ms / 1000;
	slot = (int)(sec % VLLM_BUSY_S);
	if (m->busy_s[slot] != sec) {
		m->busy_s[slot] = sec;
		m->busy_ms[slot] = 0;
	}
	m->busy_ms[slot] += ev->response_time_ms;
	m->prompt += (uint64_t)ev->tokens_in;
	m->gen += (uint64_t)ev->tokens_out;
	if (ev->tokens_out >= 4096)
		m->length++;
	else
		m->stop++;
	/* as the JSON line writes them (0.1 ms), so a reader of the stream
	 * puts each request in the same bucket */
	ttft = vllm_as_written(ev->ttft_ms) / 1000;
	e2e = vllm_as_written(ev->response_time_ms) / 1000;
	vllm_observe(m->ttft_b, vllm_ttft_le, VLLM_NTTFT, ttft);
	vllm_observe(m->e2e_b, vllm_e2e_le, VLLM_NE2E, e2e);
	m->ttft_sum += ttft;
	m->e2e_sum += e2e;
	/* a cache past 90 %: the scheduler evicts about one request in
	 * four that arrive, more the fuller it is */
	vllm_gauges(v, k, ev->ts_ms, &run, &wait, &kv);
	if (kv > 0.9 && (m->stop + m->length) % (kv > 0.97 ? 2 : 4) == 0)
		m->preempt++;
}

static void
vllm_head(struct sr_buf *out, const char *name, const char *type,
    const char *help)
{
	sr_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* The TTFT histogram (ttft) or the end-to-end one, cumulative buckets. */
static void
vllm_hist(struct sr_buf *out, const struct sr_demo_vllm *v, int ttft)
{
	const char *name = ttft ? "vllm:time_to_first_token_seconds"
				: "vllm:e2e_request_latency_seconds";
	const double *le = ttft ? vllm_ttft_le : vllm_e2e_le;
	size_t n = ttft ? VLLM_NTTFT : VLLM_NE2E;

	vllm_head(out, name, "histogram",
	    ttft ? "Histogram of time to first token in seconds."
		 : "Histogram of e2e request latency in seconds.");
	for (size_t k = 0; k < DEMO_NMODELS; k++) {
		uint64_t cum = 0, total;
		const struct vllm_model *m = &v->m[k];
		const uint64_t *bk = ttft ? m->ttft_b : m->e2e_b;
		double s = ttft ? m->ttft_sum : m->e2e_sum;

		total = m->stop + m->length;
		for (size_t i = 0; i < n; i++) {
			cum += bk[i];
			sr_buf_addf(out,
			    "%s_bucket{engine=\"0\",le=\"%g\","
			    "model_name=\"%s\"} %llu\n",
			    name, le[i], models[k].name,
			    (unsigned long long)cum);
		}
		sr_buf_addf(out,
		    "%s_bucket{engine=\"0\",le=\"+Inf\",model_name=\"%s\"} "
		    "%llu\n",
		    name, models[k].name, (unsigned long long)total);
		sr_buf_addf(out,
		    "%s_sum{engine=\"0\",model_name=\"%s\"} %.6f\n", name,
		    models[k].name, s);
		sr_buf_addf(out,
		    "%s_count{engine=\"0\",model_name=\"%s\"} %llu\n", name,
		    models[k].name, (unsigned long long)total);
	}
}

static void
vllm_counter(struct sr_buf *out, const char *name, const char *help,
    const struct sr_demo_vllm *v, size_t off)
{
	vllm_head(out, name, "counter", help);
	for (size_t k = 0; k < DEMO_NMODELS; k++) {
		const uint64_t *c =
		    (const uint64_t *)(const void *)((const char *)&v->m[k] +
			off);

		sr_buf_addf(out, "%s{engine=\"0\",model_name=\"%s\"} %llu\n",
		    name, models[k].name, (unsigned long long)*c);
	}
}

void
sr_demo_vllm_render(const struct sr_demo_vllm *v, int64_t now_ms,
    struct sr_buf *out)
{
	static const char *const gauge[3][2] = {
		{ "vllm:num_requests_running",
		    "Number of requests in model execution batches." },
		{ "vllm:num_requests_waiting",
		    "Number of requests waiting to be processed." },
		{ "vllm:kv_cache_usage_perc",
		    "KV-cache usage. 1 means 100 percent usage." },
	};

	sr_buf_addf(out, "# sitrep demo: %llu events written\n",
	    (unsigned long long)v->events);
	for (int g = 0; g < 3; g++) {
		vllm_head(out, gauge[g][0], "gauge", gauge[g][1]);
		for (size_t k = 0; k < DEMO_NMODELS; k++) {
			double x[3];

			vllm_gauges(v, k, now_ms, &x[0], &x[1], &x[2]);
			sr_buf_addf(out,
			    "%s{engine=\"0\",model_name=\"%s\"} %g\n",
			    gauge[g][0], models[k].name, x[g]);
		}
	}
	vllm_counter(out, "vllm:num_preemptions_total",
	    "Cumulative number of preemption from the engine.", v,
	    offsetof(struct vllm_model, preempt));
	vllm_counter(out, "vllm:prompt_tokens_total",
	    "Number of prefill tokens processed.", v,
	    offsetof(struct vllm_model, prompt));
	vllm_counter(out, "vllm:generation_tokens_total",
	    "Number of generation tokens processed.", v,
	    offsetof(struct vllm_model, gen));
	vllm_head(out, "vllm:request_success_total", "counter",
	    "Count of successfully processed requests.");
	for (size_t k = 0; k < DEMO_NMODELS; k++) {
		const struct vllm_model *m = &v->m[k];
		const char *why[3] = { "abort", "length", "stop" };
		uint64_t n[3] = { m->abort, m->length, m->stop };

		for (int i = 0; i < 3; i++)
			sr_buf_addf(out,
			    "vllm:request_success_total{engine=\"0\","
			    "finished_reason=\"%s\",model_name=\"%s\"} "
			    "%llu\n",
			    why[i], models[k].name, (unsigned long long)n[i]);
	}
	vllm_hist(out, v, 1);
	vllm_hist(out, v, 0);
}
