/* SPDX-License-Identifier: MIT */
/*
 * loop: poll() reactor (see loop.h).  fds live in an array that is
 * rebuilt into a pollfd array each iteration; timers in a small unsorted
 * array (a loop has a handful).  Entries removed during dispatch are
 * marked dead and compacted afterwards, so callbacks may add and remove
 * anything.  The wake pipe's read end is always polled first.
 */
#define _GNU_SOURCE /* ppoll(): signals are let in only while waiting */
#include "runtime/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct loop_fd {
	int fd;
	unsigned events;
	sr_loop_fd_fn *fn;
	void *ctx;
	int dead;
	int slot; /* index in pfds at the last poll, or -1 */
};

struct loop_timer {
	int64_t id;
	int64_t due_ms;
	sr_loop_timer_fn *fn;
	void *ctx;
	int dead;
};

struct sr_loop {
	struct loop_fd *fds;
	int nfds, capfds;
	struct loop_timer *timers;
	int ntimers, captimers;
	int64_t next_timer_id;
	struct pollfd *pfds;
	int cappfds;
	int wake_rd, wake_wr;
	sr_loop_hook_fn *wake_fn;
	void *wake_ctx;
	sr_loop_hook_fn *sleep_fn;
	void *sleep_ctx;
	int stop;
	int64_t now_ms;
	int masked;
	sigset_t oldmask;
};

struct sr_loop *
sr_loop_new(struct sr_err *err)
{
	struct sr_loop *l;
	int p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) == -1)
		return sr_err_set(err, "cannot create wake pipe: %s",
			   strerror(errno)),
		       NULL;
	l = sr_xcalloc(1, sizeof(*l));
	l->wake_rd = p[0];
	l->wake_wr = p[1];
	l->next_timer_id = 1;
	l->now_ms = sr_mono_ms();
	return l;
}

void
sr_loop_free(struct sr_loop *l)
{
	if (l == NULL)
		return;
	if (l->masked)
		(void)pthread_sigmask(SIG_SETMASK, &l->oldmask, NULL);
	(void)close(l->wake_rd); /* nothing to report on a pipe */
	(void)close(l->wake_wr);
	free(l->fds);
	free(l->timers);
	free(l->pfds);
	free(l);
}

/* The live entry for fd, or NULL. */
static struct loop_fd *
loop_find_fd(struct sr_loop *l, int fd)
{
	for (int i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd && !l->fds[i].dead)
			return &l->fds[i];
	return NULL;
}

int
sr_loop_add_fd(struct sr_loop *l, int fd, unsigned events, sr_loop_fd_fn *fn,
    void *ctx, struct sr_err *err)
{
	struct loop_fd *e;

	if (fd < 0)
		return sr_err_set(err, "cannot watch fd %d", fd);
	if ((e = loop_find_fd(l, fd)) == NULL) {
		if (l->nfds == l->capfds) {
			l->capfds = l->capfds ? l->capfds * 2 : 8;
			l->fds = sr_xrealloc(l->fds,
			    (size_t)l->capfds * sizeof(*l->fds));
		}
		e = &l->fds[l->nfds++];
	}
	e->fd = fd;
	e->events = events;
	e->fn = fn;
	e->ctx = ctx;
	e->dead = 0;
	e->slot = -1;
	return 0;
}

void
sr_loop_del_fd(struct sr_loop *l, int fd)
{
	struct loop_fd *e;

	if ((e = loop_find_fd(l, fd)) != NULL)
		e->dead = 1;
}

int
sr_loop_nfds(const struct sr_loop *l)
{
	int n = 0;

	for (int i = 0; i < l->nfds; i++)
		n += !l->fds[i].dead;
	return n;
}

int64_t
sr_loop_add_timer(struct sr_loop *l, int64_t delay_ms, sr_loop_timer_fn *fn,
    void *ctx)
{
	struct loop_timer *t;

	if (l->ntimers == l->captimers) {
		l->captimers = l->captimers ? l->captimers * 2 : 4;
		l->timers = sr_xrealloc(l->timers,
		    (size_t)l->captimers * sizeof(*l->timers));
	}
	t = &l->timers[l->ntimers++];
	t->id = l->next_timer_id++;
	t->due_ms = sr_mono_ms() + (delay_ms > 0 ? delay_ms : 0);
	t->fn = fn;
	t->ctx = ctx;
	t->dead = 0;
	return t->id;
}

void
sr_loop_del_timer(struct sr_loop *l, int64_t id)
{
	for (int i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == id)
			l->timers[i].dead = 1;
}

void
sr_loop_on_wake(struct sr_loop *l, sr_loop_hook_fn *fn, void *ctx)
{
	l->wake_fn = fn;
	l->wake_ctx = ctx;
}

void
sr_loop_before_sleep(struct sr_loop *l, sr_loop_hook_fn *fn, void *ctx)
{
	l->sleep_fn = fn;
	l->sleep_ctx = ctx;
}

void
sr_loop_wake(struct sr_loop *l)
{
	int saved = errno; /* may run in a signal handler */
	char c = 1;

	/* EAGAIN: the pipe is full, so a wake-up is already pending. */
	(void)!write(l->wake_wr, &c, 1);
	errno = saved;
}

int
sr_loop_block_signals(struct sr_loop *l, const int *sigs, int n,
    struct sr_err *err)
{
	sigset_t set, old;
	int rc;

