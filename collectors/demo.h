/* SPDX-License-Identifier: MIT */
/*
 * demo: a generator of realistic synthetic events for a multimodal LLM
 * stack (a litellm gateway, vllm chat models, an embeddings service, a
 * qdrant vector store, a web UI, whisper speech-to-text and a
 * stable-diffusion image service).  Hundreds of users, sessions of a few
 * minutes with many events each, lognormal latency per endpoint, LLM
 * latency proportional to tokens_out, a diurnal-ish rate, a little 4xx and
 * less 5xx.  With incidents on, a schedule derived from the seed and the
 * stream's start adds error bursts, latency regressions and traffic
 * spikes.
 *
 * Everything comes from one seeded PRNG (xoshiro256**), never rand():
 * the same seed, start time and sequence of timestamps give the same
 * events.  A generator is not thread-safe.
 */
#ifndef SR_COLLECTORS_DEMO_H
#define SR_COLLECTORS_DEMO_H

#include <stdint.h>

#include "core/event.h"
#include "core/util.h"

enum sr_demo_incidents {
	SR_DEMO_INCIDENTS_NONE, /* a calm baseline */
	SR_DEMO_INCIDENTS_SOME, /* bursts, regressions, spikes */
};

enum sr_demo_incident_kind {
	SR_DEMO_CALM,
	SR_DEMO_ERROR_BURST, /* one service answers 5xx often */
	SR_DEMO_LATENCY,     /* one model's latency x3 */
	SR_DEMO_SPIKE,	     /* traffic x3 */
};

struct sr_demo_opts {
	uint64_t seed;
	enum sr_demo_incidents incidents;
	int64_t start_ms; /* the stream's first instant */
};

/* One scheduled incident, for tests and documentation. */
struct sr_demo_incident {
	enum sr_demo_incident_kind kind;
	int64_t from_ms, to_ms;
	const char *subject; /* service (burst) or model (latency) */
};

struct sr_demo;

/* A new generator; never fails. */
struct sr_demo *sr_demo_new(const struct sr_demo_opts *o);
void sr_demo_free(struct sr_demo *d);

/*
 * The rate multiplier at ts_ms (diurnal wave, a slower ripple, and x3
 * during a spike), about 1 on average; the caller scales its base rate.
 */
double sr_demo_rate_factor(const struct sr_demo *d, int64_t ts_ms);

/*
 * The incident active at ts_ms: fills *inc and returns 1, or returns 0
 * (calm).  inc->subject is a static string.
 */
int sr_demo_incident_at(const struct sr_demo *d, int64_t ts_ms,
    struct sr_demo_incident *inc);

/*
 * Generate the next event at ts_ms into *ev.  Its strings live until the
 * next call on d.  Timestamps should not go backwards (sessions age by
 * them).
 */
void sr_demo_next(struct sr_demo *d, int64_t ts_ms, struct sr_event *ev);

/* Append ev as one JSON line (with its newline) to out. */
void sr_demo_format_json(const struct sr_event *ev, struct sr_buf *out);

/*
 * The vLLM side of the stream (`sitrep demo --llm-metrics`): what a vLLM
 * server serving the demo's chat models would expose on /metrics,
 * counted from the events the generator made.  Per model (label
 * model_name, and engine="0" as vLLM's V1 engine writes it), for each
 * chat event added: status < 400: prompt_tokens_total += tokens_in,
 * generation_tokens_total += tokens_out, request_success_total
 * {finished_reason="stop"} (or "length" at the 4096-token cap) + 1, and
 * ttft_ms and response_time_ms into the histograms
 * vllm:time_to_first_token_seconds and vllm:e2e_request_latency_seconds
 * (vLLM's buckets); 5xx: finished_reason="abort" + 1; 4xx: nothing.  The
 * gauges come from the request-seconds that started in the last 10 s
 * (Little's law) against the model's batch limit: running up to the
 * limit, the rest waiting, KV-cache use from both; past 90 % of the cache
 * some arriving requests count as preemptions.  A first line
 * "# sitrep demo: N events written" says how many events (of any kind)
 * it has seen.
 */
struct sr_demo_vllm;

struct sr_demo_vllm *sr_demo_vllm_new(void);
void sr_demo_vllm_free(struct sr_demo_vllm *v);
/* Count one event the generator made (any event; others are skipped). */
void sr_demo_vllm_add(struct sr_demo_vllm *v, const struct sr_event *ev);
/* Append the Prometheus text (format 0.0.4) as of now_ms to out. */
void sr_demo_vllm_render(const struct sr_demo_vllm *v, int64_t now_ms,
    struct sr_buf *out);

#endif
