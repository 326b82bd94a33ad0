/* SPDX-License-Identifier: MIT */
/* Unit tests for core/util. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void sr_test_util_suite(void);

static void
test_buf(void)
{
	struct sr_buf b;
	char *s;
	size_t len;

	sr_buf_init(&b);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	sr_buf_adds(&b, "ab");
	sr_buf_addf(&b, "%d-%s", 42, "x");
	CU_ASSERT_STRING_EQUAL(b.data, "ab42-x");
	CU_ASSERT_EQUAL(b.len, 6);
	for (int i = 0; i < 1000; i++)
		sr_buf_addc(&b, 'z');
	CU_ASSERT_EQUAL(b.len, 1006);
	sr_buf_reset(&b);
	sr_buf_add_json_str(&b, "a\"b\\\n\x01");
	CU_ASSERT_STRING_EQUAL(b.data, "\"a\\\"b\\\\\\n\\u0001\"");
	s = sr_buf_detach(&b, &len);
	CU_ASSERT_EQUAL(len, strlen(s));
	CU_ASSERT_STRING_EQUAL(b.data, "");
	free(s);
	sr_buf_release(&b);
}

static void
test_err(void)
{
	struct sr_err e;

	CU_ASSERT_EQUAL(sr_err_set(&e, "cannot open '%s'", "x"), -1);
	CU_ASSERT_EQUAL(sr_err_prefix(&e, "line %d", 3), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "line 3: cannot open 'x'");
	CU_ASSERT_EQUAL(sr_err_set(NULL, "x"), -1);
}

static void
test_utf8(void)
{
	CU_ASSERT_TRUE(sr_utf8_valid("plain", 5));
	CU_ASSERT_TRUE(sr_utf8_valid("caf\xc3\xa9", 5));
	CU_ASSERT_TRUE(sr_utf8_valid("\xf0\x9f\x98\x80", 4));
	CU_ASSERT_FALSE(sr_utf8_valid("\xc3", 1));	   /* truncated */
	CU_ASSERT_FALSE(sr_utf8_valid("\xc0\xaf", 2));	   /* overlong */
	CU_ASSERT_FALSE(sr_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	CU_ASSERT_FALSE(sr_utf8_valid("\xff", 1));
}

static void
test_glob(void)
{
	CU_ASSERT_TRUE(sr_glob("gpu.*", "gpu.0.util_pct"));
	CU_ASSERT_FALSE(sr_glob("gpu.*", "cpu.count"));
	CU_ASSERT_TRUE(sr_glob("fs./.used_pct", "fs./.used_pct"));
}

void
sr_test_util_suite(void)
{
	CU_pSuite s = CU_add_suite("util", NULL, NULL);

	CU_add_test(s, "buf", test_buf);
	CU_add_test(s, "err", test_err);
	CU_add_test(s, "utf8", test_utf8);
	CU_add_test(s, "glob", test_glob);
}