	sigemptyset(&set);
	for (int i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if ((rc = pthread_sigmask(SIG_BLOCK, &set, &old)) != 0)
		return sr_err_set(err, "cannot block signals: %s",
		    strerror(rc));
	if (!l->masked) {
		l->oldmask = old;
		l->masked = 1;
	}
	return 0;
}

/* Drop entries marked dead during dispatch. */
static void
loop_compact(struct sr_loop *l)
{
	int j = 0;

	for (int i = 0; i < l->nfds; i++)
		if (!l->fds[i].dead)
			l->fds[j++] = l->fds[i];
	l->nfds = j;
	j = 0;
	for (int i = 0; i < l->ntimers; i++)
		if (!l->timers[i].dead)
			l->timers[j++] = l->timers[i];
	l->ntimers = j;
}

/* Milliseconds until the first live timer is due, or -1 when none. */
static int64_t
loop_timer_wait(const struct sr_loop *l, int64_t now)
{
	int64_t best = -1;

	for (int i = 0; i < l->ntimers; i++) {
		int64_t d;

		if (l->timers[i].dead)
			continue;
		d = l->timers[i].due_ms - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

/* Run the timers due at l->now_ms; returns how many ran. */
static int
loop_run_timers(struct sr_loop *l)
{
	int n = l->ntimers, ran = 0; /* timers added now wait a turn */

	for (int i = 0; i < n; i++) {
		struct loop_timer *t = &l->timers[i];
		int64_t id, next;

		if (t->dead || t->due_ms > l->now_ms)
			continue;
		id = t->id;
		next = t->fn(l, id, t->ctx);
		ran++;
		/* The array may have moved while the callback ran. */
		t = &l->timers[i];
		if (t->dead)
			continue;
		if (next < 0)
			t->dead = 1;
		else
			t->due_ms = sr_mono_ms() + next;
	}
	return ran;
}

/* Empty the wake pipe; 1 when anything was in it. */
static int
loop_drain_wake(struct sr_loop *l)
{
	char buf[64];
	int any = 0;
	ssize_t r;

	while ((r = read(l->wake_rd, buf, sizeof(buf))) > 0)
		any = 1;
	return any;
}

int
sr_loop_run_once(struct sr_loop *l, int max_wait_ms, struct sr_err *err)
{
	struct timespec ts, *tsp = NULL;
	int64_t wait_ms, tw;
	int np = 0, rc, ran = 0, n;

	loop_compact(l);
	if (l->cappfds < l->nfds + 1) {
		l->cappfds = l->nfds + 8;
		l->pfds =
		    sr_xrealloc(l->pfds, (size_t)l->cappfds * sizeof(*l->pfds));
	}
	l->pfds[np++] = (struct pollfd){ .fd = l->wake_rd, .events = POLLIN };
	for (int i = 0; i < l->nfds; i++) {
		short ev = 0;

		if (l->fds[i].events & SR_LOOP_READ)
			ev |= POLLIN;
		if (l->fds[i].events & SR_LOOP_WRITE)
			ev |= POLLOUT;
		l->fds[i].slot = np;
		l->pfds[np++] =
		    (struct pollfd){ .fd = l->fds[i].fd, .events = ev };
	}
	wait_ms = max_wait_ms;
	tw = loop_timer_wait(l, sr_mono_ms());
	if (tw >= 0 && (wait_ms < 0 || tw < wait_ms))
		wait_ms = tw;
	if (wait_ms >= 0) {
		ts.tv_sec = wait_ms / 1000;
		ts.tv_nsec = (wait_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	rc = ppoll(l->pfds, (nfds_t)np, tsp, l->masked ? &l->oldmask : NULL);
	l->now_ms = sr_mono_ms();
	if (rc == -1) {
		if (errno != EINTR)
			return sr_err_set(err, "poll failed: %s",
			    strerror(errno));
		rc = 0;
	}
	if (rc > 0 && (l->pfds[0].revents & POLLIN) && loop_drain_wake(l) &&
	    l->wake_fn != NULL) {
		l->wake_fn(l, l->wake_ctx);
		ran++;
	}
	/*
	 * Entries below n existed at poll time and never move before
	 * loop_compact() (the array may be reallocated: index, not pointer).
	 */
	n = l->nfds;
	for (int i = 0; rc > 0 && i < n; i++) {
		struct loop_fd *e = &l->fds[i];
		unsigned rev = 0;
		short pr;

		if (e->dead || e->slot < 0)
			continue;
		pr = l->pfds[e->slot].revents;
		e->slot = -1;
		if (pr & POLLIN)
			rev |= SR_LOOP_READ;
		if (pr & POLLOUT)
			rev |= SR_LOOP_WRITE;
		if (pr & (POLLERR | POLLHUP | POLLNVAL))
			rev |= SR_LOOP_ERROR;
		if (rev == 0)
			continue;
		e->fn(l, e->fd, rev, e->ctx);
		ran++;
	}
	ran += loop_run_timers(l);
	loop_compact(l);
	if (l->sleep_fn != NULL)
		l->sleep_fn(l, l->sleep_ctx);
	return ran;
}

int
sr_loop_run(struct sr_loop *l, struct sr_err *err)
{
	l->stop = 0;
	while (!l->stop)
		if (sr_loop_run_once(l, -1, err) < 0)
			return -1;
	return 0;
}

void
sr_loop_stop(struct sr_loop *l)
{
	l->stop = 1;
}

int
sr_loop_stopped(const struct sr_loop *l)
{
	return l->stop;
}

int64_t
sr_loop_now_ms(const struct sr_loop *l)
{
	return l->now_ms;
}
