/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for collectors/sys on fixture trees.  Each fixture has two
 * snapshots, a and b; the collector samples a at t = 1 s, then its roots
 * are switched to b and it samples at t = 3 s, so every rate below is a
 * counter delta over 2 s.  Expected values are worked out by hand from the
 * fixture files in the comments.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/sys.h"
#include "collectors/sys_int.h"
#include "core/metric.h"

void sr_test_sys_suite(void);

#define T_A 1000000 /* first sample, us */
#define T_B 3000000 /* second sample: 2 s later */

static const char *
fx(const char *rel)
{
	static char path[4][1024]; /* test helper: a few live at once */
	static int next;
	const char *root = getenv("ROOT");
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/tests/fixtures/%s",
	    root != NULL ? root : ".", rel);
	return p;
}

/* Fake filesystem probe: records the mount points asked about. */
struct fake_fs {
	char asked[16][256];
	int n;
};

static int
fake_statfs(const char *mnt, struct sr_fs_usage *out, void *arg)
{
	struct fake_fs *f = arg;

	if (f->n < 16)
		snprintf(f->asked[f->n++], sizeof(f->asked[0]), "%s", mnt);
	if (strcmp(mnt, "/") == 0) {
		out->total_bytes = 1000000;
		out->free_bytes = 400000;
		out->avail_bytes = 300000;
		out->inodes_total = 1000;
		out->inodes_free = 250;
		return 0;
	}
	if (strcmp(mnt, "/home/my files") == 0) {
		out->total_bytes = 2000;
		out->free_bytes = 1000;
		out->avail_bytes = 1000;
		return 0;
	}
	return -1; /* /boot/efi: unreadable, left out */
}

static struct sr_sys *
open_pair(const char *proc, const char *sys, struct sr_metric_set *set,
    struct fake_fs *ff)
{
	char pa[256], sa[256];
	struct sr_err err;
	struct sr_sys *s;

	snprintf(pa, sizeof(pa), "%s/a", proc);
	snprintf(sa, sizeof(sa), "%s", sys);
	s = sr_sys_open(fx(pa), fx(sa), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	sr_sys_set_nvml_lib(s, "/nonexistent/libnvidia-ml.so.1");
	if (ff != NULL)
		sr_sys_set_statfs(s, fake_statfs, ff);
	sr_sys_want_procs(s, 1);
	CU_ASSERT_EQUAL(sr_sys_sample(s, T_A, set, &err), 0);
	return s;
}

static void
second(struct sr_sys *s, const char *proc, const char *sys,
    struct sr_metric_set *set)
{
	char pb[256];
	struct sr_err err;

