/* SPDX-License-Identifier: MIT */
/*
 * action_int: what actions.c shares with its two carriers, exec.c and
 * webhook.c.  Not for other layers.
 */
#ifndef SR_ACTIONS_ACTION_INT_H
#define SR_ACTIONS_ACTION_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/snapshot.h"
#include "core/util.h"

/* One message to carry: JSON payload and SITREP_* environment. */
struct sr_action_msg {
	char *json; /* the insight as JSON (with "text") */
	char **env; /* NULL-terminated "SITREP_X=..." strings */
};

/* Commands: fork/exec, reaped on the tick, killed after timeout. */
struct sr_exec;
struct sr_exec *sr_exec_new(void);
/* Start cmd with msg (env + JSON on stdin); -1 with detail on failure. */
int sr_exec_start(struct sr_exec *x, const char *cmd, int64_t timeout_ms,
    const struct sr_action_msg *msg, struct sr_err *err);
/* Reap finished jobs, kill late ones; never blocks.  Returns running. */
size_t sr_exec_poll(struct sr_exec *x);
/* Kill and reap whatever still runs; NULL does nothing. */
void sr_exec_free(struct sr_exec *x);
/* Jobs that exited 0 / failed (non-zero, signal, timeout) so far. */
uint64_t sr_exec_ok(const struct sr_exec *x);
uint64_t sr_exec_failed(const struct sr_exec *x);

/* Webhooks: curl multi, retries with exponential backoff. */
struct sr_webhook;
struct sr_webhook *sr_webhook_new(struct sr_err *err);
int sr_webhook_post(struct sr_webhook *w, const char *url, int64_t timeout_ms,
    int retries, const char *json, struct sr_err *err);
/* Drive transfers and due retries; never blocks.  Returns in flight. */
size_t sr_webhook_poll(struct sr_webhook *w, int64_t now_mono_ms);
void sr_webhook_free(struct sr_webhook *w);
uint64_t sr_webhook_ok(const struct sr_webhook *w);
uint64_t sr_webhook_failed(const struct sr_webhook *w);

/* Build the message of a transition (free with sr_action_msg_release). */
void
sr_action_msg_init(struct sr_action_msg *m, const struct sr_snap_insight *in,
    enum sr_insight_state from, int64_t now_ms);
void sr_action_msg_release(struct sr_action_msg *m);

#endif
