/* SPDX-License-Identifier: MIT */
/*
 * sketch: logarithmic-bucket quantile sketch (DDSketch).  A positive value
 * v falls in bin i = ceil(log(v) / log(gamma)), gamma = (1 + a) / (1 - a),
 * which covers (gamma^(i-1), gamma^i]; the bin's representative value
 * 2 gamma^i / (gamma + 1) is within a of every value in it.  Values <= 0
 * count in a separate zero bin; NaN and infinities are ignored.
 *
 * Bins are one contiguous array from the lowest to the highest index seen
 * (bins[0] is index lo).  When the span would exceed SR_SKETCH_MAX_BINS
 * the lowest bins are folded into the lowest one kept, so only the
 * smallest values lose accuracy.
 *
 * Encoded form (all little-endian, varints are LEB128):
 *   u8 version (1), varint count; when count > 0:
 *   f64 min, f64 max, varint zero, zigzag-varint first index,
 *   varint nbins, nbins x varint count.
 */
#include "core/sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SKETCH_VERSION 1
/* Bin indexes stay well inside int32 so that lo + nbins cannot overflow. */
#define SKETCH_MAX_INDEX (1 << 24)

struct sr_sketch {
	double log_gamma;
	uint64_t count;
	uint64_t zero; /* values <= 0 */
	double min, max;
	int32_t lo; /* index of bins[0] */
	uint32_t nbins;
	uint32_t cap;
	/*
	 * 32-bit counts (half the memory of a console's hundreds of
	 * bucket sketches); a bin saturates at UINT32_MAX, four billion
	 * values of one bin in one sketch, which no window, rollup minute
	 * or report range here comes near.
	 */
	uint32_t *bins;
	/*
	 * Packed (sr_sketch_pack): bins is NULL and pk holds the nbins
	 * counts in pkw (1 or 2) bytes each, until a change unpacks them.
	 */
	unsigned char *pk;
	uint8_t pkw;
};

/* Count of bin k (packed or not). */
static uint32_t
sketch_bin(const struct sr_sketch *s, uint32_t k)
{
	uint16_t u;

	if (s->pk == NULL)
		return s->bins[k];
	if (s->pkw == 1)
		return s->pk[k];
	memcpy(&u, s->pk + (size_t)k * 2, 2);
	return u;
}

/* Back to 32-bit counts before a change. */
static void
sketch_unpack(struct sr_sketch *s)
{
	if (s->pk == NULL)
		return;
	s->cap = s->nbins;
	s->bins =
	    s->nbins ? sr_xmalloc((size_t)s->nbins * sizeof(*s->bins)) : NULL;
	for (uint32_t k = 0; k < s->nbins; k++) {
		uint16_t u;

		if (s->pkw == 1) {
			s->bins[k] = s->pk[k];
		} else {
			memcpy(&u, s->pk + (size_t)k * 2, 2);
			s->bins[k] = u;
		}
	}
	free(s->pk);
	s->pk = NULL;
	s->pkw = 0;
}

