/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/sketch: quantiles checked against exact nearest-rank
 * quantiles of the same data (sorted here), merge, encoding, bad blobs.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sketch.h"

void sr_test_sketch_suite(void);

#define N_VALUES 100000

/* splitmix64: a fixed, portable random stream. */
static uint64_t
rnd_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double
rnd_unit(uint64_t *state)
{
	return ((double)(rnd_next(state) >> 11) + 0.5) / 9007199254740992.0;
}

static double
rnd_normal(uint64_t *state)
{
	double u1 = rnd_unit(state), u2 = rnd_unit(state);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Exact nearest-rank quantile of sorted v[0..n-1]. */
static double
exact_quantile(const double *v, size_t n, double q)
{
	double r = ceil(q * (double)n - 1e-9);
	size_t rank = r < 1 ? 1 : (size_t)r;

	if (rank > n)
		rank = n;
	return v[rank - 1];
}

enum dist {
	DIST_UNIFORM,
	DIST_EXP,
	DIST_LOGNORMAL
};

static void
check_accuracy(enum dist d, uint64_t seed)
{
	static const double qs[] = { 0.5, 0.9, 0.95, 0.99, 0.999, 1.0 };
	double *v = malloc(N_VALUES * sizeof(*v));
	struct sr_sketch *s = sr_sketch_new();
	uint64_t st = seed;

	CU_ASSERT_FATAL(v != NULL);
	for (size_t i = 0; i < N_VALUES; i++) {
		switch (d) {
		case DIST_UNIFORM:
			v[i] = 1000.0 * rnd_unit(&st);
			break;
		case DIST_EXP:
			v[i] = -100.0 * log(rnd_unit(&st));
			break;
		case DIST_LOGNORMAL:
			v[i] = exp(3.0 + 1.5 * rnd_normal(&st));
			break;
		}
		sr_sketch_add(s, v[i]);
	}
	qsort(v, N_VALUES, sizeof(*v), cmp_double);
	CU_ASSERT_EQUAL(sr_sketch_count(s), N_VALUES);
	CU_ASSERT_EQUAL(sr_sketch_min(s), v[0]);
	CU_ASSERT_EQUAL(sr_sketch_max(s), v[N_VALUES - 1]);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		double want = exact_quantile(v, N_VALUES, qs[k]);
		double got = sr_sketch_quantile(s, qs[k]);
		double rel = fabs(got - want) / want;

		if (rel > SR_SKETCH_REL_ERR + 1e-12)
			fprintf(stderr, "dist %d q %g: got %g want %g rel %g\n",
			    (int)d, qs[k], got, want, rel);
		CU_ASSERT(rel <= SR_SKETCH_REL_ERR + 1e-12);
	}
	/* q = 1 is the exact max (the representative is clamped). */
	CU_ASSERT_EQUAL(sr_sketch_quantile(s, 1.0), v[N_VALUES - 1]);
	sr_sketch_free(s);
	free(v);
}

static void
test_uniform(void)
{
	check_accuracy(DIST_UNIFORM, 1);
}

static void
test_exponential(void)
{
	check_accuracy(DIST_EXP, 2);
}

static void
test_lognormal(void)
{
	check_accuracy(DIST_LOGNORMAL, 3);
}

