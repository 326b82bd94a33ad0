/* SPDX-License-Identifier: MIT */
/* Unit tests for core/template: masks by hand-written expectation. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "core/template.h"

void sr_test_template_suite(void);

static void
check(const char *in, const char *want)
{
	char out[SR_TEMPLATE_MAX + 1];

	sr_template_make(in, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void
test_masks(void)
{
	check("upstream timeout after 1500 ms (request 7f3a9c12)",
	    "upstream timeout after <n> ms (request <id>)");
	check("user 550e8400-e29b-41d4-a716-446655440000 not found",
	    "user <id> not found");
	check("cannot open /var/lib/app/data.db: permission denied",
	    "cannot open <path>: permission denied");
	check("bad key \"abc\" and 'x y'", "bad key <str> and <str>");
	check("connect to 10.0.0.12:5432 failed", "connect to <ip>:<n> failed");
	check("took 1.5 s, retry in 30s", "took <n> s, retry in <n>");
	check("token req_8f2k1z expired", "token <id> expired");
	check("HTTP 503 from v2 api", "HTTP <n> from v2 api");
	check("plain text", "plain text");
	check("", "");
}

static void
test_bounded(void)
{
	char big[1000], out[16];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(sr_template_make(big, out, sizeof(out)), 15);
	CU_ASSERT_EQUAL(strlen(out), 15);
	/* never cut inside a UTF-8 sequence */
	CU_ASSERT_EQUAL(sr_template_make("abcdefghijklmn\xc3\xa9", out,
			    sizeof(out)),
	    14);
	/* after a cut nothing more is appended (not the " x" that fits) */
	CU_ASSERT_EQUAL(sr_template_make("abcdefghijklmn\xc3\xa9 x", out,
			    sizeof(out)),
	    14);
	CU_ASSERT_STRING_EQUAL(out, "abcdefghijklmn");
}

/* A template is its own template (the store keeps templates, the
 * history replay templates them again). */
static void
test_idempotent(void)
{
	static const char *const msgs[] = {
		"upstream timeout after 1500 ms (request 7f3a9c12)",
		"open \"/etc/x.conf\": no such file at /var/lib/a.db",
		"connect to 10.0.0.12:5432 failed, id "
		"123e4567-e89b-12d3-a456-426614174000",
		"took 1.5 s, retry in 30s; token req_8f2k1z", NULL
	};
	char a[SR_TEMPLATE_MAX + 1], b[SR_TEMPLATE_MAX + 1];

	for (int i = 0; msgs[i] != NULL; i++) {
		sr_template_make(msgs[i], a, sizeof(a));
		sr_template_make(a, b, sizeof(b));
		CU_ASSERT_STRING_EQUAL(a, b);
	}
}

static void
check_path(const char *in, const char *want)
{
	char out[SR_ENDPOINT_MAX + 2];

	sr_template_endpoint(in, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, want);
	if (strcmp(out, want) != 0)
		fprintf(stderr, "\n%s -> %s (want %s)\n", in, out, want);
}

/* Endpoints: each kind of variable part, by hand-written expectation. */
static void
test_paths(void)
{
	check_path("/users/123", "/users/:id");
	check_path("/users/123/orders?page=2&x=1", "/users/:id/orders");
	check_path("/a/550e8400-e29b-41d4-a716-446655440000/b", "/a/:uuid/b");
	check_path("/commit/7f3a9c12", "/commit/:hex");
	check_path("/commit/7f3a9c1", "/commit/7f3a9c1"); /* 7: too short */
	check_path("/w/deadbeefcafe", "/w/deadbeefcafe"); /* no digit */
	check_path("/img/5f3a9c12ab.png", "/img/:hex.png");
	check_path("/u/jane.doe@example.com/inbox", "/u/:email/inbox");
	check_path("/u/jane%40example.com", "/u/:email");
	check_path("/reset/eyJhbGciOiJIUzI1NiJ9xYz", "/reset/:token");
	check_path("/t/aGVsbG8gd29ybGQhIQ==", "/t/:token");
	check_path("/blog/2026-12-07-release-notes-for-sitrep",
	    "/blog/2026-12-07-release-notes-for-sitrep"); /* a slug */
	check_path("/api/v1/models", "/api/v1/models");
	check_path("/archive/2026/12#top", "/archive/:id/:id");
	check_path("/", "/");
	check_path("", "");
	check_path("chat.completions", "chat.completions");
	/* the overflow name is never a real endpoint's */
	check_path("(other)", "\\(other)");
	check_path("\\(other)", "\\\\(other)");
	check_path("other", "other");
	check_path("/(other)", "/(other)");
}

/* A templated endpoint is its own template, and the output is bounded. */
static void
test_path_bounds(void)
{
	static const char *const paths[] = { "/users/123/orders?x",
		"/a/550e8400-e29b-41d4-a716-446655440000/7f3a9c12.json",
		"/u/a@b.co/eyJhbGciOiJIUzI1NiJ9xYz", NULL };
	char a[SR_ENDPOINT_MAX + 1], b[SR_ENDPOINT_MAX + 1], big[1000];
	char small[12];

	for (int i = 0; paths[i] != NULL; i++) {
		sr_template_path(paths[i], a, sizeof(a));
		sr_template_path(a, b, sizeof(b));
		CU_ASSERT_STRING_EQUAL(a, b);
	}
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = i % 4 == 0 ? '/' : '7';
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT(sr_template_path(big, a, sizeof(a)) < sizeof(a));
	CU_ASSERT_EQUAL(strlen(a), sr_template_path(big, a, sizeof(a)));
	/* never half a placeholder */
	sr_template_path("/abcdefg/1234", small, sizeof(small));
	CU_ASSERT_STRING_EQUAL(small, "/abcdefg/");
}

void
sr_test_template_suite(void)
{
	CU_pSuite s = CU_add_suite("template", NULL, NULL);

	CU_add_test(s, "masks", test_masks);
	CU_add_test(s, "bounded output", test_bounded);
	CU_add_test(s, "idempotent", test_idempotent);
	CU_add_test(s, "endpoint paths", test_paths);
	CU_add_test(s, "endpoint bounds", test_path_bounds);
}
