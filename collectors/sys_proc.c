/* SPDX-License-Identifier: MIT */
/*
 * sys_proc: the process scan.  One file per process (PROC/PID/stat) and
 * one fstatat() for its owner; user names are cached by uid.  The scan
 * runs on every sample while sr_sys_want_procs(s, 1) is in force, else at
 * most every 5 s; its results (top lists, procs.total, procs.zombie) are
 * reported on every sample until the next scan.
 *
 * CPU % is the process's user + system time over the time between two
 * scans, as a share of one core (so it can pass 100 on several cores), like
 * top.  A pid whose start time changed is a new process: no CPU % until it
 * has been seen twice.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/sys_int.h"

#define PROC_SCAN_EVERY_US 5000000

static int
proc_prev_cmp(const void *a, const void *b)
{
	const struct sys_procprev *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static const struct sys_procprev *
proc_prev_find(const struct sr_sys *s, int pid)
{
	size_t lo = 0, hi = s->npprev;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->pprev[mid].pid == pid)
			return &s->pprev[mid];
		if (s->pprev[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The name of uid, cached; the number when it has none. */
static const char *
proc_user(struct sr_sys *s, unsigned uid)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	struct sys_user *u;

	for (size_t i = 0; i < s->nusers; i++)
		if (s->users[i].uid == uid)
			return s->users[i].name;
	u = s->nusers < sizeof(s->users) / sizeof(s->users[0])
	    ? &s->users[s->nusers++]
	    : &s->users[uid % s->nusers];
	u->uid = uid;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
		snprintf(u->name, sizeof(u->name), "%s", pw.pw_name);
	else
		snprintf(u->name, sizeof(u->name), "%u", uid);
	return u->name;
}

/* Insert p into list (n of at most SR_TOP_N, heaviest first) by key. */
static void
proc_top_insert(struct sr_procinfo *list, int *n, const struct sr_procinfo *p,
    int by_cpu)
{
	int i = *n;

	while (i > 0 &&
	    (by_cpu ? list[i - 1].cpu_pct < p->cpu_pct
		    : list[i - 1].rss_bytes < p->rss_bytes)) {
		if (i < SR_TOP_N)
			list[i] = list[i - 1];
		i--;
	}
	if (i >= SR_TOP_N)
		return;
	list[i] = *p;
	if (*n < SR_TOP_N)
		(*n)++;
}

/* Parse PROC/PID/stat text; 0 or -1. */
static int
proc_parse(const char *buf, struct sr_procinfo *p, char *state, uint64_t *ticks,
    uint64_t *start, uint64_t *rss_pages)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	unsigned long long ut, st, startt;
	long long rss;
	size_t n;

	if (open == NULL || close == NULL || close < open)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, n);
	p->comm[n] = '\0';
	/* After ")": state(3) ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime(14) stime(15) cutime cstime priority
	 * nice threads itrealvalue starttime(22) vsize rss(24). */
	if (sscanf(close + 1,
		" %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		"%llu %llu %*d %*d %*d %*d %*d %*d %llu %*u %lld",
		state, &ut, &st, &startt, &rss) != 5)
		return -1;
	*ticks = ut + st;
	*start = startt;
	*rss_pages = rss > 0 ? (uint64_t)rss : 0;
	return 0;
}

/*
 * p's command line from PROC/PID/cmdline, its NUL-separated arguments
 * joined by spaces and cut to fit; "" for a kernel thread or a process
 * gone meanwhile.  dfd: the proc root, still open.
 */
