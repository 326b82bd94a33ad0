/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/loop: fds, timers, wake pipe, signals. */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "runtime/loop.h"

void sr_test_loop_suite(void);

struct fdrec {
	int calls;
	char got[64];
	size_t len;
	int del_self;
};

static void
on_read(struct sr_loop *l, int fd, unsigned rev, void *ctx)
{
	struct fdrec *r = ctx;
	ssize_t n;

	r->calls++;
	if (rev & SR_LOOP_READ) {
		n = read(fd, r->got + r->len, sizeof(r->got) - 1 - r->len);
		if (n > 0)
			r->len += (size_t)n;
	}
	if (r->del_self)
		sr_loop_del_fd(l, fd);
}

static void
test_fd(void)
{
	struct sr_loop *l = sr_loop_new(NULL);
	struct fdrec r = { 0 };
	int p[2];

	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_EQUAL(sr_loop_add_fd(l, -1, SR_LOOP_READ, on_read, &r, NULL),
	    -1);
	CU_ASSERT_EQUAL(sr_loop_add_fd(l, p[0], SR_LOOP_READ, on_read, &r,
			    NULL),
	    0);
	CU_ASSERT_EQUAL(sr_loop_nfds(l), 1);
	/* nothing ready: a zero wait runs no callback */
	CU_ASSERT_EQUAL(sr_loop_run_once(l, 0, NULL), 0);
	CU_ASSERT_EQUAL(r.calls, 0);
	CU_ASSERT_EQUAL(write(p[1], "abc", 3), 3);
	CU_ASSERT_EQUAL(sr_loop_run_once(l, 1000, NULL), 1);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.len, 3);
	CU_ASSERT_EQUAL(memcmp(r.got, "abc", 3), 0);
	/* a callback removing its own fd */
	r.del_self = 1;
	CU_ASSERT_EQUAL(write(p[1], "d", 1), 1);
	CU_ASSERT_EQUAL(sr_loop_run_once(l, 1000, NULL), 1);
	CU_ASSERT_EQUAL(sr_loop_nfds(l), 0);
	CU_ASSERT_EQUAL(write(p[1], "e", 1), 1);
	CU_ASSERT_EQUAL(sr_loop_run_once(l, 0, NULL), 0);
	CU_ASSERT_EQUAL(r.calls, 2);
	/* writer end closed: the reader sees the hang-up */
	r.del_self = 0;
	sr_loop_add_fd(l, p[0], SR_LOOP_READ, on_read, &r, NULL);
	close(p[1]);
	CU_ASSERT_EQUAL(sr_loop_run_once(l, 1000, NULL), 1);
	CU_ASSERT_EQUAL(r.len, 5); /* the 'e' written while unwatched */
	close(p[0]);
	sr_loop_free(l);
}

struct timrec {
	int calls;
	int limit;
	int64_t next;
	int *order;
	int *norder;
	int tag;
};

static int64_t
on_timer(struct sr_loop *l, int64_t id, void *ctx)
{
	struct timrec *t = ctx;

	(void)l;
	(void)id;
	t->calls++;
	if (t->order != NULL)
		t->order[(*t->norder)++] = t->tag;
	return t->calls >= t->limit ? SR_TIMER_STOP : t->next;
}

static void
test_timers(void)
{
	struct sr_loop *l = sr_loop_new(NULL);
	int order[8], norder = 0;
	struct timrec a = { .limit = 1,
		.order = order,
		.norder = &norder,
		.tag = 1 };
	struct timrec b = { .limit = 1,
		.order = order,
		.norder = &norder,
		.tag = 2 };
	struct timrec c = { .limit = 3, .next = 0 };
	int64_t ida, idb, idd;

	ida = sr_loop_add_timer(l, 30, on_timer, &a);
	idb = sr_loop_add_timer(l, 1, on_timer, &b);
	CU_ASSERT(ida > 0 && idb > 0 && ida != idb);
	/* the loop waits for the timers itself (-1 = no other limit) */
	for (int i = 0; i < 100 && norder < 2; i++)
		sr_loop_run_once(l, -1, NULL);
	CU_ASSERT_EQUAL(norder, 2);
	CU_ASSERT_EQUAL(order[0], 2); /* the earlier one first */
	CU_ASSERT_EQUAL(order[1], 1);
	CU_ASSERT_EQUAL(a.calls, 1); /* SR_TIMER_STOP: ran once */
	/* a repeating timer runs until it says stop */
	sr_loop_add_timer(l, 0, on_timer, &c);
	for (int i = 0; i < 10; i++)
		sr_loop_run_once(l, 0, NULL);
	CU_ASSERT_EQUAL(c.calls, 3);
	/* a deleted timer never runs */
	struct timrec d = { .limit = 1 };
	idd = sr_loop_add_timer(l, 0, on_timer, &d);
	sr_loop_del_timer(l, idd);
	sr_loop_run_once(l, 0, NULL);
	CU_ASSERT_EQUAL(d.calls, 0);
	sr_loop_free(l);
}

