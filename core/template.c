/* SPDX-License-Identifier: MIT */
/*
 * template: a single left-to-right scan over the message; each token is
 * classified and either copied or replaced by its mask.
 */
#include "core/template.h"

#include <ctype.h>
#include <string.h>

/*
 * Output that never overflows: the last byte is reserved for NUL.  Once a
 * token had to be cut the output is full: nothing after it is appended
 * (a later, shorter token must not follow the cut one).
 */
struct tpl_out {
	char *p;
	size_t len, cap;
	int full;
};

static void
tpl_put(struct tpl_out *o, const char *s, size_t n)
{
	if (o->full || o->len + 1 >= o->cap)
		return;
	if (n > o->cap - 1 - o->len) {
		o->full = 1;
		n = o->cap - 1 - o->len;
		/* do not cut inside a UTF-8 sequence */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static int
is_word(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

static int
is_hexstr(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
is_uuid(const char *s, size_t n)
{
	static const size_t seg[] = { 8, 4, 4, 4, 12 };
	size_t at = 0;

	if (n != 36)
		return 0;
	for (size_t k = 0; k < 5; k++) {
		if (!is_hexstr(s + at, seg[k]))
			return 0;
		at += seg[k];
		if (k < 4 && s[at++] != '-')
			return 0;
	}
	return 1;
}

/* Classify a word (run of [A-Za-z0-9_-]); returns the mask or NULL. */
static const char *
tpl_classify(const char *s, size_t n)
{
	size_t digits = 0, alpha = 0, lead = 0;

	if (is_uuid(s, n))
		return "<id>";
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (isalpha((unsigned char)s[i]))
			alpha++;
	}
	if (digits == 0)
		return NULL;
	while (lead < n && isdigit((unsigned char)s[lead]))
		lead++;
	if (lead == n)
		return "<n>";
	/* 1500ms, 30s, 2h: a number with a short unit */
	if (lead > 0 && n - lead <= 3 && digits == lead && alpha == n - lead)
		return "<n>";
	if (n >= 6 && (is_hexstr(s, n) || alpha > 0))
		return "<id>";
	if (s[0] == '-' && lead == 0 && n > 1 && digits == n - 1)
		return "<n>";
	return NULL;
}

size_t
sr_template_make(const char *msg, char *out, size_t outlen)
{
	struct tpl_out o = { out, 0, outlen, 0 };
	const char *p = msg;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (msg == NULL)
		return 0;
	while (*p != '\0' && !o.full && o.len + 1 < o.cap) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\'' || c == '`') {
			const char *end = strchr(p + 1, (char)c);

			if (end != NULL) {
				tpl_put(&o, "<str>", 5);
				p = end + 1;
				continue;
			}
		}
		if (c == '/' && (p == msg || !is_word((unsigned char)p[-1])) &&
		    (is_word((unsigned char)p[1]) || p[1] == '.')) {
			while (*p != '\0' &&
			    (is_word((unsigned char)*p) || *p == '/' ||
				*p == '.'))
				p++;
			/* a trailing full stop is punctuation */
			if (p[-1] == '.')
				p--;
			tpl_put(&o, "<path>", 6);
			continue;
		}
		if (isdigit(c) &&
		    (p == msg || !is_word((unsigned char)p[-1]))) {
			/* IPv4 and decimal numbers: digits and dots */
			const char *q = p;
			int dots = 0;

			while (isdigit((unsigned char)*q) ||
			    (*q == '.' && isdigit((unsigned char)q[1]))) {
				dots += *q == '.';
				q++;
			}
			if (!is_word((unsigned char)*q) && dots == 3) {
				tpl_put(&o, "<ip>", 4);
				p = q;
				continue;
			}
			if (!is_word((unsigned char)*q) && dots == 1) {
				tpl_put(&o, "<n>", 3);
				p = q;
				continue;
			}
		}
		if (is_word(c)) {
			const char *q = p;
			const char *mask;

			while (is_word((unsigned char)*q))
				q++;
			mask = tpl_classify(p, (size_t)(q - p));
			if (mask != NULL)
				tpl_put(&o, mask, strlen(mask));
			else
				tpl_put(&o, p, (size_t)(q - p));
			p = q;
			continue;
		}
		{
			/* one whole UTF-8 sequence, so a cut never splits it */
			size_t n = 1;

			while (n < 4 && ((unsigned char)p[n] & 0xC0) == 0x80)
				n++;
			tpl_put(&o, p, n);
			p += n;
		}
	}
	return o.len;
}

/* ---- endpoints ---- */

static int
seg_digits(const char *s, size_t n)
{
	size_t d = 0;

	for (size_t i = 0; i < n; i++)
		d += isdigit((unsigned char)s[i]) != 0;
	return (int)d;
}

static int
seg_is_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t skip = 1;

	if (at == NULL) {
		/* percent-encoded: x%40y.z */
		for (size_t i = 0; i + 2 < n; i++)
			if (s[i] == '%' && s[i + 1] == '4' && s[i + 2] == '0') {
				at = s + i;
				skip = 3;
				break;
			}
	}
	if (at == NULL || at == s || (size_t)(at - s) + skip >= n)
		return 0;
	return memchr(at + skip, '.', n - (size_t)(at - s) - skip) != NULL;
}

