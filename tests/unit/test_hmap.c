/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/hmap.  Hash values are the published FNV-1a 64 test
 * vectors and the first splitmix64 output for seed 0; counts are worked
 * out by hand in the comments.
 */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"

void sr_test_hmap_suite(void);

/* A value that counts how often the map freed it. */
struct tval {
	int *freed;
	int id;
};

static void
tval_free(void *p)
{
	struct tval *v = p;

	(*v->freed)++;
	free(v);
}

static struct tval *
tval_new(int *freed, int id)
{
	struct tval *v = malloc(sizeof(*v));

	if (v == NULL)
		abort();
	v->freed = freed;
	v->id = id;
	return v;
}

static void *
num(size_t i)
{
	return (void *)(uintptr_t)(i + 1);
}

static void
test_hash(void)
{
	CU_ASSERT_EQUAL(sr_hash(""), 0xcbf29ce484222325ull);
	CU_ASSERT_EQUAL(sr_hash("a"), 0xaf63dc4c8601ec8cull);
	CU_ASSERT_EQUAL(sr_hash("foobar"), 0x85944171f73967e8ull);
	CU_ASSERT_EQUAL(sr_hash_bytes("foobar", 6), 0x85944171f73967e8ull);
	CU_ASSERT_EQUAL(sr_hash_bytes("a\0b", 3) == sr_hash("a"), 0);
	CU_ASSERT_EQUAL(sr_hash_mix(0x9e3779b97f4a7c15ull),
	    0xe220a8397b1dcdafull);
}

static void
test_basic(void)
{
	struct sr_hmap *m = sr_hmap_new(0, 0, NULL);
	const char *k = "alpha";

	CU_ASSERT_EQUAL(sr_hmap_count(m), 0);
	CU_ASSERT_PTR_NULL(sr_hmap_get(m, "alpha"));
	/* borrowed keys: the map hands back the caller's pointer */
	CU_ASSERT_PTR_EQUAL(sr_hmap_put(m, k, num(1)), k);
	CU_ASSERT_PTR_EQUAL(sr_hmap_put(m, "beta", num(2)), "beta");
	CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, "alpha"), num(1));
	CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, "beta"), num(2));
	CU_ASSERT_PTR_NULL(sr_hmap_get(m, "alph"));
	CU_ASSERT_PTR_NULL(sr_hmap_get(m, "alphaa"));
	CU_ASSERT_PTR_NULL(sr_hmap_get(m, ""));
	/* replace keeps one entry */
	sr_hmap_put(m, "alpha", num(7));
	CU_ASSERT_EQUAL(sr_hmap_count(m), 2);
	CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, "alpha"), num(7));
	/* NULL values are present for has(), absent for get() */
	sr_hmap_put(m, "", NULL);
	CU_ASSERT_EQUAL(sr_hmap_count(m), 3);
	CU_ASSERT_TRUE(sr_hmap_has(m, ""));
	CU_ASSERT_FALSE(sr_hmap_has(m, "gamma"));
	CU_ASSERT_EQUAL(sr_hmap_del(m, "alpha"), 1);
	CU_ASSERT_EQUAL(sr_hmap_del(m, "alpha"), 0);
	CU_ASSERT_PTR_NULL(sr_hmap_get(m, "alpha"));
	CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, "beta"), num(2));
	CU_ASSERT_EQUAL(sr_hmap_count(m), 2);
	sr_hmap_clear(m);
	CU_ASSERT_EQUAL(sr_hmap_count(m), 0);
	CU_ASSERT_PTR_NULL(sr_hmap_get(m, "beta"));
	sr_hmap_free(m);
	sr_hmap_free(NULL);
}