struct wakerec {
	struct sr_loop *l;
	int wakes;
	int sleeps;
};

static void
on_wake(struct sr_loop *l, void *ctx)
{
	struct wakerec *w = ctx;

	w->wakes++;
	sr_loop_stop(l);
}

static void
on_sleep(struct sr_loop *l, void *ctx)
{
	struct wakerec *w = ctx;

	(void)l;
	w->sleeps++;
}

static void *
waker(void *arg)
{
	struct wakerec *w = arg;

	usleep(20000);
	for (int i = 0; i < 10000; i++) /* fills the pipe: no block */
		sr_loop_wake(w->l);
	return NULL;
}

static void
test_wake(void)
{
	struct wakerec w = { 0 };
	pthread_t th;

	w.l = sr_loop_new(NULL);
	sr_loop_on_wake(w.l, on_wake, &w);
	sr_loop_before_sleep(w.l, on_sleep, &w);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, waker, &w) == 0);
	/* no fd, no timer: only the wake can end this */
	CU_ASSERT_EQUAL(sr_loop_run(w.l, NULL), 0);
	CU_ASSERT(w.wakes >= 1);
	CU_ASSERT(w.sleeps >= 1);
	CU_ASSERT(sr_loop_stopped(w.l));
	pthread_join(th, NULL);
	sr_loop_free(w.l);
}

/* Signal flag: a test of the mechanism signal handlers use. */
static volatile sig_atomic_t got_usr1;

static void
on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void *
signaller(void *arg)
{
	pthread_t *main_th = arg;

	usleep(20000);
	pthread_kill(*main_th, SIGUSR1);
	return NULL;
}

static void
test_signal(void)
{
	struct sr_loop *l = sr_loop_new(NULL);
	struct sigaction sa, old;
	pthread_t self = pthread_self(), th;
	int sigs[] = { SIGUSR1 };
	sigset_t cur;
	int64_t t0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	got_usr1 = 0;
	CU_ASSERT_EQUAL(sr_loop_block_signals(l, sigs, 1, NULL), 0);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	CU_ASSERT(sigismember(&cur, SIGUSR1));
	CU_ASSERT_FATAL(pthread_create(&th, NULL, signaller, &self) == 0);
	t0 = sr_mono_ms();
	/* the signal is let in during the wait and interrupts it */
	while (!got_usr1 && sr_mono_ms() - t0 < 5000)
		CU_ASSERT(sr_loop_run_once(l, 10000, NULL) >= 0);
	CU_ASSERT_EQUAL(got_usr1, 1);
	pthread_join(th, NULL);
	sr_loop_free(l);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	CU_ASSERT(!sigismember(&cur, SIGUSR1)); /* mask restored */
	sigaction(SIGUSR1, &old, NULL);
}

static void
test_now(void)
{
	struct sr_loop *l = sr_loop_new(NULL);
	int64_t a, b;

	a = sr_loop_now_ms(l);
	sr_loop_run_once(l, 15, NULL);
	b = sr_loop_now_ms(l);
	CU_ASSERT(b >= a + 15);
	sr_loop_free(l);
}

void
sr_test_loop_suite(void)
{
	CU_pSuite s = CU_add_suite("loop", NULL, NULL);

	CU_add_test(s, "fd", test_fd);
	CU_add_test(s, "timers", test_timers);
	CU_add_test(s, "wake", test_wake);
	CU_add_test(s, "signal", test_signal);
	CU_add_test(s, "now", test_now);
}
