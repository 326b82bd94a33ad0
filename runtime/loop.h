/* SPDX-License-Identifier: MIT */
/*
 * loop: a small poll() reactor in the style of redis' ae.  File
 * descriptors with callbacks, timers whose callback returns the next
 * delay in milliseconds (or SR_TIMER_STOP), a wake pipe other threads
 * (and signal handlers) write to, and a monotonic clock.
 *
 * Signals: sr_loop_block_signals() blocks the given signals in the
 * calling thread and lets them in only while the loop sleeps in ppoll(),
 * so a signal handler that sets a flag is always seen right after the
 * wait it interrupted (no lost wake-ups, no 1 s delay).  Threads created
 * afterwards inherit the blocked mask, so the main loop's thread is the
 * one that takes those signals.
 *
 * One thread owns a loop.  The only call any thread (or a signal handler)
 * may make on it is sr_loop_wake().
 */
#ifndef SR_RUNTIME_LOOP_H
#define SR_RUNTIME_LOOP_H

#include <stdint.h>

#include "core/util.h"

#define SR_TIMER_STOP (-1) /* a timer callback's "do not run again" */

enum sr_loop_flags {
	SR_LOOP_READ = 1 << 0,
	SR_LOOP_WRITE = 1 << 1,
	SR_LOOP_ERROR = 1 << 2, /* revents only: POLLERR/POLLHUP/NVAL */
};

struct sr_loop;

/*
 * Called when fd is ready; revents is a set of enum sr_loop_flags.  The
 * callback may add or remove any fd or timer, including its own.
 */
typedef void
sr_loop_fd_fn(struct sr_loop *l, int fd, unsigned revents, void *ctx);
/*
 * Called when a timer is due; returns the delay in ms until it runs
 * again (0 = on the next iteration), or SR_TIMER_STOP to remove it.
 */
typedef int64_t sr_loop_timer_fn(struct sr_loop *l, int64_t id, void *ctx);
/* Called once per iteration, or after a wake-up. */
typedef void sr_loop_hook_fn(struct sr_loop *l, void *ctx);

/* A new loop with its wake pipe; NULL with err set when pipe() fails. */
struct sr_loop *sr_loop_new(struct sr_err *err);

/*
 * Free the loop and close its wake pipe (not the fds it watched);
 * restores the signal mask sr_loop_block_signals() changed.  NULL does
 * nothing.
 */
void sr_loop_free(struct sr_loop *l);

/*
 * Watch fd for events (SR_LOOP_READ / SR_LOOP_WRITE); fn is called with
 * ctx whenever it is ready.  A fd already watched has its events,
 * callback and context replaced.  Returns 0, or -1 for a negative fd.
 */
int sr_loop_add_fd(struct sr_loop *l, int fd, unsigned events,
    sr_loop_fd_fn *fn, void *ctx, struct sr_err *err);

/* Stop watching fd (does not close it); unknown fds are ignored. */
void sr_loop_del_fd(struct sr_loop *l, int fd);

/* Number of fds watched, the wake pipe not included. */
int sr_loop_nfds(const struct sr_loop *l);

/*
 * Run fn after delay_ms (>= 0) and then as often as it asks.  Returns
 * the timer's id (> 0), which stays unique for the loop's lifetime.
 */
int64_t sr_loop_add_timer(struct sr_loop *l, int64_t delay_ms,
    sr_loop_timer_fn *fn, void *ctx);

/* Remove a timer; unknown ids are ignored (safe from its own callback). */
void sr_loop_del_timer(struct sr_loop *l, int64_t id);

/*
 * Called after every wake-up through sr_loop_wake() (several wakes may
 * be folded into one call).  NULL removes it.
 */
void sr_loop_on_wake(struct sr_loop *l, sr_loop_hook_fn *fn, void *ctx);

/*
 * Called at the end of every iteration, after fds and timers were
 * handled and before the loop sleeps: the place to draw once per
 * wake-up.  NULL removes it.
 */
void sr_loop_before_sleep(struct sr_loop *l, sr_loop_hook_fn *fn, void *ctx);

/*
 * Wake the loop from another thread or a signal handler: writes one byte
 * to the wake pipe (async-signal-safe; a full pipe means a wake is
 * already pending).  Always safe to call while the loop exists.
 */
void sr_loop_wake(struct sr_loop *l);

/*
 * Block the listed signals in the calling thread; the loop lets them in
 * only while it waits.  Call before creating threads.  Returns 0 or -1.
 */
int sr_loop_block_signals(struct sr_loop *l, const int *sigs, int n,
    struct sr_err *err);

/*
 * One iteration: wait at most max_wait_ms (-1: until an fd, a timer or
 * a wake; 0: do not wait), then run ready fd callbacks, due timers and
 * the hooks.  Returns the number of callbacks run (a wait interrupted by
 * a signal returns 0), or -1 when poll() fails for another reason.
 */
int sr_loop_run_once(struct sr_loop *l, int max_wait_ms, struct sr_err *err);

/* Iterate until sr_loop_stop(); returns 0, or -1 when poll() failed. */
int sr_loop_run(struct sr_loop *l, struct sr_err *err);

/* Make sr_loop_run() return after the current iteration. */
void sr_loop_stop(struct sr_loop *l);

/* 1 once sr_loop_stop() was called (until the next sr_loop_run()). */
int sr_loop_stopped(const struct sr_loop *l);

/* Monotonic time in ms, read at the start of the current iteration. */
int64_t sr_loop_now_ms(const struct sr_loop *l);

#endif
