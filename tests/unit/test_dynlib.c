/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/dynlib (libraries loaded on first use) and the
 * libcurl forwarding of core/dl_curl.c: a library that is missing, or
 * that lacks a function, fails with a message naming the soname, the
 * function and the package, every time it is asked; a real library
 * (libz, which sitrep links anyway) loads and its functions answer; the
 * forwarded curl functions reach libcurl's own.
 */
#define CURL_DISABLE_TYPECHECK 1
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <string.h>

#include "core/dl_curl.h"
#include "core/dynlib.h"

void sr_test_dynlib_suite(void);

static void
test_missing(void)
{
	static const char *const names[] = { "nothing", NULL };
	void *fns[1];
	struct sr_dynlib l = { "libsitrep-nowhere.so.9", "libsitrep-nowhere9",
		names, fns, 0, "" };
	struct sr_err e;

	CU_ASSERT_EQUAL(sr_dynlib_load(&l, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "libsitrep-nowhere.so.9"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "(libsitrep-nowhere9)"));
	CU_ASSERT_FALSE(sr_dynlib_ready(&l));
	/* remembered: the same answer, without trying again */
	memset(&e, 0, sizeof(e));
	CU_ASSERT_EQUAL(sr_dynlib_load(&l, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "libsitrep-nowhere.so.9"));
}

static void
test_no_function(void)
{
	static const char *const names[] = { "zlibVersion", "zNoSuchCall",
		NULL };
	void *fns[2];
	struct sr_dynlib l = { "libz.so.1", "zlib1g", names, fns, 0, "" };
	struct sr_err e;

	CU_ASSERT_EQUAL(sr_dynlib_load(&l, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "zNoSuchCall"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "zlib1g"));
}

static void
test_loads(void)
{
	static const char *const names[] = { "zlibVersion", NULL };
	void *fns[1];
	struct sr_dynlib l = { "libz.so.1", "zlib1g", names, fns, 0, "" };
	const char *(*version)(void);

	CU_ASSERT_EQUAL(sr_dynlib_load(&l, NULL), 0);
	CU_ASSERT_TRUE(sr_dynlib_ready(&l));
	*(void **)&version = fns[0];
	CU_ASSERT_PTR_NOT_NULL_FATAL(version);
	CU_ASSERT_EQUAL(version()[0], '1'); /* zlib 1.x */
}

/* The forwarded functions reach libcurl: a URL parsed and read back. */
static void
test_curl_forwards(void)
{
	struct sr_err e;
	CURLU *u;
	char *host = NULL;
	curl_version_info_data *v;
	CURL *h;

	CU_ASSERT_EQUAL_FATAL(sr_curl_load(&e), 0);
	v = curl_version_info(CURLVERSION_NOW);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(v->version, LIBCURL_VERSION);
	u = curl_url();
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL(curl_url_set(u, CURLUPART_URL,
			    "http://example.test:8080/x?y=1", 0),
	    CURLUE_OK);
	CU_ASSERT_EQUAL(curl_url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
	CU_ASSERT_STRING_EQUAL(host, "example.test");
	curl_free(host);
	curl_url_cleanup(u);
	CU_ASSERT_STRING_EQUAL(curl_url_strerror(CURLUE_BAD_PORT_NUMBER),
	    "Port number was not a decimal number between 0 and 65535");
	/* each argument type of setopt: long, pointer, function, off_t */
	h = curl_easy_init();
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L),
	    CURLE_OK);
	CU_ASSERT_EQUAL(curl_easy_setopt(h, CURLOPT_URL, "http://127.0.0.1/"),
	    CURLE_OK);
	CU_ASSERT_EQUAL(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, NULL),
	    CURLE_OK);
	CU_ASSERT_EQUAL(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
			    (curl_off_t)1 << 20),
	    CURLE_OK);
	/* a long where curl wants one: an unknown value is refused */
	CU_ASSERT_EQUAL(curl_easy_setopt(h, CURLOPT_HTTP_VERSION, 99L),
	    CURLE_UNSUPPORTED_PROTOCOL);
	curl_easy_cleanup(h);
}

void
sr_test_dynlib_suite(void)
{
	CU_pSuite s = CU_add_suite("dynlib", NULL, NULL);

	CU_add_test(s, "missing library", test_missing);
	CU_add_test(s, "missing function", test_no_function);
	CU_add_test(s, "loads", test_loads);
	CU_add_test(s, "curl forwards", test_curl_forwards);
}