static void
test_small_by_hand(void)
{
	struct sr_sketch *s = sr_sketch_new();

	/* 10 values 1..10: nearest-rank p50 is 5, p90 is 9, p91 is 10. */
	for (int i = 1; i <= 10; i++)
		sr_sketch_add(s, i);
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(s, 0.5), 5.0, 5 * 0.005);
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(s, 0.9), 9.0, 9 * 0.005);
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(s, 0.91), 10.0, 10 * 0.005);
	CU_ASSERT_EQUAL(sr_sketch_quantile(s, 0.0), 1.0); /* rank 1, clamped */
	/* zero bin: three values <= 0 come first */
	sr_sketch_add(s, 0);
	sr_sketch_add(s, -2);
	sr_sketch_add_n(s, 0, 1);
	CU_ASSERT_EQUAL(sr_sketch_count(s), 13);
	CU_ASSERT_EQUAL(sr_sketch_min(s), -2.0);
	CU_ASSERT_EQUAL(sr_sketch_quantile(s, 3.0 / 13), 0.0);
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(s, 4.0 / 13), 1.0, 0.005);
	/* NaN and infinities are ignored */
	sr_sketch_add(s, NAN);
	sr_sketch_add(s, INFINITY);
	CU_ASSERT_EQUAL(sr_sketch_count(s), 13);
	sr_sketch_reset(s);
	CU_ASSERT_EQUAL(sr_sketch_count(s), 0);
	CU_ASSERT(isnan(sr_sketch_quantile(s, 0.5)));
	sr_sketch_free(s);
}

static void
test_empty(void)
{
	struct sr_sketch *s = sr_sketch_new(), *t = sr_sketch_new();
	struct sr_buf b;
	struct sr_err e;

	CU_ASSERT(isnan(sr_sketch_quantile(s, 0.5)));
	CU_ASSERT(isnan(sr_sketch_min(s)));
	CU_ASSERT(isnan(sr_sketch_max(s)));
	CU_ASSERT_EQUAL(sr_sketch_count(s), 0);
	sr_buf_init(&b);
	sr_sketch_encode(s, &b);
	CU_ASSERT_EQUAL(b.len, 2);
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, b.data, b.len, &e), 0);
	CU_ASSERT_EQUAL(sr_sketch_count(t), 0);
	sr_sketch_merge(t, s);
	CU_ASSERT(isnan(sr_sketch_quantile(t, 0.99)));
	sr_buf_release(&b);
	sr_sketch_free(s);
	sr_sketch_free(t);
}

/* Compare two sketches quantile by quantile (and their encodings). */
static void
assert_same(const struct sr_sketch *a, const struct sr_sketch *b)
{
	struct sr_buf ea, eb;

	CU_ASSERT_EQUAL(sr_sketch_count(a), sr_sketch_count(b));
	CU_ASSERT_EQUAL(sr_sketch_min(a), sr_sketch_min(b));
	CU_ASSERT_EQUAL(sr_sketch_max(a), sr_sketch_max(b));
	for (int i = 0; i <= 1000; i++)
		CU_ASSERT_EQUAL(sr_sketch_quantile(a, i / 1000.0),
		    sr_sketch_quantile(b, i / 1000.0));
	sr_buf_init(&ea);
	sr_buf_init(&eb);
	sr_sketch_encode(a, &ea);
	sr_sketch_encode(b, &eb);
	CU_ASSERT_EQUAL(ea.len, eb.len);
	CU_ASSERT(ea.len == eb.len && memcmp(ea.data, eb.data, ea.len) == 0);
	sr_buf_release(&ea);
	sr_buf_release(&eb);
}

static void
test_merge(void)
{
	struct sr_sketch *all = sr_sketch_new(), *a = sr_sketch_new(),
			 *b = sr_sketch_new(), *m = sr_sketch_new();
	uint64_t st = 7;

	for (int i = 0; i < 20000; i++) {
		double v = -50.0 * log(rnd_unit(&st));

		if (i % 97 == 0)
			v = 0;
		sr_sketch_add(all, v);
		sr_sketch_add(i % 3 ? a : b, v);
	}
	sr_sketch_merge(m, a);
	sr_sketch_merge(m, b);
	assert_same(all, m);
	sr_sketch_free(all);
	sr_sketch_free(a);
	sr_sketch_free(b);
	sr_sketch_free(m);
}