/* *b += n, saturating. */
static void
sketch_bin_inc(uint32_t *b, uint64_t n)
{
	uint64_t v = (uint64_t)*b + n;

	*b = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static const double sketch_gamma =
    (1.0 + SR_SKETCH_REL_ERR) / (1.0 - SR_SKETCH_REL_ERR);

struct sr_sketch *
sr_sketch_new(void)
{
	struct sr_sketch *s = sr_xcalloc(1, sizeof(*s));

	s->log_gamma = log(sketch_gamma);
	s->min = NAN;
	s->max = NAN;
	return s;
}

void
sr_sketch_free(struct sr_sketch *s)
{
	if (s == NULL)
		return;
	free(s->bins);
	free(s->pk);
	free(s);
}

void
sr_sketch_pack(struct sr_sketch *s)
{
	uint32_t max = 0;

	if (s->pk != NULL)
		return;
	if (s->nbins == 0) {
		free(s->bins);
		s->bins = NULL;
		s->cap = 0;
		return;
	}
	for (uint32_t k = 0; k < s->nbins; k++)
		if (s->bins[k] > max)
			max = s->bins[k];
	if (max > UINT16_MAX) {
		if (s->cap == s->nbins)
			return;
		/* only the room past the bins in use goes */
		s->bins =
		    sr_xrealloc(s->bins, (size_t)s->nbins * sizeof(*s->bins));
		s->cap = s->nbins;
		return;
	}
	s->pkw = max > UINT8_MAX ? 2 : 1;
	s->pk = sr_xmalloc((size_t)s->nbins * s->pkw);
	for (uint32_t k = 0; k < s->nbins; k++) {
		uint16_t u = (uint16_t)s->bins[k];

		if (s->pkw == 1)
			s->pk[k] = (unsigned char)u;
		else
			memcpy(s->pk + (size_t)k * 2, &u, 2);
	}
	free(s->bins);
	s->bins = NULL;
	s->cap = 0;
}

void
sr_sketch_reset(struct sr_sketch *s)
{
	sketch_unpack(s);
	s->count = 0;
	s->zero = 0;
	s->min = NAN;
	s->max = NAN;
	s->lo = 0;
	s->nbins = 0;
}

/* The bin index of a positive finite value, clamped to the legal range. */
static int32_t
sketch_index(const struct sr_sketch *s, double v)
{
	double x = ceil(log(v) / s->log_gamma);

	if (x < -SKETCH_MAX_INDEX)
		return -SKETCH_MAX_INDEX;
	if (x > SKETCH_MAX_INDEX)
		return SKETCH_MAX_INDEX;
	return (int32_t)x;
}

static void
sketch_reserve_cap(struct sr_sketch *s, uint32_t n)
{
	uint32_t cap;

	if (n <= s->cap)
		return;
	/*
	 * A quarter more than before (or than asked), in steps of 32 bins:
	 * a console holds a sketch per bucket of every service, endpoint
	 * and model, so doubling left a third of their bins unused.
	 */
	cap = s->cap + s->cap / 4;
	if (cap < n)
		cap = n;
	cap = (cap + 31) & ~31u;
	s->bins = sr_xrealloc(s->bins, (size_t)cap * sizeof(*s->bins));
	s->cap = cap;
}

/*
 * Make bins cover [ilo, ihi] as far as SR_SKETCH_MAX_BINS allows: when the
 * span is too wide the lowest bins are folded into the new lowest bin.
 */
static void
sketch_cover(struct sr_sketch *s, int32_t ilo, int32_t ihi)
{
	int32_t lo, hi, newlo, newhi;
	uint32_t n;

	sketch_unpack(s);
	if (s->nbins == 0) {
		if ((int64_t)ihi - ilo + 1 > SR_SKETCH_MAX_BINS)
			ilo = ihi - SR_SKETCH_MAX_BINS + 1;
		n = (uint32_t)(ihi - ilo + 1);
		sketch_reserve_cap(s, n);
		memset(s->bins, 0, (size_t)n * sizeof(*s->bins));
		s->lo = ilo;
		s->nbins = n;
		return;
	}
	lo = s->lo;
	hi = s->lo + (int32_t)s->nbins - 1;
	newlo = ilo < lo ? ilo : lo;
	newhi = ihi > hi ? ihi : hi;
	if (newlo == lo && newhi == hi)
		return;
	if ((int64_t)newhi - newlo + 1 > SR_SKETCH_MAX_BINS)
		newlo = newhi - SR_SKETCH_MAX_BINS + 1;
	if (newlo > lo) {
		/* Fold bins [lo, newlo - 1] into bin newlo. */
		uint64_t folded = 0;
		uint32_t drop = (uint32_t)(newlo - lo), keep;

		if (drop >= s->nbins) {
			for (uint32_t k = 0; k < s->nbins; k++)
				folded += s->bins[k];
			s->nbins = 0;
			sketch_cover(s, newlo, newhi);
			sketch_bin_inc(&s->bins[0], folded);
			return;
		}
		for (uint32_t k = 0; k < drop; k++)
			folded += s->bins[k];
		keep = s->nbins - drop;
		memmove(s->bins, s->bins + drop,
		    (size_t)keep * sizeof(*s->bins));
		sketch_bin_inc(&s->bins[0], folded);
		s->lo = newlo;
		s->nbins = keep;
		lo = newlo;
	}
	n = (uint32_t)(newhi - newlo + 1);
	sketch_reserve_cap(s, n);
	if (newlo < lo) {
		uint32_t shift = (uint32_t)(lo - newlo);

		memmove(s->bins + shift, s->bins,
		    (size_t)s->nbins * sizeof(*s->bins));
		memset(s->bins, 0, (size_t)shift * sizeof(*s->bins));
		s->nbins += shift;
		s->lo = newlo;
	}
	if (s->nbins < n) {
		memset(s->bins + s->nbins, 0,
		    (size_t)(n - s->nbins) * sizeof(*s->bins));
		s->nbins = n;
	}
}

/* Add n to bin idx (folded into the lowest bin when below the window). */
static void
sketch_bin_add(struct sr_sketch *s, int32_t idx, uint64_t n)
{
	sketch_unpack(s);
	if (s->nbins == 0 || idx < s->lo || idx >= s->lo + (int32_t)s->nbins)
		sketch_cover(s, idx, idx);
	if (idx < s->lo)
		idx = s->lo;
	sketch_bin_inc(&s->bins[idx - s->lo], n);
}

static void
sketch_minmax(struct sr_sketch *s, double lo, double hi)
{
	if (s->count == 0 || lo < s->min)
		s->min = lo;
	if (s->count == 0 || hi > s->max)
		s->max = hi;
}

void
sr_sketch_add_n(struct sr_sketch *s, double v, uint64_t n)
{
	if (n == 0 || !isfinite(v))
		return;
	sketch_minmax(s, v, v);
	if (v <= 0)
		s->zero += n;
	else
		sketch_bin_add(s, sketch_index(s, v), n);
	s->count += n;
}

void
sr_sketch_add(struct sr_sketch *s, double v)
{
	sr_sketch_add_n(s, v, 1);
}

void
sr_sketch_merge(struct sr_sketch *dst, const struct sr_sketch *src)
{
	if (src->count == 0)
		return;
	sketch_unpack(dst);
	sketch_minmax(dst, src->min, src->max);
	dst->zero += src->zero;
	if (src->nbins > 0) {
		sketch_cover(dst, src->lo, src->lo + (int32_t)src->nbins - 1);
		if (src->lo >= dst->lo &&
		    (int64_t)src->lo + src->nbins <=
			(int64_t)dst->lo + dst->nbins) {
			/* covered (the usual case): add bin to bin */
			uint32_t *d = dst->bins + (src->lo - dst->lo);

			for (uint32_t k = 0; k < src->nbins; k++)
				sketch_bin_inc(&d[k], sketch_bin(src, k));
		} else {
			for (uint32_t k = 0; k < src->nbins; k++)
				if (sketch_bin(src, k))
					sketch_bin_add(dst,
					    src->lo + (int32_t)k,
					    sketch_bin(src, k));
		}
	}
	dst->count += src->count;
}

void
sr_sketch_sub(struct sr_sketch *dst, const struct sr_sketch *src)
{
	uint32_t z = 0;

	if (src->count == 0)
		return;
	sketch_unpack(dst);
	dst->zero -= src->zero < dst->zero ? src->zero : dst->zero;
	for (uint32_t k = 0; k < src->nbins && dst->nbins > 0; k++) {
		int64_t idx = (int64_t)src->lo + k;
		uint32_t *b, c = sketch_bin(src, k);

		if (c == 0 || idx >= (int64_t)dst->lo + dst->nbins)
			continue;
		/* folded bins live in the lowest one */
		b = &dst->bins[idx < dst->lo ? 0 : idx - dst->lo];
		*b -= c < *b ? c : *b;
	}
	dst->count -= src->count < dst->count ? src->count : dst->count;
	if (dst->count == 0) {
		sr_sketch_reset(dst);
		return;
	}
	while (dst->nbins > 0 && dst->bins[dst->nbins - 1] == 0)
		dst->nbins--;
	while (z < dst->nbins && dst->bins[z] == 0)
		z++;
	if (z > 0) {
		memmove(dst->bins, dst->bins + z,
		    (size_t)(dst->nbins - z) * sizeof(*dst->bins));
		dst->nbins -= z;
		dst->lo += (int32_t)z;
	}
}

void
sr_sketch_set_minmax(struct sr_sketch *s, double min, double max)
{
	if (s->count == 0)
		return;
	s->min = min;
	s->max = max;
}

uint64_t
sr_sketch_count(const struct sr_sketch *s)
{
	return s->count;
}

static double
sketch_clamp(const struct sr_sketch *s, double v)
{
	if (v < s->min)
		return s->min;
	if (v > s->max)
		return s->max;
	return v;
}

double
sr_sketch_quantile(const struct sr_sketch *s, double q)
{
	uint64_t rank, seen;
	double r;

	if (s->count == 0 || isnan(q))
		return NAN;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	/* Nearest rank: the smallest value with at least q*n values <= it. */
	r = ceil(q * (double)s->count - 1e-9);
	rank = r < 1 ? 1 : (uint64_t)r;
	if (rank > s->count)
		rank = s->count;
	/* The extremes are known exactly. */
	if (rank == 1)
		return s->min;
	if (rank == s->count)
		return s->max;
	if (rank <= s->zero)
		return sketch_clamp(s, 0.0);
	seen = s->zero;
	for (uint32_t k = 0; k < s->nbins; k++) {
		seen += sketch_bin(s, k);
		if (seen >= rank) {
			double g = exp(s->log_gamma * (s->lo + (int32_t)k));

			return sketch_clamp(s, 2.0 * g / (sketch_gamma + 1.0));
		}
	}
	return s->max;
}

void
sr_sketch_quantiles(const struct sr_sketch *s, const double *q, double *out,
    size_t n)
{
	uint64_t seen;
	uint32_t k = 0;

	if (s->count == 0) {
		for (size_t i = 0; i < n; i++)
			out[i] = NAN;
		return;
	}
	seen = s->zero;
	for (size_t i = 0; i < n; i++) {
		double qi = q[i], r;
		uint64_t rank;

		if (isnan(qi)) {
			out[i] = NAN;
			continue;
		}
		if (qi < 0)
			qi = 0;
		if (qi > 1)
			qi = 1;
		/* as sr_sketch_quantile */
		r = ceil(qi * (double)s->count - 1e-9);
		rank = r < 1 ? 1 : (uint64_t)r;
		if (rank > s->count)
			rank = s->count;
		if (rank == 1) {
			out[i] = s->min;
			continue;
		}
		if (rank == s->count) {
			out[i] = s->max;
			continue;
		}
		if (rank <= s->zero) {
			out[i] = sketch_clamp(s, 0.0);
			continue;
		}
		/* ranks ascend: carry on from the bin reached so far */
		while (k < s->nbins && seen + sketch_bin(s, k) < rank)
			seen += sketch_bin(s, k++);
		if (k == s->nbins) {
			out[i] = s->max;
			continue;
		}
		out[i] = sketch_clamp(s,
		    2.0 * exp(s->log_gamma * (s->lo + (int32_t)k)) /
			(sketch_gamma + 1.0));
	}
}

double
sr_sketch_min(const struct sr_sketch *s)
{
	return s->count ? s->min : NAN;
}

double
sr_sketch_max(const struct sr_sketch *s)
{
	return s->count ? s->max : NAN;
}

/* --- encoding --- */

static void
sketch_put_varint(struct sr_buf *out, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	sr_buf_add(out, b, n);
}

static void
sketch_put_f64(struct sr_buf *out, double d)
{
	unsigned char b[8];
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (8 * i));
	sr_buf_add(out, b, 8);
}