static int
seg_is_token(const char *s, size_t n)
{
	size_t seps = 0, alpha = 0, digits = 0;

	if (n < 16)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isdigit(c))
			digits++;
		else if (isalpha(c))
			alpha++;
		else if (c == '-' || c == '_')
			seps++;
		else if (c != '+' && c != '=')
			return 0;
	}
	/* a slug ("2026-12-07-release-notes") has a separator every few
	 * characters; a random token rarely */
	return digits > 0 && alpha > 0 && seps <= n / 8;
}

/* The placeholder of a segment (its stem: without a short extension). */
static const char *
seg_classify(const char *s, size_t n)
{
	size_t d;

	if (n == 0 || s[0] == ':')
		return NULL;
	if (seg_is_email(s, n))
		return ":email";
	d = (size_t)seg_digits(s, n);
	if (d == n)
		return ":id";
	if (is_uuid(s, n))
		return ":uuid";
	if (n >= 8 && d > 0 && is_hexstr(s, n))
		return ":hex";
	if (seg_is_token(s, n))
		return ":token";
	return NULL;
}

/* Length of a short extension at the end of a segment (".png"), or 0. */
static size_t
seg_ext(const char *s, size_t n)
{
	for (size_t k = 2; k <= 5 && k < n; k++) {
		if (s[n - k] == '.') {
			for (size_t i = n - k + 1; i < n; i++)
				if (!isalnum((unsigned char)s[i]))
					return 0;
			return k;
		}
	}
	return 0;
}

size_t
sr_template_path(const char *path, char *out, size_t outlen)
{
	struct tpl_out o = { out, 0, outlen, 0 };
	const char *p = path;
	size_t end;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (path == NULL)
		return 0;
	end = strcspn(path, "?#");
	while ((size_t)(p - path) < end && !o.full) {
		const char *q = p;
		size_t n, ext;
		const char *mask;

		if (*p == '/') {
			tpl_put(&o, "/", 1);
			p++;
			continue;
		}
		while ((size_t)(q - path) < end && *q != '/')
			q++;
		n = (size_t)(q - p);
		mask = seg_classify(p, n);
		ext = 0;
		if (mask == NULL && (ext = seg_ext(p, n)) > 0)
			mask = seg_classify(p, n - ext);
		if (mask != NULL) {
			size_t before = o.len;

			tpl_put(&o, mask, strlen(mask));
			if (ext > 0)
				tpl_put(&o, q - ext, ext);
			if (o.full) { /* never half a placeholder */
				o.len = before;
				out[before] = '\0';
			}
		} else {
			tpl_put(&o, p, n);
		}
		p = q;
	}
	return o.len;
}

const char *
sr_template_name(const char *name, char *buf, size_t buflen)
{
	size_t n = 0, len;

	if (name == NULL)
		return NULL;
	while (name[n] == '\\')
		n++;
	if (strcmp(name + n, SR_OTHER) != 0)
		return name;
	len = strlen(name);
	if (buflen < 2)
		return name;
	if (len + 2 > buflen)
		len = buflen - 2; /* an absurd run of backslashes */
	buf[0] = '\\';
	memcpy(buf + 1, name, len);
	buf[len + 1] = '\0';
	return buf;
}

const char *
sr_template_endpoint(const char *raw, char *out, size_t outlen)
{
	char tmp[SR_ENDPOINT_MAX + 1];

	if (raw == NULL)
		return NULL;
	sr_template_path(raw, tmp, sizeof(tmp));
	if (sr_template_name(tmp, out, outlen) == tmp) {
		size_t n = strlen(tmp);

		if (n >= outlen)
			n = outlen ? outlen - 1 : 0;
		memcpy(out, tmp, n);
		if (outlen)
			out[n] = '\0';
	}
	return out;
}