static void
test_roundtrip(void)
{
	struct sr_sketch *s = sr_sketch_new(), *t = sr_sketch_new(),
			 *both = sr_sketch_new();
	struct sr_buf b;
	struct sr_err e;
	uint64_t st = 11;

	for (int i = 0; i < 5000; i++)
		sr_sketch_add(s, exp(2.0 * rnd_normal(&st)));
	sr_sketch_add(s, 0);
	sr_sketch_add(s, 1e-7); /* negative bin index */
	sr_buf_init(&b);
	sr_sketch_encode(s, &b);
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, b.data, b.len, &e), 0);
	assert_same(s, t);
	/* merging the blob twice equals merging the sketch twice */
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, b.data, b.len, &e), 0);
	sr_sketch_merge(both, s);
	sr_sketch_merge(both, s);
	assert_same(both, t);
	sr_buf_release(&b);
	sr_sketch_free(s);
	sr_sketch_free(t);
	sr_sketch_free(both);
}

/*
 * A packed sketch answers as the plain one, as a source of merge and
 * sub, and after more adds; its bins take 1 byte each for counts up to
 * 255 and 2 up to 65535, 4 beyond (with no spare room).
 */
static void
test_pack(void)
{
	static const int sizes[] = { 0, 1, 300, 20000, 200000 };
	uint64_t st = 5;

	for (size_t c = 0; c < sizeof(sizes) / sizeof(sizes[0]); c++) {
		struct sr_sketch *p = sr_sketch_new(), *r = sr_sketch_new();
		struct sr_sketch *wp = sr_sketch_new(), *wr = sr_sketch_new();
		size_t before;
		double q[4] = { 0.5, 0.9, 0.95, 0.99 }, qp[4], qr[4];

		for (int i = 0; i < sizes[c]; i++) {
			/* a narrow peak (big counts) and a long tail */
			double v = i % 2 ? 100.0 : exp(3.0 * rnd_normal(&st));

			sr_sketch_add(p, v);
			sr_sketch_add(r, v);
		}
		before = sr_sketch_bytes(p);
		sr_sketch_pack(p);
		sr_sketch_pack(p); /* twice is once */
		if (sizes[c] > 0)
			assert_same(p, r);
		else
			CU_ASSERT_EQUAL(sr_sketch_count(p), 0);
		sr_sketch_quantiles(p, q, qp, 4);
		sr_sketch_quantiles(r, q, qr, 4);
		CU_ASSERT(memcmp(qp, qr, sizeof(qp)) == 0);
		if (sizes[c] == 300)
			CU_ASSERT(sr_sketch_bytes(p) * 3 < before);
		if (sizes[c] == 20000)
			CU_ASSERT(sr_sketch_bytes(p) * 3 < before * 2);
		CU_ASSERT(sr_sketch_bytes(p) <= before);
		/* a window merging and then dropping it */
		sr_sketch_add(wp, 7);
		sr_sketch_add(wr, 7);
		sr_sketch_merge(wp, p);
		sr_sketch_merge(wr, r);
		assert_same(wp, wr);
		sr_sketch_sub(wp, p);
		sr_sketch_sub(wr, r);
		assert_same(wp, wr);
		/* packed as a destination, then changed: unpacked first */
		sr_sketch_pack(wp);
		sr_sketch_merge(wp, p);
		sr_sketch_merge(wr, r);
		assert_same(wp, wr);
		sr_sketch_pack(wp);
		sr_sketch_sub(wp, p);
		sr_sketch_sub(wr, r);
		assert_same(wp, wr);
		sr_sketch_add(p, 1e6);
		sr_sketch_add(p, 1e-7);
		sr_sketch_add(r, 1e6);
		sr_sketch_add(r, 1e-7);
		assert_same(p, r);
		sr_sketch_pack(p);
		sr_sketch_reset(p);
		CU_ASSERT_EQUAL(sr_sketch_count(p), 0);
		sr_sketch_add(p, 3);
		sr_sketch_reset(r);
		sr_sketch_add(r, 3);
		assert_same(p, r);
		sr_sketch_free(p);
		sr_sketch_free(r);
		sr_sketch_free(wp);
		sr_sketch_free(wr);
	}
}