static void
test_owned(void)
{
	int freed = 0;
	struct sr_hmap *m = sr_hmap_new(4, SR_HMAP_OWN_KEYS, tval_free);
	char buf[16] = "key";
	const char *k;
	struct tval *v1 = tval_new(&freed, 1);

	k = sr_hmap_put(m, buf, v1);
	CU_ASSERT_PTR_NOT_EQUAL(k, buf);
	CU_ASSERT_STRING_EQUAL(k, "key");
	memcpy(buf, "xyz", 4); /* the map kept its own copy */
	CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, "key"), v1);
	CU_ASSERT_PTR_NULL(sr_hmap_get(m, "xyz"));
	/* the same value again frees nothing; a new one frees the old */
	CU_ASSERT_PTR_EQUAL(sr_hmap_put(m, "key", v1), k);
	CU_ASSERT_EQUAL(freed, 0);
	sr_hmap_put(m, "key", tval_new(&freed, 2));
	CU_ASSERT_EQUAL(freed, 1);
	CU_ASSERT_EQUAL(((struct tval *)sr_hmap_get(m, "key"))->id, 2);
	/* keys with NUL bytes: "a\0b" and "a\0c" and "a" are three keys */
	sr_hmap_putn(m, "a\0b", 3, tval_new(&freed, 3));
	sr_hmap_putn(m, "a\0c", 3, tval_new(&freed, 4));
	sr_hmap_put(m, "a", tval_new(&freed, 5));
	CU_ASSERT_EQUAL(sr_hmap_count(m), 4);
	CU_ASSERT_EQUAL(((struct tval *)sr_hmap_getn(m, "a\0b", 3))->id, 3);
	CU_ASSERT_EQUAL(((struct tval *)sr_hmap_getn(m, "a\0c", 3))->id, 4);
	CU_ASSERT_EQUAL(((struct tval *)sr_hmap_get(m, "a"))->id, 5);
	CU_ASSERT_EQUAL(((struct tval *)sr_hmap_geth(m, "a\0c", 3,
			     sr_hash_bytes("a\0c", 3)))
			    ->id,
	    4);
	CU_ASSERT_EQUAL(sr_hmap_deln(m, "a\0b", 3), 1);
	CU_ASSERT_EQUAL(freed, 2);
	CU_ASSERT_PTR_NULL(sr_hmap_getn(m, "a\0b", 3));
	/* freeing the map frees the other three values (and keys: ASan) */
	sr_hmap_free(m);
	CU_ASSERT_EQUAL(freed, 5);
}

/*
 * 10,000 keys "k0".."k9999" from a map sized for 1: it doubles from 16
 * slots to 32,768 on the way.  Put the even ones again (replace: still
 * 10,000), delete the multiples of 3 (0, 3, ..., 9999: 3,334 of them),
 * leaving 6,666 whose values sum to the sum of (i + 1) over the rest:
 * 50,005,000 - (3,334 + 3 * (3,333 * 3,334 / 2)) = 33,333,333.
 */
static void
many(unsigned flags)
{
	struct sr_hmap *m = sr_hmap_new(1, SR_HMAP_OWN_KEYS | flags, NULL);
	char key[16];
	size_t pos = 0, seen = 0;
	uint64_t sum = 0;
	const char *k;
	void *v;

	for (size_t i = 0; i < 10000; i++) {
		(void)snprintf(key, sizeof(key), "k%zu", i);
		sr_hmap_put(m, key, num(i));
	}
	CU_ASSERT_EQUAL(sr_hmap_count(m), 10000);
	for (size_t i = 0; i < 10000; i += 2) {
		(void)snprintf(key, sizeof(key), "k%zu", i);
		sr_hmap_put(m, key, num(i));
	}
	CU_ASSERT_EQUAL(sr_hmap_count(m), 10000);
	for (size_t i = 0; i < 10000; i += 3) {
		(void)snprintf(key, sizeof(key), "k%zu", i);
		CU_ASSERT_EQUAL(sr_hmap_del(m, key), 1);
	}
	CU_ASSERT_EQUAL(sr_hmap_count(m), 6666);
	for (size_t i = 0; i < 10000; i++) {
		(void)snprintf(key, sizeof(key), "k%zu", i);
		if (i % 3 == 0) {
			CU_ASSERT_PTR_NULL(sr_hmap_get(m, key));
		} else {
			CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, key), num(i));
		}
	}
	while (sr_hmap_next(m, &pos, &k, &v)) {
		CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, k), v);
		sum += (uintptr_t)v;
		seen++;
	}
	CU_ASSERT_EQUAL(seen, 6666);
	CU_ASSERT_EQUAL(sum, 33333333);
	/* delete every key from k100 on: the map shrinks on the way down,
	 * leaving k0..k99 less the 34 multiples of 3 (0, 3, ..., 99) */
	for (size_t i = 100; i < 10000; i++) {
		(void)snprintf(key, sizeof(key), "k%zu", i);
		CU_ASSERT_EQUAL(sr_hmap_del(m, key), i % 3 != 0);
	}
	CU_ASSERT_EQUAL(sr_hmap_count(m), 66);
	for (size_t i = 0; i < 200; i++) {
		(void)snprintf(key, sizeof(key), "k%zu", i);
		if (i < 100 && i % 3 != 0) {
			CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, key), num(i));
		} else {
			CU_ASSERT_PTR_NULL(sr_hmap_get(m, key));
		}
	}
	sr_hmap_free(m);
}

