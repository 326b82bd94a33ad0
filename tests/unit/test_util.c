/* SPDX-License-Identifier: MIT */
/* Unit tests for core/util. */
#include <CUnit/CUnit.h>
#include <stdio.h>
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

/* r: sr_redact(in) is want (each written out by hand). */
static void
redact_is(const char *in, const char *want)
{
	char *got = sr_redact(in);

	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nredact '%s': got '%s', want '%s'\n", in, got,
		    want);
	free(got);
}

static void
test_redact(void)
{
	/* nothing secret: unchanged */
	redact_is("stdin", "stdin");
	redact_is("file:/var/log/x.log?from=start&format=nginx",
	    "file:/var/log/x.log?from=start&format=nginx");
	redact_is("sitrep://h:8081?token-file=/etc/tok&every=1s",
	    "sitrep://h:8081?token-file=/etc/tok&every=1s");
	redact_is("http://h/users/@me?monkey=1&keyboard=2#every=1s",
	    "http://h/users/@me?monkey=1&keyboard=2#every=1s");
	/* userinfo: the password, or a lone user (often a token) */
	redact_is("http://user:hunter2@127.0.0.1:9/x",
	    "http://user:***@127.0.0.1:9/x");
	redact_is("https://ghp_abc@h/x", "https://***@h/x");
	redact_is("https://u:p%40ss%3Aw@h?a=1", "https://u:***@h?a=1");
	redact_is("http://u:p@ss@h/x", "http://u:***@h/x");
	/* query keys in any position, any case, percent-encoded names */
	redact_is("http://h/x?api_key=s3cr3t&token=abc#every=1s",
	    "http://h/x?api_key=***&token=***#every=1s");
	redact_is("http://h/x?a=1&KEY=k&b=2", "http://h/x?a=1&KEY=***&b=2");
	redact_is("http://h/x?Password=p;secret=s&x=%41",
	    "http://h/x?Password=***;secret=***&x=%41");
	redact_is("http://h/x?api%5Fkey=v&%74oken=w",
	    "http://h/x?api%5Fkey=***&%74oken=***");
	redact_is("http://h/x?access_token=a&client-secret=b&x-api-key=c",
	    "http://h/x?access_token=***&client-secret=***&x-api-key=***");
	/* in sitrep's # options and a sitrep:// or file: spec */
	redact_is("http://h/x#every=1s&token=t",
	    "http://h/x#every=1s&token=***");
	redact_is("sitrep://h:1?password=p&every=1s",
	    "sitrep://h:1?password=***&every=1s");
	redact_is("file:/tmp/a.log?password=p", "file:/tmp/a.log?password=***");
	/* a spec inside another scheme (prom:URL) */
	redact_is("prom:http://u:pw@h:9100/metrics?apikey=z",
	    "prom:http://u:***@h:9100/metrics?apikey=***");
	redact_is("http://u:pw@h?key=", "http://u:***@h?key=***");
}

void
sr_test_util_suite(void)
{
	CU_pSuite s = CU_add_suite("util", NULL, NULL);

	CU_add_test(s, "buf", test_buf);
	CU_add_test(s, "err", test_err);
	CU_add_test(s, "utf8", test_utf8);
	CU_add_test(s, "glob", test_glob);
	CU_add_test(s, "redact", test_redact);
}