	snprintf(pb, sizeof(pb), "%s/b", proc);
	sr_sys_set_roots(s, fx(pb), sys != NULL ? fx(sys) : NULL);
	sr_metric_set_clear(set);
	CU_ASSERT_EQUAL(sr_sys_sample(s, T_B, set, &err), 0);
}

static void
check_near(const struct sr_metric_set *set, const char *name, double want)
{
	double got;

	if (!sr_metric_set_value(set, name, &got)) {
		fprintf(stderr, "\n  missing metric %s\n", name);
		CU_FAIL("metric missing");
		return;
	}
	if (fabs(got - want) > 1e-6 * (fabs(want) > 1 ? fabs(want) : 1)) {
		fprintf(stderr, "\n  %s = %.9g, want %.9g\n", name, got, want);
		CU_FAIL("metric value");
	}
}

static void
check_absent(const struct sr_metric_set *set, const char *name)
{
	if (sr_metric_set_get(set, name) != NULL) {
		fprintf(stderr, "\n  metric %s should be absent\n", name);
		CU_FAIL("metric present");
	}
}

static void
check_unit(const struct sr_metric_set *set, const char *name, const char *unit)
{
	const struct sr_metric *m = sr_metric_set_get(set, name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->unit, unit);
}

/* The first sample reports gauges only. */
static void
test_first_sample(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct fake_fs ff = { .n = 0 };
	struct sr_sys *s = open_pair("proc-busy", "sys-busy/a", set, &ff);

	check_near(set, "cpu.count", 2);
	check_near(set, "load.1", 0.5);
	check_near(set, "mem.total_bytes", 16000000.0 * 1024);
	check_absent(set, "cpu.total.busy_pct");
	check_absent(set, "cpu.0.user_pct");
	check_absent(set, "disk.sda.read_bytes_per_s");
	check_absent(set, "net.eth0.rx_bytes_per_s");
	check_absent(set, "cpu.ctxt_per_s");
	check_near(set, "net.lo.loopback", 1);
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_cpu(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s = open_pair("proc-busy", "sys-edge", set, NULL);

	second(s, "proc-busy", NULL, set);
	/*
	 * cpu0 deltas: user 120 nice 0 system 40 idle 20 iowait 10 irq 5
	 * softirq 5 steal 0 = 200 jiffies.
	 */
	check_near(set, "cpu.0.user_pct", 60);
	check_near(set, "cpu.0.nice_pct", 0);
	check_near(set, "cpu.0.system_pct", 20);
	check_near(set, "cpu.0.idle_pct", 10);
	check_near(set, "cpu.0.iowait_pct", 5);
	check_near(set, "cpu.0.irq_pct", 2.5);
	check_near(set, "cpu.0.softirq_pct", 2.5);
	check_near(set, "cpu.0.steal_pct", 0);
	check_near(set, "cpu.0.busy_pct", 85); /* 100 - 10 - 5 */
	/* cpu1: 20 10 10 140 0 0 0 20 = 200. */
	check_near(set, "cpu.1.user_pct", 10);
	check_near(set, "cpu.1.nice_pct", 5);
	check_near(set, "cpu.1.steal_pct", 10);
	check_near(set, "cpu.1.busy_pct", 30); /* 100 - 70 */
	/* total: 140 10 50 160 10 5 5 20 = 400. */
	check_near(set, "cpu.total.user_pct", 35);
	check_near(set, "cpu.total.nice_pct", 2.5);
	check_near(set, "cpu.total.system_pct", 12.5);
	check_near(set, "cpu.total.idle_pct", 40);
	check_near(set, "cpu.total.iowait_pct", 2.5);
	check_near(set, "cpu.total.irq_pct", 1.25);
	check_near(set, "cpu.total.steal_pct", 5);
	check_near(set, "cpu.total.busy_pct", 57.5);
	check_near(set, "cpu.count", 2);
	check_unit(set, "cpu.total.busy_pct", "%");
	/* intr +2000, ctxt +10000, processes +10 over 2 s. */
	check_near(set, "cpu.intr_per_s", 1000);
	check_near(set, "cpu.ctxt_per_s", 5000);
	check_near(set, "procs.forks_per_s", 5);
	check_unit(set, "cpu.ctxt_per_s", "1/s");
	check_near(set, "procs.running", 4);
	check_near(set, "procs.blocked", 2);
	check_near(set, "load.1", 1.25);
	check_near(set, "load.5", 0.75);
	check_near(set, "load.15", 0.5);
	check_near(set, "load.running_tasks", 3);
	check_near(set, "load.total_tasks", 310);
	check_near(set, "uptime_s", 12345.67);
	check_unit(set, "uptime_s", "s");
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_mem_psi(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s = open_pair("proc-busy", "sys-edge", set, NULL);
	long page = sysconf(_SC_PAGESIZE);

	second(s, "proc-busy", NULL, set);
	/* kB * 1024; used = 16000000 - 12000000 kB = 25 %. */
	check_near(set, "mem.total_bytes", 16384000000.0);
	check_near(set, "mem.available_bytes", 12288000000.0);
	check_near(set, "mem.used_bytes", 4096000000.0);
	check_near(set, "mem.used_pct", 25);
	check_near(set, "mem.free_bytes", 2048000000.0);
	check_near(set, "mem.buffers_bytes", 512000000.0);
	/* Cached 6000000 + SReclaimable 400000 kB. */
	check_near(set, "mem.cached_bytes", 6553600000.0);
	check_near(set, "mem.shared_bytes", 307200000.0);
	check_unit(set, "mem.total_bytes", "bytes");
	/* Swap 4000000 kB, free 3000000 kB. */
	check_near(set, "swap.total_bytes", 4096000000.0);
	check_near(set, "swap.used_bytes", 1024000000.0);
	check_near(set, "swap.used_pct", 25);
	/* pswpin +500 pages over 2 s, pswpout +0. */
	check_near(set, "swap.in_bytes_per_s", 500.0 * (double)page / 2);
	check_near(set, "swap.out_bytes_per_s", 0);
	check_unit(set, "swap.in_bytes_per_s", "bytes/s");
	check_near(set, "psi.cpu.some_avg10", 12.5);
	check_near(set, "psi.cpu.full_avg10", 0);
	check_near(set, "psi.memory.some_avg10", 1.5);
	check_near(set, "psi.memory.full_avg10", 0.75);
	check_near(set, "psi.io.some_avg10", 5);
	check_near(set, "psi.io.full_avg10", 4);
	/* sys-edge has no cgroup tree: nothing from there. */
	check_absent(set, "cgroup.memory.max_bytes");
	check_absent(set, "mem.host_used_pct");
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_disk_net(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s = open_pair("proc-busy", "sys-busy/a", set, NULL);

	second(s, "proc-busy", "sys-busy/b", set);
	/*
	 * sda: reads +100, sectors read +2000 (1024000 bytes), read ticks
	 * +300, writes +300, sectors written +8000 (4096000 bytes), write
	 * ticks +900, io_ticks +500 ms; over 2 s.
	 */
	check_near(set, "disk.sda.read_bytes_per_s", 512000);
	check_near(set, "disk.sda.write_bytes_per_s", 2048000);
	check_near(set, "disk.sda.reads_per_s", 50);
	check_near(set, "disk.sda.writes_per_s", 150);
	check_near(set, "disk.sda.iops", 200);
	check_near(set, "disk.sda.util_pct", 25); /* 500 / 2000 ms */
	check_near(set, "disk.sda.await_ms", 3);  /* 1200 ms / 400 */
	check_unit(set, "disk.sda.await_ms", "ms");
	check_unit(set, "disk.sda.util_pct", "%");
	/* nvme0n1: writes +1000, 8000 sectors, ticks +2000, busy 2500 ms
	 * in 2000 ms: capped at 100. */
	check_near(set, "disk.nvme0n1.write_bytes_per_s", 2048000);
	check_near(set, "disk.nvme0n1.read_bytes_per_s", 0);
	check_near(set, "disk.nvme0n1.util_pct", 100);
	check_near(set, "disk.nvme0n1.await_ms", 2);
	/* Partitions are not reported; loop0 never did I/O; loop1 did. */
	check_absent(set, "disk.sda1.read_bytes_per_s");
	check_absent(set, "disk.loop0.read_bytes_per_s");
	check_near(set, "disk.loop1.read_bytes_per_s", 0);
	check_near(set, "disk.loop1.await_ms", 0);
	check_near(set, "disk.total.read_bytes_per_s", 512000);
	check_near(set, "disk.total.write_bytes_per_s", 4096000);
	/*
	 * eth0: rx +2000000 bytes +2000 packets +4 errors +0 drops, tx
	 * +200000 bytes +200 packets.  lo: +2000 bytes, +20 packets.
	 */
	check_near(set, "net.eth0.rx_bytes_per_s", 1000000);
	check_near(set, "net.eth0.rx_packets_per_s", 1000);
	check_near(set, "net.eth0.rx_errors_per_s", 2);
	check_near(set, "net.eth0.rx_drops_per_s", 0);
	check_near(set, "net.eth0.tx_bytes_per_s", 100000);
	check_near(set, "net.eth0.tx_packets_per_s", 100);
	check_near(set, "net.eth0.tx_errors_per_s", 0);
	check_near(set, "net.eth0.loopback", 0);
	check_near(set, "net.lo.rx_bytes_per_s", 1000);
	check_near(set, "net.lo.tx_packets_per_s", 10);
	check_near(set, "net.lo.loopback", 1);
	/* Totals leave loopback out. */
	check_near(set, "net.total.rx_bytes_per_s", 1000000);
	check_near(set, "net.total.tx_bytes_per_s", 100000);
	check_unit(set, "net.eth0.rx_bytes_per_s", "bytes/s");
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_thermal_gpu_sysfs(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s = open_pair("proc-busy", "sys-busy/a", set, NULL);

	/* hwmon0 "coretemp": temp1 labelled, temp2 not; zone0 47000. */
	check_near(set, "temp.coretemp.Package_id_0.temp_c", 45);
	check_near(set, "temp.coretemp.temp2.temp_c", 43.5);
	check_near(set, "temp.zone0.x86_pkg_temp.temp_c", 47);
	check_unit(set, "temp.zone0.x86_pkg_temp.temp_c", "C");
	/* card0 is AMD (NVML is not loaded: it becomes gpu 0); card1 is
	 * NVIDIA and left to NVML; card0-DP-1 is a connector. */
	check_near(set, "gpu.count", 1);
	check_near(set, "gpu.0.util_pct", 37);
	check_near(set, "gpu.0.mem_used_bytes", 1073741824.0);
	check_near(set, "gpu.0.mem_total_bytes", 8589934592.0);
	check_near(set, "gpu.0.mem_used_pct", 12.5);
	check_near(set, "gpu.0.temp_c", 61);
	check_near(set, "gpu.0.power_w", 45.5);
	check_unit(set, "gpu.0.power_w", "W");
	check_absent(set, "gpu.1.util_pct");
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_cgroup(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s = open_pair("proc-busy", "sys-busy/a", set, NULL);

	second(s, "proc-busy", "sys-busy/b", set);
	/*
	 * /docker/abc: memory.max 8192000000 (tighter than 16384000000),
	 * current 4096000000 minus inactive_file 1024000000 = 3072000000,
	 * 37.5 % of the limit.  cpu.max 50000/100000 = 0.5 core (the parent
	 * says max); usage +500000 us over 2 s on 0.5 core = 50 %.
	 */
	check_near(set, "cgroup.memory.max_bytes", 8192000000.0);
	check_near(set, "cgroup.memory.used_bytes", 3072000000.0);
	check_near(set, "cgroup.memory.used_pct", 37.5);
	check_near(set, "mem.used_pct", 37.5);
	check_near(set, "mem.host_used_pct", 25);
	check_near(set, "cgroup.cpu.max_cores", 0.5);
	check_near(set, "cgroup.cpu.used_pct", 50);
	check_near(set, "cpu.total.busy_pct", 50);
	check_near(set, "cpu.total.host_busy_pct", 57.5);
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_procs(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s = open_pair("proc-busy", "sys-edge", set, NULL);
	const struct sr_procinfo *p;
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct passwd *pw;
	struct stat st;
	int n;

	/* First scan: no CPU list yet, memory list complete. */
	p = sr_sys_top_cpu(s, &n);
	CU_ASSERT_EQUAL(n, 0);
	second(s, "proc-busy", NULL, set);
	/* b holds pids 100, 200, 300 (zombie), 400 (new), 500 (reused). */
	check_near(set, "procs.total", 5);
	check_near(set, "procs.zombie", 1);
	/*
	 * CPU: 100 went from 500+100 to 600+140 ticks: 140 ticks in 2 s;
	 * 200 from 50 to 60: 10 ticks; 300 unchanged.  400 is new and 500's
	 * start time changed, so neither has a CPU % yet.
	 */
	p = sr_sys_top_cpu(s, &n);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(p[0].pid, 100);
	CU_ASSERT_STRING_EQUAL(p[0].comm, "worker one");
	CU_ASSERT_DOUBLE_EQUAL(p[0].cpu_pct, 100.0 * 140 / hz / 2, 1e-9);
	CU_ASSERT_EQUAL(p[1].pid, 200);
	CU_ASSERT_STRING_EQUAL(p[1].comm, "x) y");
	CU_ASSERT_DOUBLE_EQUAL(p[1].cpu_pct, 100.0 * 10 / hz / 2, 1e-9);
	/* b/100/cmdline: "/usr/bin/worker\0--threads\0004\0"; 200 has none */
	CU_ASSERT_STRING_EQUAL(p[0].cmdline, "/usr/bin/worker --threads 4");
	CU_ASSERT_STRING_EQUAL(p[1].cmdline, "");
	CU_ASSERT_EQUAL(p[2].pid, 300);
	CU_ASSERT_DOUBLE_EQUAL(p[2].cpu_pct, 0, 1e-9);
	/* Memory: rss pages 400: 3000, 100: 2560, 200: 1000, 500: 10, 300: 0. */
	p = sr_sys_top_mem(s, &n);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT_EQUAL(p[0].pid, 400);
	CU_ASSERT_EQUAL(p[0].rss_bytes, 3000u * (uint64_t)page);
	CU_ASSERT_EQUAL(p[1].pid, 100);
	CU_ASSERT_EQUAL(p[2].pid, 200);
	CU_ASSERT_EQUAL(p[3].pid, 500);
	CU_ASSERT_EQUAL(p[4].pid, 300);
	/* The owner is whoever owns the fixture's process directory. */
	CU_ASSERT_EQUAL_FATAL(stat(fx("proc-busy/b/400"), &st), 0);
	pw = getpwuid(st.st_uid);
	if (pw != NULL)
		CU_ASSERT_STRING_EQUAL(p[0].user, pw->pw_name);
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_fs(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct fake_fs ff = { .n = 0 };
	struct sr_sys *s = open_pair("proc-busy", "sys-edge", set, &ff);

	/*
	 * Of the mounts in proc-busy/a/self/mounts only /, /home/my files
	 * (octal \040) and /boot/efi are real; /srv/bind repeats /dev/sda1.
	 */
	CU_ASSERT_EQUAL_FATAL(ff.n, 3);
	CU_ASSERT_STRING_EQUAL(ff.asked[0], "/");
	CU_ASSERT_STRING_EQUAL(ff.asked[1], "/home/my files");
	CU_ASSERT_STRING_EQUAL(ff.asked[2], "/boot/efi");
	/* / : used 1000000 - 400000 = 600000; 600000 / (600000 + 300000). */
	check_near(set, "fs./.total_bytes", 1000000);
	check_near(set, "fs./.used_bytes", 600000);
	check_near(set, "fs./.free_bytes", 300000);
	check_near(set, "fs./.used_pct", 200.0 / 3);
	check_near(set, "fs./.inodes_used_pct", 75);
	check_near(set, "fs./home/my files.used_pct", 50);
	check_absent(set, "fs./home/my files.inodes_used_pct");
	check_absent(set, "fs./boot/efi.total_bytes");
	check_absent(set, "fs./srv/bind.total_bytes");
	check_absent(set, "fs./run.total_bytes");
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_fs_filter(void)
{
	char esc[] = "/mnt/a\\040b\\011c\\\\d";

	CU_ASSERT_TRUE(sys_fs_wanted("/dev/sda1", "/", "ext4"));
	CU_ASSERT_TRUE(sys_fs_wanted("overlay", "/", "overlay"));
	CU_ASSERT_TRUE(sys_fs_wanted("server:/x", "/mnt/nfs", "nfs4"));
	CU_ASSERT_FALSE(
	    sys_fs_wanted("overlay", "/var/lib/x/merged", "overlay"));
	CU_ASSERT_FALSE(sys_fs_wanted("tmpfs", "/run", "tmpfs"));
	CU_ASSERT_FALSE(sys_fs_wanted("proc", "/proc", "proc"));
	CU_ASSERT_FALSE(sys_fs_wanted("/dev/loop1", "/snap/x/1", "squashfs"));
	CU_ASSERT_FALSE(sys_fs_wanted("cgroup2", "/sys/fs/cgroup", "cgroup2"));
	CU_ASSERT_FALSE(sys_fs_wanted("/dev/sda1", "/proc/x", "ext4"));
	CU_ASSERT_TRUE(sys_fs_wanted("/dev/sda1", "/procedures", "ext4"));
	sys_fs_unescape(esc);
	CU_ASSERT_STRING_EQUAL(esc, "/mnt/a b\tc\\\\d");
}

/* Hot-plugged core, counter reset and wrap, vanished interface, no PSI. */
static void
test_edge(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s = open_pair("proc-edge", "sys-edge", set, NULL);
	struct sr_err err;

	second(s, "proc-edge", NULL, set);
	/*
	 * b lists cpu0 and cpu2: cpu1 went offline, cpu2 came online.
	 * cpu0: user +50 system +50 idle +100 = 200: 25/25/50, busy 50.
	 * total: +100 +100 +400 = 600.
	 */
	check_near(set, "cpu.count", 2);
	check_near(set, "cpu.0.busy_pct", 50);
	check_near(set, "cpu.0.user_pct", 25);
	check_absent(set, "cpu.1.busy_pct");
	check_absent(set, "cpu.2.busy_pct"); /* first sight of cpu2 */
	check_near(set, "cpu.total.busy_pct", 100.0 / 3);
	/* ctxt went 1000 -> 500: reset, no rate; intr +200 in 2 s. */
	check_absent(set, "cpu.ctxt_per_s");
	check_near(set, "cpu.intr_per_s", 100);
	/* No PROC/pressure: no psi metrics at all (not zeros). */
	check_absent(set, "psi.cpu.some_avg10");
	check_absent(set, "psi.io.some_avg10");
	check_absent(set, "psi.memory.full_avg10");
	/* No MemAvailable: available = free + buffers + cached = 400000 kB,
	 * used 600000 of 1000000 kB; no swap lines: no swap metrics. */
	check_near(set, "mem.available_bytes", 409600000.0);
	check_near(set, "mem.used_pct", 60);
	check_absent(set, "swap.total_bytes");
	/* eth0 rx bytes 4294967000 -> 200 (32-bit wrap or reset): no rates
	 * for eth0 this interval, never negative. */
	check_absent(set, "net.eth0.rx_bytes_per_s");
	check_absent(set, "net.eth0.tx_bytes_per_s");
	check_near(set, "net.eth0.loopback", 0);
	check_near(set, "net.lo.rx_bytes_per_s", 100); /* +200 / 2 s */
	check_near(set, "net.lo.loopback", 1);	       /* by name */
	check_absent(set, "net.wlan0.loopback");       /* vanished */
	check_absent(set, "net.wlan0.rx_bytes_per_s");
	check_near(set, "net.docker0.loopback", 0); /* appeared */
	check_absent(set, "net.docker0.rx_bytes_per_s");
	check_absent(set, "net.total.rx_bytes_per_s");
	/* sdb was re-added (counters fell): no rates. */
	check_absent(set, "disk.sdb.read_bytes_per_s");
	check_absent(set, "disk.sdb.util_pct");

	/* A third sample of b 2 s later: rates resume at 0. */
	sr_metric_set_clear(set);
	CU_ASSERT_EQUAL(sr_sys_sample(s, T_B + 2000000, set, &err), 0);
	check_near(set, "net.eth0.rx_bytes_per_s", 0);
	check_near(set, "net.docker0.rx_bytes_per_s", 0);
	check_near(set, "disk.sdb.read_bytes_per_s", 0);
	/* cpu2's counters did not move: no time passed on it, no split. */
	check_absent(set, "cpu.2.busy_pct");
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_open_errors(void)
{
	struct sr_err err;
	struct sr_sys_host h;
	struct sr_sys *s;

	s = sr_sys_open("/nonexistent/proc", "/nonexistent/sys", &err);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/proc/stat"));
	s = sr_sys_open(fx("proc-busy/b"), fx("sys-edge"), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	sr_sys_host(s, &h);
	CU_ASSERT_STRING_EQUAL(h.hostname, "fixture-host");
	CU_ASSERT_STRING_EQUAL(h.kernel, "6.1.0-fixture");
	CU_ASSERT_DOUBLE_EQUAL(h.uptime_s, 12345.67, 1e-9);
	sr_sys_close(s);
	sr_sys_close(NULL);
}

void
sr_test_sys_suite(void)
{
	CU_pSuite s = CU_add_suite("sys", NULL, NULL);

	CU_add_test(s, "first_sample", test_first_sample);
	CU_add_test(s, "cpu", test_cpu);
	CU_add_test(s, "mem_psi", test_mem_psi);
	CU_add_test(s, "disk_net", test_disk_net);
	CU_add_test(s, "thermal_gpu_sysfs", test_thermal_gpu_sysfs);
	CU_add_test(s, "cgroup", test_cgroup);
	CU_add_test(s, "procs", test_procs);
	CU_add_test(s, "fs", test_fs);
	CU_add_test(s, "fs_filter", test_fs_filter);
	CU_add_test(s, "edge", test_edge);
	CU_add_test(s, "open_errors", test_open_errors);
}