static void
test_many(void)
{
	many(0);
}

/* The same at a load up to 3/4 (SR_HMAP_DENSE). */
static void
test_many_dense(void)
{
	many(SR_HMAP_DENSE);
}

/*
 * Collisions: in a 16-slot map every key shares a home slot with others,
 * so probe runs wrap and deletions in the middle of a run must shift the
 * rest back.  Fill 8 keys (load 1/2, no growth), delete them in every
 * rotation order and check the survivors each time.
 */
static void
test_collisions(void)
{
	static const char *const keys[8] = { "a", "b", "c", "d", "e", "f", "g",
		"h" };

	for (int start = 0; start < 8; start++) {
		struct sr_hmap *m = sr_hmap_new(0, 0, NULL);

		for (int i = 0; i < 8; i++)
			sr_hmap_put(m, keys[i], num((size_t)i));
		for (int d = 0; d < 8; d++) {
			int gone = (start + d) % 8;

			CU_ASSERT_EQUAL(sr_hmap_del(m, keys[gone]), 1);
			CU_ASSERT_EQUAL(sr_hmap_count(m), (size_t)(7 - d));
			for (int j = 0; j <= d; j++)
				CU_ASSERT_PTR_NULL(
				    sr_hmap_get(m, keys[(start + j) % 8]));
			for (int j = d + 1; j < 8; j++) {
				int live = (start + j) % 8;

				CU_ASSERT_PTR_EQUAL(sr_hmap_get(m, keys[live]),
				    num((size_t)live));
			}
		}
		sr_hmap_free(m);
	}
}

/* sr_hmap_retain() test: keeps the values whose id is odd. */
static int
keep_odd(void *ctx, const char *key, void *val)
{
	const struct tval *v = val;

	++*(int *)ctx;
	CU_ASSERT_EQUAL(key[0], 'k');
	return v->id % 2 == 1;
}

/*
 * Retain over 100 owned keys "k0".."k99" with counted values: the walk
 * sees each entry once (100 calls), frees the 50 even ones, keeps the 50
 * odd ones findable; a retain of an empty map calls nothing.
 */
static void
test_retain(void)
{
	struct sr_hmap *m = sr_hmap_new(0, SR_HMAP_OWN_KEYS, tval_free);
	int freed = 0, calls = 0;
	char key[16];

	sr_hmap_retain(m, keep_odd, &calls);
	CU_ASSERT_EQUAL(calls, 0);
	for (int i = 0; i < 100; i++) {
		(void)snprintf(key, sizeof(key), "k%d", i);
		sr_hmap_put(m, key, tval_new(&freed, i));
	}
	sr_hmap_retain(m, keep_odd, &calls);
	CU_ASSERT_EQUAL(calls, 100);
	CU_ASSERT_EQUAL(freed, 50);
	CU_ASSERT_EQUAL(sr_hmap_count(m), 50);
	for (int i = 0; i < 100; i++) {
		struct tval *v;

		(void)snprintf(key, sizeof(key), "k%d", i);
		v = sr_hmap_get(m, key);
		if (i % 2 == 0) {
			CU_ASSERT_PTR_NULL(v);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(v);
			CU_ASSERT_EQUAL(v->id, i);
		}
	}
	/* the survivors still delete and free normally */
	CU_ASSERT_EQUAL(sr_hmap_del(m, "k1"), 1);
	CU_ASSERT_EQUAL(freed, 51);
	sr_hmap_free(m);
	CU_ASSERT_EQUAL(freed, 100);
}

void
sr_test_hmap_suite(void)
{
	CU_pSuite s = CU_add_suite("hmap", NULL, NULL);

	CU_add_test(s, "hash", test_hash);
	CU_add_test(s, "basic", test_basic);
	CU_add_test(s, "owned", test_owned);
	CU_add_test(s, "many", test_many);
	CU_add_test(s, "many, dense", test_many_dense);
	CU_add_test(s, "collisions", test_collisions);
	CU_add_test(s, "retain", test_retain);
}
