/* SPDX-License-Identifier: MIT */
/*
 * The console's number formats against tests/fixtures/fmt_cases.tsv, the
 * table the web page's formatter is checked against too
 * (tests/integration/web_fmt.sh), so both write every number alike.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/fmt.h"

void sr_test_fmt_table_suite(void);

/* fn's text for v, as the console writes it; NULL for an unknown fn. */
static const char *
table_fmt(char *buf, size_t n, const char *fn, double v)
{
	if (strcmp(fn, "si") == 0)
		return sr_fmt_si(buf, n, v);
	if (strcmp(fn, "bytes") == 0)
		return sr_fmt_bytes(buf, n, v, "");
	if (strcmp(fn, "bytes/s") == 0)
		return sr_fmt_bytes(buf, n, v, "/s");
	if (strcmp(fn, "ms") == 0)
		return sr_fmt_ms(buf, n, v);
	if (strcmp(fn, "duration") == 0)
		return sr_fmt_duration(buf, n, (int64_t)v);
	if (strcmp(fn, "pct") == 0)
		return sr_fmt_pct(buf, n, v);
	return NULL;
}

static void
test_table(void)
{
	const char *root = getenv("ROOT");
	char path[1024], line[256], buf[64];
	FILE *f;
	int rows = 0;

	snprintf(path, sizeof(path), "%s/tests/fixtures/fmt_cases.tsv",
	    root != NULL ? root : ".");
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *fn, *in, *want, *save = NULL;
		const char *got;
		double v;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		fn = strtok_r(line, "\t", &save);
		in = strtok_r(NULL, "\t", &save);
		want = strtok_r(NULL, "\t", &save);
		CU_ASSERT_PTR_NOT_NULL_FATAL(want);
		v = strcmp(in, "nan") == 0 ? NAN : strtod(in, NULL);
		got = table_fmt(buf, sizeof(buf), fn, v);
		CU_ASSERT_PTR_NOT_NULL(got);
		if (got == NULL || strcmp(got, want) != 0)
			fprintf(stderr, "fmt_cases: %s(%s) = '%s', want '%s'\n",
			    fn, in, got ? got : "(unknown fn)", want);
		CU_ASSERT(got != NULL && strcmp(got, want) == 0);
		rows++;
	}
	fclose(f);
	CU_ASSERT(rows >= 40);
}

void
sr_test_fmt_table_suite(void)
{
	CU_pSuite s = CU_add_suite("fmt_table", NULL, NULL);

	CU_add_test(s, "table", test_table);
}
