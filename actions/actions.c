/* SPDX-License-Identifier: MIT */
/*
 * actions: the engine hook that turns insight transitions into commands
 * and webhooks, with filters (on, severity, match) and a rate limit per
 * action.  The JSON payload is the insight with a "text" line for chat
 * webhooks (Slack, Mattermost).
 */
#include "actions/actions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/action_int.h"
#include "core/timeutil.h"

struct act {
	const struct sr_config_action *cfg;
	int64_t *sent; /* ring of send times */
	size_t sent_n, sent_head;
	uint64_t limited;
};

struct sr_actions {
	struct act *v;
	size_t n;
	struct sr_exec *exec;
	struct sr_webhook *hook;
};

static void
add_env(char ***env, size_t *n, const char *k, const char *v)
{
	*env = sr_xrealloc(*env, (*n + 2) * sizeof(**env));
	(*env)[(*n)++] = sr_xasprintf("SITREP_INSIGHT_%s=%s", k, v ? v : "");
	(*env)[*n] = NULL;
}

void
sr_action_msg_init(struct sr_action_msg *m, const struct sr_snap_insight *in,
    enum sr_insight_state from, int64_t now_ms)
{
	struct sr_buf b;
	char first[32], last[32], now[32], num[64];
	char *text;
	size_t n = 0;
	const char *sev = sr_severity_name(in->severity);
	const char *state = sr_insight_state_name(in->state);

	sr_time_format_iso(in->first_seen_ms, first, sizeof(first));
	sr_time_format_iso(in->last_seen_ms, last, sizeof(last));
	sr_time_format_iso(now_ms, now, sizeof(now));
	text = sr_xasprintf("[sitrep] %s %s: %s",
	    in->state == SR_INS_RESOLVED ? "RESOLVED" : sev, in->id, in->title);
	sr_buf_init(&b);
	sr_buf_adds(&b, "{\"text\":");
	sr_buf_add_json_str(&b, text);
	sr_buf_adds(&b, ",\"id\":");
	sr_buf_add_json_str(&b, in->id);
	sr_buf_adds(&b, ",\"rule\":");
	sr_buf_add_json_str(&b, in->rule);
	sr_buf_adds(&b, ",\"subject\":");
	sr_buf_add_json_str(&b, in->subject);
	sr_buf_adds(&b, ",\"category\":");
	sr_buf_add_json_str(&b, sr_category_name(in->category));
	sr_buf_adds(&b, ",\"severity\":");
	sr_buf_add_json_str(&b, sev);
	sr_buf_adds(&b, ",\"state\":");
	sr_buf_add_json_str(&b, state);
	sr_buf_adds(&b, ",\"previous_state\":");
	sr_buf_add_json_str(&b, sr_insight_state_name(from));
	sr_buf_addf(&b, ",\"confidence\":%.2f", in->confidence);
	sr_buf_adds(&b, ",\"title\":");
	sr_buf_add_json_str(&b, in->title);
	sr_buf_adds(&b, ",\"description\":");
	sr_buf_add_json_str(&b, in->description);
	sr_buf_adds(&b, ",\"recommendation\":");
	sr_buf_add_json_str(&b, in->recommendation);
	if (isnan(in->value))
		sr_buf_adds(&b, ",\"value\":null");
	else
		sr_buf_addf(&b, ",\"value\":%.6g", in->value);
	sr_buf_addf(&b,
	    ",\"count\":%llu,\"first_seen\":\"%s\","
	    "\"last_seen\":\"%s\",\"time\":\"%s\"}",
	    (unsigned long long)in->count, first, last, now);
	m->json = sr_buf_detach(&b, NULL);
	m->env = NULL;
	add_env(&m->env, &n, "ID", in->id);
	add_env(&m->env, &n, "RULE", in->rule);
	add_env(&m->env, &n, "SUBJECT", in->subject);
	add_env(&m->env, &n, "CATEGORY", sr_category_name(in->category));
	add_env(&m->env, &n, "SEVERITY", sev);
	add_env(&m->env, &n, "STATE", state);
	add_env(&m->env, &n, "PREVIOUS_STATE", sr_insight_state_name(from));
	add_env(&m->env, &n, "TITLE", in->title);
	add_env(&m->env, &n, "DESCRIPTION", in->description);
	add_env(&m->env, &n, "RECOMMENDATION", in->recommendation);
	(void)snprintf(num, sizeof(num), "%.2f", in->confidence);
	add_env(&m->env, &n, "CONFIDENCE", num);
	(void)snprintf(num, sizeof(num), "%.6g", in->value);
	add_env(&m->env, &n, "VALUE", num);
	add_env(&m->env, &n, "FIRST_SEEN", first);
	add_env(&m->env, &n, "TEXT", text);
	free(text);
}

