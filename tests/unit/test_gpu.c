/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the GPU part of collectors/sys: NVML through a fake
 * library (tests/fakenvml/fakenvml.c, compiled here with cc when cc is
 * available), then NVML and an AMD card from sysfs numbered after it.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/sys.h"
#include "core/metric.h"

void sr_test_gpu_suite(void);

static char gpu_tmp[256]; /* test fixture state: the temp dir */
static char gpu_lib[512];

static int
gpu_setup(void)
{
	const char *root = getenv("ROOT");
	char cmd[2048];

	snprintf(gpu_tmp, sizeof(gpu_tmp), "/tmp/sitrep-gpu-XXXXXX");
	if (mkdtemp(gpu_tmp) == NULL)
		return -1;
	snprintf(gpu_lib, sizeof(gpu_lib), "%s/libnvidia-ml.so.1", gpu_tmp);
	snprintf(cmd, sizeof(cmd),
	    "command -v cc >/dev/null 2>&1 && "
	    "cc -shared -fPIC -o '%s' '%s/tests/fakenvml/fakenvml.c' "
	    ">/dev/null 2>&1",
	    gpu_lib, root != NULL ? root : ".");
	if (system(cmd) != 0)
		gpu_lib[0] = '\0'; /* no compiler: tests say so, pass */
	return 0;
}

static int
gpu_teardown(void)
{
	if (gpu_lib[0] != '\0')
		(void)unlink(gpu_lib);
	(void)rmdir(gpu_tmp);
	return 0;
}

static struct sr_sys *
gpu_open(const char *sys, struct sr_metric_set *set)
{
	const char *root = getenv("ROOT");
	char proc[1024], sysp[1024];
	struct sr_err err;
	struct sr_sys *s;

	snprintf(proc, sizeof(proc), "%s/tests/fixtures/proc-edge/a",
	    root != NULL ? root : ".");
	snprintf(sysp, sizeof(sysp), "%s/tests/fixtures/%s",
	    root != NULL ? root : ".", sys);
	s = sr_sys_open(proc, sysp, &err);
	if (s == NULL)
		return NULL;
	sr_sys_set_nvml_lib(s, gpu_lib);
	if (sr_sys_sample(s, 1000000, set, &err) < 0) {
		sr_sys_close(s);
		return NULL;
	}
	return s;
}

static void
near(const struct sr_metric_set *set, const char *name, double want)
{
	double got = NAN;

	if (!sr_metric_set_value(set, name, &got) || fabs(got - want) > 1e-6) {
		fprintf(stderr, "\n  %s = %g, want %g\n", name, got, want);
		CU_FAIL("gpu metric");
	}
}

static void
test_nvml(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s;

	if (gpu_lib[0] == '\0') {
		fprintf(stderr, "(no cc: fake NVML not built, skipped) ");
		sr_metric_set_free(set);
		return;
	}
	s = gpu_open("sys-edge", set);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* The fake's two GPUs (see fakenvml.c); GiB = 1073741824 bytes. */
	near(set, "gpu.count", 2);
	near(set, "gpu.0.util_pct", 40);
	near(set, "gpu.0.mem_util_pct", 20);
	near(set, "gpu.0.mem_used_bytes", 4.0 * 1073741824);
	near(set, "gpu.0.mem_total_bytes", 16.0 * 1073741824);
	near(set, "gpu.0.mem_used_pct", 25);
	near(set, "gpu.0.temp_c", 55);
	near(set, "gpu.0.power_w", 123.456);
	near(set, "gpu.1.util_pct", 90);
	near(set, "gpu.1.mem_used_bytes", 60.0 * 1073741824);
	near(set, "gpu.1.mem_used_pct", 75);
	near(set, "gpu.1.temp_c", 71);
	/* GPU 1's power call fails: that one metric is absent. */
	CU_ASSERT_PTR_NULL(sr_metric_set_get(set, "gpu.1.power_w"));
	CU_ASSERT_PTR_NULL(sr_metric_set_get(set, "gpu.2.util_pct"));
	CU_ASSERT_STRING_EQUAL(sr_metric_set_get(set, "gpu.0.power_w")->unit,
	    "W");
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_nvml_and_sysfs(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s;

	if (gpu_lib[0] == '\0') {
		sr_metric_set_free(set);
		return;
	}
	/* sys-busy/a has an AMD card0: it comes after NVML's 0 and 1. */
	s = gpu_open("sys-busy/a", set);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	near(set, "gpu.count", 3);
	near(set, "gpu.0.util_pct", 40);
	near(set, "gpu.2.util_pct", 37);
	near(set, "gpu.2.power_w", 45.5);
	sr_sys_close(s);
	sr_metric_set_free(set);
}

static void
test_no_nvml(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_sys *s;
	char saved[512];

	/* A missing library is no error: just no gpu metrics. */
	snprintf(saved, sizeof(saved), "%s", gpu_lib);
	snprintf(gpu_lib, sizeof(gpu_lib), "%s/absent.so", gpu_tmp);
	s = gpu_open("sys-edge", set);
	snprintf(gpu_lib, sizeof(gpu_lib), "%s", saved);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NULL(sr_metric_set_get(set, "gpu.count"));
	CU_ASSERT_PTR_NULL(sr_metric_set_get(set, "gpu.0.util_pct"));
	CU_ASSERT_PTR_NOT_NULL(sr_metric_set_get(set, "cpu.count"));
	sr_sys_close(s);
	sr_metric_set_free(set);
}

void
sr_test_gpu_suite(void)
{
	CU_pSuite s = CU_add_suite("gpu", gpu_setup, gpu_teardown);

	CU_add_test(s, "nvml", test_nvml);
	CU_add_test(s, "nvml_and_sysfs", test_nvml_and_sysfs);
	CU_add_test(s, "no_nvml", test_no_nvml);
}
