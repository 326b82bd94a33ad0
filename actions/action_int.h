/* SPDX-License-Identifier: MIT */
/*
 * action_int: what actions.c shares with its two carriers, exec.c and
 * webhook.c.  Not for other layers.
 */
#ifndef SR_ACTIONS_ACTION_INT_H
#define SR_ACTIONS_ACTION_INT_H

#include <stddef.h>
#include <stdint.h>

#include "actions/webhook.h"
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

/* Build the message of a transition (free with sr_action_msg_release). */
void
sr_action_msg_init(struct sr_action_msg *m, const struct sr_snap_insight *in,
    enum sr_insight_state from, int64_t now_ms);
void sr_action_msg_release(struct sr_action_msg *m);

#endif