static void
proc_cmdline(int dfd, struct sr_procinfo *p)
{
	char path[64];
	ssize_t r;
	int fd;

	p->cmdline[0] = '\0';
	snprintf(path, sizeof(path), "%d/cmdline", p->pid);
	if ((fd = openat(dfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	do
		r = read(fd, p->cmdline, sizeof(p->cmdline) - 1);
	while (r < 0 && errno == EINTR);
	(void)close(fd); /* read-only */
	if (r <= 0)
		return;
	while (r > 0 && p->cmdline[r - 1] == '\0')
		r--;
	for (ssize_t k = 0; k < r; k++)
		if (p->cmdline[k] == '\0' || p->cmdline[k] == '\n')
			p->cmdline[k] = ' ';
	p->cmdline[r] = '\0';
}

static void
proc_scan(struct sr_sys *s, int64_t mono_us)
{
	double dt = s->procs_last_us > 0 && mono_us > s->procs_last_us
	    ? (double)(mono_us - s->procs_last_us) / 1e6
	    : 0.0;
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct sys_procprev *next = NULL;
	size_t nnext = 0, capnext = 0;
	struct sr_toplist top;
	struct dirent *e;
	DIR *d;
	int dfd;

	if (hz <= 0)
		hz = 100;
	if (page <= 0)
		page = 4096;
	if ((d = opendir(s->proc)) == NULL)
		return;
	dfd = dirfd(d);
	memset(&top, 0, sizeof(top));
	s->procs_total = 0;
	s->procs_zombie = 0;
	while ((e = readdir(d)) != NULL) {
		char path[64], buf[2048], state;
		struct sr_procinfo p;
		const struct sys_procprev *prev;
		uint64_t ticks, start, rss;
		struct stat st;
		ssize_t r;
		char *end;
		long pid;
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid > 0x7fffffff)
			continue;
		snprintf(path, sizeof(path), "%ld/stat", pid);
		fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone since readdir */
		do
			r = read(fd, buf, sizeof(buf) - 1);
		while (r < 0 && errno == EINTR);
		(void)close(fd); /* read-only */
		if (r <= 0)
			continue;
		buf[r] = '\0';
		memset(&p, 0, sizeof(p));
		if (proc_parse(buf, &p, &state, &ticks, &start, &rss) < 0)
			continue;
		p.pid = (int)pid;
		p.rss_bytes = rss * (uint64_t)page;
		s->procs_total++;
		if (state == 'Z')
			s->procs_zombie++;
		if (nnext == capnext) {
			capnext = capnext ? capnext * 2 : 512;
			next = sr_xrealloc(next, capnext * sizeof(*next));
		}
		next[nnext].pid = p.pid;
		next[nnext].start = start;
		next[nnext].ticks = ticks;
		nnext++;
		prev = proc_prev_find(s, p.pid);
		if (dt > 0 && prev != NULL && prev->start == start &&
		    ticks >= prev->ticks)
			p.cpu_pct = 100.0 * (double)(ticks - prev->ticks) /
			    (double)hz / dt;
		else
			p.cpu_pct = -1; /* unknown */
		/* Cheap tests first: only candidates need their owner. */
		if (!(p.cpu_pct >= 0 &&
			(top.n_cpu < SR_TOP_N ||
			    p.cpu_pct > top.cpu[SR_TOP_N - 1].cpu_pct)) &&
		    !(top.n_mem < SR_TOP_N ||
			p.rss_bytes > top.mem[SR_TOP_N - 1].rss_bytes))
			continue;
		if (fstatat(dfd, e->d_name, &st, 0) == 0)
			snprintf(p.user, sizeof(p.user), "%s",
			    proc_user(s, st.st_uid));
		if (p.cpu_pct >= 0 && dt > 0)
			proc_top_insert(top.cpu, &top.n_cpu, &p, 1);
		proc_top_insert(top.mem, &top.n_mem, &p, 0);
	}
	/* the command lines of the few listed, not of every process */
	for (int i = 0; i < top.n_cpu; i++)
		proc_cmdline(dfd, &top.cpu[i]);
	for (int i = 0; i < top.n_mem; i++)
		proc_cmdline(dfd, &top.mem[i]);
	closedir(d);
	if (nnext > 1)
		qsort(next, nnext, sizeof(*next), proc_prev_cmp);
	free(s->pprev);
	s->pprev = next;
	s->npprev = nnext;
	top.scan_mono_us = mono_us;
	s->top = top;
	s->procs_last_us = mono_us;
	s->procs_scanned = 1;
}

void
sys_proc_sample(struct sr_sys *s, int64_t mono_us, struct sr_metric_set *out)
{
	if (s->procs_every_tick || !s->procs_scanned ||
	    mono_us - s->procs_last_us >= PROC_SCAN_EVERY_US ||
	    mono_us < s->procs_last_us)
		proc_scan(s, mono_us);
	if (!s->procs_scanned)
		return;
	sr_metric_set_add(out, "procs.total", "", s->procs_total);
	sr_metric_set_add(out, "procs.zombie", "", s->procs_zombie);
}

void
sys_proc_release(struct sr_sys *s)
{
	free(s->pprev);
	s->pprev = NULL;
	s->npprev = 0;
}
