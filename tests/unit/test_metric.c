/* SPDX-License-Identifier: MIT */
/* Unit tests for core/metric. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "core/metric.h"

void sr_test_metric_suite(void);

static void
test_add_get(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	const struct sr_metric *m;
	const char *interned;
	double v;

	sr_metric_set_add(set, "cpu.total.busy_pct", "%", 12.5);
	sr_metric_set_addf(set, "bytes", 42, "fs.%s.total_bytes", "/");
	CU_ASSERT_EQUAL(sr_metric_set_count(set), 2);
	m = sr_metric_set_get(set, "fs./.total_bytes");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->unit, "bytes");
	CU_ASSERT_DOUBLE_EQUAL(m->value, 42, 0);
	interned = m->name;
	/* Overwrite keeps one entry. */
	sr_metric_set_add(set, "fs./.total_bytes", "bytes", 43);
	CU_ASSERT_EQUAL(sr_metric_set_count(set), 2);
	CU_ASSERT_TRUE(sr_metric_set_value(set, "fs./.total_bytes", &v));
	CU_ASSERT_DOUBLE_EQUAL(v, 43, 0);
	CU_ASSERT_FALSE(sr_metric_set_value(set, "nope", &v));
	/* Clear empties the set, names stay interned at the same address. */
	sr_metric_set_clear(set);
	CU_ASSERT_EQUAL(sr_metric_set_count(set), 0);
	CU_ASSERT_PTR_NULL(sr_metric_set_get(set, "fs./.total_bytes"));
	sr_metric_set_add(set, "fs./.total_bytes", "bytes", 1);
	CU_ASSERT_PTR_EQUAL(sr_metric_set_get(set, "fs./.total_bytes")->name,
	    interned);
	sr_metric_set_free(set);
	sr_metric_set_free(NULL);
}

static void
test_many(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	char name[64];
	int ok = 1;

	/* Enough names to grow the intern table several times. */
	for (int i = 0; i < 5000; i++)
		sr_metric_set_addf(set, "1/s", i, "net.if%d.rx_bytes_per_s", i);
	CU_ASSERT_EQUAL(sr_metric_set_count(set), 5000);
	for (int i = 0; i < 5000 && ok; i++) {
		double v;

		snprintf(name, sizeof(name), "net.if%d.rx_bytes_per_s", i);
		ok = sr_metric_set_value(set, name, &v) && v == i;
	}
	CU_ASSERT_TRUE(ok);
	sr_metric_set_free(set);
}

static void
test_sort_filter(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	struct sr_metric_set *copy = sr_metric_set_new();
	const char *pats[] = { "cpu.*", "load.1" };

	sr_metric_set_add(set, "load.15", "", 3);
	sr_metric_set_add(set, "cpu.10.busy_pct", "%", 10);
	sr_metric_set_add(set, "cpu.2.busy_pct", "%", 2);
	sr_metric_set_add(set, "load.1", "", 1);
	sr_metric_set_add(set, "cpu.count", "", 12);
	sr_metric_set_sort(set);
	/* Numeric runs sort as numbers: 2 before 10. */
	CU_ASSERT_STRING_EQUAL(sr_metric_set_at(set, 0)->name,
	    "cpu.2.busy_pct");
	CU_ASSERT_STRING_EQUAL(sr_metric_set_at(set, 1)->name,
	    "cpu.10.busy_pct");
	CU_ASSERT_STRING_EQUAL(sr_metric_set_at(set, 2)->name, "cpu.count");
	CU_ASSERT_STRING_EQUAL(sr_metric_set_at(set, 3)->name, "load.1");
	CU_ASSERT_STRING_EQUAL(sr_metric_set_at(set, 4)->name, "load.15");
	CU_ASSERT_PTR_NULL(sr_metric_set_at(set, 5));
	/* Lookup still works after the reorder. */
	CU_ASSERT_DOUBLE_EQUAL(sr_metric_set_get(set, "load.15")->value, 3, 0);
	sr_metric_set_copy(copy, set);
	CU_ASSERT_EQUAL(sr_metric_set_filter(set, pats, 2), 4);
	CU_ASSERT_PTR_NULL(sr_metric_set_get(set, "load.15"));
	CU_ASSERT_DOUBLE_EQUAL(sr_metric_set_get(set, "cpu.count")->value, 12,
	    0);
	CU_ASSERT_EQUAL(sr_metric_set_filter(set, NULL, 0), 4);
	CU_ASSERT_EQUAL(sr_metric_set_count(copy), 5);
	CU_ASSERT_DOUBLE_EQUAL(sr_metric_set_get(copy, "load.15")->value, 3, 0);
	sr_metric_set_free(set);
	sr_metric_set_free(copy);
}

static int
sum_fn(const struct sr_metric *m, void *arg)
{
	*(double *)arg += m->value;
	return 0;
}

static void
test_foreach_split(void)
{
	struct sr_metric_set *set = sr_metric_set_new();
	char fam[32], inst[32], meas[32];
	double sum = 0;

	sr_metric_set_add(set, "a", "", 1);
	sr_metric_set_add(set, "b", "", 2.5);
	sr_metric_set_foreach(set, sum_fn, &sum);
	CU_ASSERT_DOUBLE_EQUAL(sum, 3.5, 0);
	sr_metric_name_split("fs./var/lib.x.used_pct", fam, inst, meas, 32);
	CU_ASSERT_STRING_EQUAL(fam, "fs");
	CU_ASSERT_STRING_EQUAL(inst, "/var/lib.x");
	CU_ASSERT_STRING_EQUAL(meas, "used_pct");
	sr_metric_name_split("load.1", fam, inst, meas, 32);
	CU_ASSERT_STRING_EQUAL(fam, "load");
	CU_ASSERT_STRING_EQUAL(inst, "");
	CU_ASSERT_STRING_EQUAL(meas, "1");
	sr_metric_name_split("uptime_s", fam, inst, meas, 32);
	CU_ASSERT_STRING_EQUAL(fam, "uptime_s");
	CU_ASSERT_STRING_EQUAL(meas, "");
	sr_metric_name_split("temp.coretemp.Core_0.temp_c", fam, inst, meas, 8);
	CU_ASSERT_STRING_EQUAL(inst, "coretem"); /* truncated to 7 */
	sr_metric_set_free(set);
}

void
sr_test_metric_suite(void)
{
	CU_pSuite s = CU_add_suite("metric", NULL, NULL);

	CU_add_test(s, "add_get", test_add_get);
	CU_add_test(s, "many", test_many);
	CU_add_test(s, "sort_filter", test_sort_filter);
	CU_add_test(s, "foreach_split", test_foreach_split);
}