static void
test_bounded_bins(void)
{
	struct sr_sketch *s = sr_sketch_new(), *t = sr_sketch_new();
	struct sr_buf b;
	struct sr_err e;

	/* 1e-30 .. 1e30 spans ~13800 bins: the lowest ones collapse. */
	for (int k = -30; k <= 30; k++)
		sr_sketch_add(s, pow(10, k));
	CU_ASSERT_EQUAL(sr_sketch_count(s), 61);
	CU_ASSERT_EQUAL(sr_sketch_max(s), 1e30);
	CU_ASSERT_EQUAL(sr_sketch_min(s), 1e-30);
	/* high quantiles keep their accuracy */
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(s, 60.0 / 61), 1e29,
	    1e29 * 0.005);
	CU_ASSERT_DOUBLE_EQUAL(sr_sketch_quantile(s, 1.0), 1e30, 0);
	sr_buf_init(&b);
	sr_sketch_encode(s, &b);
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, b.data, b.len, &e), 0);
	assert_same(s, t);
	sr_buf_release(&b);
	sr_sketch_free(s);
	sr_sketch_free(t);
}

static void
test_malformed(void)
{
	struct sr_sketch *s = sr_sketch_new(), *t = sr_sketch_new();
	struct sr_buf b, bad;
	struct sr_err e;
	unsigned char huge[] = { 1, 5, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0,
		0, 0, 0xf0, 0x3f, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f };
	unsigned char longvar[] = { 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0x01 };

	for (int i = 1; i <= 100; i++)
		sr_sketch_add(s, i);
	sr_buf_init(&b);
	sr_sketch_encode(s, &b);
	/* every truncation is rejected and leaves t untouched */
	for (size_t n = 0; n < b.len; n++) {
		e.msg[0] = '\0';
		CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, b.data, n, &e), -1);
		CU_ASSERT(e.msg[0] != '\0');
		CU_ASSERT_EQUAL(sr_sketch_count(t), 0);
	}
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, NULL, 0, &e), -1);
	/* bad version */
	sr_buf_init(&bad);
	sr_buf_add(&bad, b.data, b.len);
	bad.data[0] = 9;
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, bad.data, bad.len, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "version"));
	/* trailing garbage */
	sr_buf_reset(&bad);
	sr_buf_add(&bad, b.data, b.len);
	sr_buf_addc(&bad, 0);
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, bad.data, bad.len, &e), -1);
	/* count that disagrees with the bins */
	sr_buf_reset(&bad);
	sr_buf_add(&bad, b.data, b.len);
	bad.data[1] = 99; /* count 100 fits one varint byte */
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, bad.data, bad.len, &e), -1);
	/* huge bin count */
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, huge, sizeof(huge), &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "bins"));
	/* varint longer than 64 bits */
	CU_ASSERT_EQUAL(sr_sketch_merge_encoded(t, longvar, sizeof(longvar),
			    &e),
	    -1);
	/* random garbage never crashes */
	{
		uint64_t st = 5;
		unsigned char g[64];

		for (int i = 0; i < 20000; i++) {
			size_t n = rnd_next(&st) % sizeof(g);

			for (size_t k = 0; k < n; k++)
				g[k] = (unsigned char)rnd_next(&st);
			if (n)
				g[0] = 1;
			(void)sr_sketch_merge_encoded(t, g, n, &e);
		}
	}
	sr_buf_release(&b);
	sr_buf_release(&bad);
	sr_sketch_free(s);
	sr_sketch_free(t);
}

void
sr_test_sketch_suite(void)
{
	CU_pSuite s = CU_add_suite("sketch", NULL, NULL);

	CU_add_test(s, "uniform accuracy", test_uniform);
	CU_add_test(s, "exponential accuracy", test_exponential);
	CU_add_test(s, "lognormal accuracy", test_lognormal);
	CU_add_test(s, "small by hand", test_small_by_hand);
	CU_add_test(s, "empty", test_empty);
	CU_add_test(s, "merge", test_merge);
	CU_add_test(s, "roundtrip", test_roundtrip);
	CU_add_test(s, "bounded bins", test_bounded_bins);
	CU_add_test(s, "malformed", test_malformed);
	CU_add_test(s, "packed bins", test_pack);
}