void
sr_sketch_encode(const struct sr_sketch *s, struct sr_buf *out)
{
	uint32_t first = 0, last = s->nbins;
	int32_t idx;

	sr_buf_addc(out, (char)SKETCH_VERSION);
	sketch_put_varint(out, s->count);
	if (s->count == 0)
		return;
	sketch_put_f64(out, s->min);
	sketch_put_f64(out, s->max);
	sketch_put_varint(out, s->zero);
	/* Trim empty bins at both ends. */
	while (first < last && sketch_bin(s, first) == 0)
		first++;
	while (last > first && sketch_bin(s, last - 1) == 0)
		last--;
	idx = first < last ? s->lo + (int32_t)first : 0;
	/* zigzag: small negative and positive indexes stay short */
	sketch_put_varint(out,
	    idx < 0 ? ((uint64_t)(-(int64_t)idx) << 1) - 1
		    : (uint64_t)idx << 1);
	sketch_put_varint(out, last - first);
	for (uint32_t k = first; k < last; k++)
		sketch_put_varint(out, sketch_bin(s, k));
}

struct sketch_reader {
	const unsigned char *p;
	size_t n, off;
};

static int
sketch_get_varint(struct sketch_reader *r, uint64_t *v)
{
	uint64_t x = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		unsigned char b;

		if (r->off >= r->n)
			return -1;
		b = r->p[r->off++];
		if (shift == 63 && (b & 0x7e))
			return -1; /* more than 64 bits */
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

static int
sketch_get_f64(struct sketch_reader *r, double *d)
{
	uint64_t u = 0;

	if (r->n - r->off < 8)
		return -1;
	for (int i = 0; i < 8; i++)
		u |= (uint64_t)r->p[r->off + (size_t)i] << (8 * i);
	r->off += 8;
	memcpy(d, &u, sizeof(*d));
	return 0;
}

int
sr_sketch_merge_encoded(struct sr_sketch *s, const void *p, size_t n,
    struct sr_err *err)
{
	struct sketch_reader r = { p, n, 0 };
	uint64_t count, zero, zz, nbins, sum, c;
	double mn, mx;
	int64_t first;
	size_t bins_off;

	if (p == NULL || n == 0)
		return sr_err_set(err, "sketch blob is empty");
	if (r.p[r.off++] != SKETCH_VERSION)
		return sr_err_set(err, "sketch blob has unknown version %u",
		    (unsigned)r.p[0]);
	if (sketch_get_varint(&r, &count) < 0)
		return sr_err_set(err, "sketch blob is truncated (count)");
	if (count == 0) {
		if (r.off != r.n)
			return sr_err_set(err,
			    "sketch blob has %zu trailing "
			    "bytes",
			    r.n - r.off);
		return 0;
	}
	if (sketch_get_f64(&r, &mn) < 0 || sketch_get_f64(&r, &mx) < 0)
		return sr_err_set(err, "sketch blob is truncated (min/max)");
	if (!isfinite(mn) || !isfinite(mx) || mn > mx)
		return sr_err_set(err, "sketch blob has a bad min/max");
	if (sketch_get_varint(&r, &zero) < 0 ||
	    sketch_get_varint(&r, &zz) < 0 || sketch_get_varint(&r, &nbins) < 0)
		return sr_err_set(err, "sketch blob is truncated (header)");
	first = (int64_t)(zz >> 1) ^ -(int64_t)(zz & 1);
	if (nbins > SR_SKETCH_MAX_BINS)
		return sr_err_set(err,
		    "sketch blob has %llu bins (at most "
		    "%d)",
		    (unsigned long long)nbins, SR_SKETCH_MAX_BINS);
	if (first < -SKETCH_MAX_INDEX ||
	    first + (int64_t)nbins - 1 > SKETCH_MAX_INDEX)
		return sr_err_set(err,
		    "sketch blob has bin index %lld out of "
		    "range",
		    (long long)first);
	/* First pass: validate every count before touching s. */
	bins_off = r.off;
	sum = zero;
	for (uint64_t k = 0; k < nbins; k++) {
		if (sketch_get_varint(&r, &c) < 0)
			return sr_err_set(err,
			    "sketch blob is truncated "
			    "(bin %llu of %llu)",
			    (unsigned long long)k, (unsigned long long)nbins);
		if (c > UINT64_MAX - sum)
			return sr_err_set(err, "sketch blob counts overflow");
		sum += c;
	}
	if (r.off != r.n)
		return sr_err_set(err, "sketch blob has %zu trailing bytes",
		    r.n - r.off);
	if (sum != count)
		return sr_err_set(err,
		    "sketch blob counts sum to %llu, not "
		    "%llu",
		    (unsigned long long)sum, (unsigned long long)count);
	if (count > UINT64_MAX - s->count)
		return sr_err_set(err, "sketch count overflows");
	if (zero > 0 && mn > 0)
		return sr_err_set(err,
		    "sketch blob has zero-bin values "
		    "above its min");
	/* Second pass: apply. */
	sketch_minmax(s, mn, mx);
	s->zero += zero;
	r.off = bins_off;
	if (nbins > 0)
		sketch_cover(s, (int32_t)first,
		    (int32_t)(first + (int64_t)nbins - 1));
	for (uint64_t k = 0; k < nbins; k++) {
		(void)sketch_get_varint(&r, &c); /* validated above */
		if (c)
			sketch_bin_add(s, (int32_t)(first + (int64_t)k), c);
	}
	s->count += count;
	return 0;
}

size_t
sr_sketch_bytes(const struct sr_sketch *s)
{
	if (s == NULL)
		return 0;
	return sizeof(*s) +
	    (s->pk != NULL ? (size_t)s->nbins * s->pkw
			   : (size_t)s->cap * sizeof(*s->bins));
}
