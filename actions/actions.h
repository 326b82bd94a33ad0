/* SPDX-License-Identifier: MIT */
/*
 * actions: carry insight transitions out of sitrep, as configured in
 * [action NAME] sections: run a command (actions/exec.c) or POST a JSON
 * payload to a webhook (actions/webhook.c, libcurl multi).  Nothing here
 * ever blocks the tick: commands are fork/exec'd and reaped with
 * waitpid(WNOHANG) on the tick, killed after their timeout; webhooks are
 * driven with curl_multi_perform() from the tick, with timeouts, retries
 * with exponential backoff and a rate limit per action.
 */
#ifndef SR_ACTIONS_ACTIONS_H
#define SR_ACTIONS_ACTIONS_H

#include "core/config.h"
#include "core/engine.h"
#include "core/util.h"

/*
 * Create the configured actions and register them as a hook on e (the
 * engine owns and frees them).  Does nothing when cfg has no actions.
 * 0, or -1 with detail (e.g. curl cannot be initialised).
 */
int sr_actions_attach(struct sr_engine *e, const struct sr_config *cfg,
    struct sr_err *err);

#endif
