/* SPDX-License-Identifier: MIT */
/*
 * sys_bench: CPU time of one full collection pass of the sys collector on
 * this machine, without the process scan and with it.  Prints figures
 * only.  Usage: sys_bench [PASSES]   (default 500)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "collectors/sys.h"
#include "core/metric.h"
#include "core/util.h"

static int64_t
bench_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Run n passes; procs: scan on every pass.  Prints µs per pass. */
static void
bench_run(struct sr_sys *s, struct sr_metric_set *set, int n, int procs,
    const char *label)
{
	int64_t t0, c0, mono, metrics = 0;
	struct sr_err err;

	sr_sys_want_procs(s, procs);
	/* mono advances 1 ms a pass: without the flag no scan is due. */
	mono = sr_mono_us();
	t0 = sr_mono_us();
	c0 = bench_cpu_ns();
	for (int i = 0; i < n; i++) {
		sr_metric_set_clear(set);
		mono += 1000;
		if (sr_sys_sample(s, mono, set, &err) < 0) {
			fprintf(stderr, "sys_bench: %s\n", err.msg);
			exit(1);
		}
		metrics += (int64_t)sr_metric_set_count(set);
	}
	printf("sys_bench: %-22s %8.1f us CPU/pass %8.1f us wall/pass "
	       "(%d passes, %lld metrics/pass)\n",
	    label, (double)(bench_cpu_ns() - c0) / 1000.0 / n,
	    (double)(sr_mono_us() - t0) / n, n, (long long)(metrics / n));
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 500;
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_err err;
	struct sr_sys *s;
	int top;

	if (n <= 0)
		n = 500;
	s = sr_sys_open(NULL, NULL, &err);
	if (s == NULL) {
		fprintf(stderr, "sys_bench: %s\n", err.msg);
		return 1;
	}
	/* Prime (first pass loads NVML if present, scans processes once). */
	if (sr_sys_sample(s, sr_mono_us(), set, &err) < 0)
		return 1;
	bench_run(s, set, n, 0, "without process scan");
	bench_run(s, set, n / 5 > 0 ? n / 5 : 1, 1, "with process scan");
	sr_sys_top_cpu(s, &top);
	printf("sys_bench: %d processes scanned, %d in the CPU top list\n",
	    (int)(sr_metric_set_get(set, "procs.total")
		    ? sr_metric_set_get(set, "procs.total")->value
		    : 0),
	    top);
	sr_metric_set_free(set);
	sr_sys_close(s);
	return 0;
}
