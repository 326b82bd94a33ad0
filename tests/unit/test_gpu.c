/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the GPU part of collectors/sys: NVML through a fake
 * library (tests/fakenvml/fakenvml.c, which make builds as
 * tests/libfakenvml.so beside this binary; the tests fail without it),
 * then NVML and an AMD card from sysfs numbered after it.
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
	char exe[400];
	ssize_t n;
	char *slash;

	snprintf(gpu_tmp, sizeof(gpu_tmp), "/tmp/sitrep-gpu-XXXXXX");
	if (mkdtemp(gpu_tmp) == NULL)
		return -1;
	/* $(BUILD)/unit-tests -> $(BUILD)/tests/libfakenvml.so */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 || (size_t)n >= sizeof(exe) - 1)
		return -1;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	snprintf(gpu_lib, sizeof(gpu_lib), "%s/tests/libfakenvml.so", exe);
	return 0;
}

/* The fake library is there (make builds it with the unit tests). */
static int
gpu_have_lib(void)
{
	if (access(gpu_lib, R_OK) == 0)
		return 1;
	fprintf(stderr, "\n  no fake NVML at %s: run make\n", gpu_lib);
	return 0;
}

static int
gpu_teardown(void)
{
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

	CU_ASSERT_TRUE_FATAL(gpu_have_lib());
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

	CU_ASSERT_TRUE_FATAL(gpu_have_lib());
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