void
sr_action_msg_release(struct sr_action_msg *m)
{
	free(m->json);
	for (size_t i = 0; m->env != NULL && m->env[i] != NULL; i++)
		free(m->env[i]);
	free(m->env);
}

/* 1 when a send is allowed now (and record it), 0 when rate limited. */
static int
act_rate_ok(struct act *a, int64_t now)
{
	size_t cap = (size_t)a->cfg->rate_limit;

	if (cap == 0)
		return 1;
	if (a->sent_n == cap) {
		if (now - a->sent[a->sent_head] < a->cfg->rate_per_ms)
			return 0;
		a->sent[a->sent_head] = now;
		a->sent_head = (a->sent_head + 1) % cap;
		return 1;
	}
	a->sent[(a->sent_head + a->sent_n++) % cap] = now;
	return 1;
}

static void
acts_transition(void *self, const struct sr_snap_insight *in,
    enum sr_insight_state from, int64_t now_ms)
{
	struct sr_actions *x = self;
	struct sr_action_msg msg;
	int built = 0;

	for (size_t i = 0; i < x->n; i++) {
		struct act *a = &x->v[i];
		const struct sr_config_action *c = a->cfg;
		unsigned want = in->state == SR_INS_RESOLVED
		    ? SR_ACTION_ON_RESOLVE
		    : in->state == SR_INS_FIRING ? SR_ACTION_ON_FIRE
						 : 0;

		if ((c->on & want) == 0 ||
		    (int)in->severity < c->min_severity ||
		    !sr_glob(c->match ? c->match : "*", in->id))
			continue;
		if (!act_rate_ok(a, sr_mono_ms())) {
			a->limited++;
			continue;
		}
		if (!built) {
			sr_action_msg_init(&msg, in, from, now_ms);
			built = 1;
		}
		if (c->command != NULL)
			(void)sr_exec_start(x->exec, c->command, c->timeout_ms,
			    &msg, NULL);
		else if (c->webhook != NULL && x->hook != NULL)
			(void)sr_webhook_post(x->hook, c->webhook,
			    c->timeout_ms, c->retries, msg.json, NULL);
	}
	if (built)
		sr_action_msg_release(&msg);
}

static void
acts_tick(void *self, int64_t now_ms)
{
	struct sr_actions *x = self;

	(void)now_ms;
	(void)sr_exec_poll(x->exec);
	if (x->hook != NULL)
		(void)sr_webhook_poll(x->hook, sr_mono_ms());
}

static void
acts_free(void *self)
{
	struct sr_actions *x = self;

	for (size_t i = 0; i < x->n; i++)
		free(x->v[i].sent);
	free(x->v);
	sr_exec_free(x->exec);
	sr_webhook_free(x->hook);
	free(x);
}

static const struct sr_engine_hook acts_ops = {
	.name = "actions",
	.transition = acts_transition,
	.tick = acts_tick,
	.free = acts_free,
};

int
sr_actions_attach(struct sr_engine *e, const struct sr_config *cfg,
    struct sr_err *err)
{
	struct sr_actions *x;
	int need_curl = 0;

	if (cfg->n_actions == 0)
		return 0;
	x = sr_xcalloc(1, sizeof(*x));
	x->v = sr_xcalloc(cfg->n_actions, sizeof(*x->v));
	x->n = cfg->n_actions;
	for (size_t i = 0; i < cfg->n_actions; i++) {
		x->v[i].cfg = &cfg->actions[i];
		if (cfg->actions[i].rate_limit > 0)
			x->v[i].sent =
			    sr_xcalloc((size_t)cfg->actions[i].rate_limit,
				sizeof(int64_t));
		need_curl |= cfg->actions[i].webhook != NULL;
	}
	x->exec = sr_exec_new();
	if (need_curl) {
		x->hook = sr_webhook_new(err);
		if (x->hook == NULL) {
			acts_free(x);
			return -1;
		}
	}
	sr_engine_add_hook(e, &acts_ops, x);
	return 0;
}
