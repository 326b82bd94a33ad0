/* SPDX-License-Identifier: MIT */
/* util: see util.h. */
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

int
sr_err_set(struct sr_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof err->msg, fmt, ap); /* truncation ok */
	va_end(ap);
	return -1;
}

int
sr_err_prefix(struct sr_err *err, const char *fmt, ...)
{
	char old[sizeof err->msg];
	size_t n, m;
	va_list ap;
	int k;

	if (err == NULL)
		return -1;
	memcpy(old, err->msg, sizeof old);
	old[sizeof old - 1] = '\0';
	va_start(ap, fmt);
	k = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	n = k < 0 ? 0 : (size_t)k;
	if (n + 2 >= sizeof err->msg)
		return -1; /* the prefix alone fills it */
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	m = strlen(old);
	if (m > sizeof err->msg - 1 - n)
		m = sizeof err->msg - 1 - n;
	memcpy(err->msg + n, old, m);
	err->msg[n + m] = '\0';
	return -1;
}

void
sr_fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("sitrep: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void
sr_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "sitrep: bug at %s:%d: %s\n", file, line, msg);
	abort();
}

void *
sr_xmalloc(size_t n)
{
	void *p;

	if (n == 0)
		SR_BUG("zero-size allocation");
	if ((p = malloc(n)) == NULL)
		sr_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
sr_xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		SR_BUG("zero-size allocation");
	if ((p = calloc(nmemb, size)) == NULL)
		sr_fatal("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

void *
sr_xrealloc(void *p, size_t n)
{
	void *q;

	if (n == 0)
		SR_BUG("zero-size allocation");
	if ((q = realloc(p, n)) == NULL)
		sr_fatal("out of memory (%zu bytes)", n);
	return q;
}

char *
sr_xstrdup(const char *s)
{
	return sr_xstrndup(s, strlen(s));
}

char *
sr_xstrndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);
	p = sr_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
sr_xasprintf(const char *fmt, ...)
{
	struct sr_buf b;
	va_list ap;

	sr_buf_init(&b);
	va_start(ap, fmt);
	sr_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return sr_buf_detach(&b, NULL);
}

static char buf_empty[1]; /* const in spirit: never written */

void
sr_buf_init(struct sr_buf *b)
{
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
}

void
sr_buf_release(struct sr_buf *b)
{
	if (b->cap > 0)
		free(b->data);
	sr_buf_init(b);
}

void
sr_buf_reset(struct sr_buf *b)
{
	b->len = 0;
	if (b->cap > 0)
		b->data[0] = '\0';
}

void
sr_buf_grow(struct sr_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (b->cap == 0) {
		b->data = sr_xmalloc(cap);
		b->data[0] = '\0';
	} else
		b->data = sr_xrealloc(b->data, cap);
	b->cap = cap;
}

void
sr_buf_add(struct sr_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	sr_buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
sr_buf_adds(struct sr_buf *b, const char *s)
{
	sr_buf_add(b, s, strlen(s));
}

void
sr_buf_addc(struct sr_buf *b, char c)
{
	sr_buf_add(b, &c, 1);
}

void
sr_buf_vaddf(struct sr_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		SR_BUG("bad format");
	sr_buf_grow(b, (size_t)n);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
sr_buf_addf(struct sr_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sr_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
sr_buf_add_json_str(struct sr_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	sr_buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			sr_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			sr_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			sr_buf_add(b, "\\n", 2);
			break;
		case '\r':
			sr_buf_add(b, "\\r", 2);
			break;
		case '\t':
			sr_buf_add(b, "\\t", 2);
			break;
		default:
			if (*p < 0x20) {
				char e[6] = { '\\', 'u', '0', '0', hex[*p >> 4],
					hex[*p & 15] };
				sr_buf_add(b, e, 6);
			} else
				sr_buf_addc(b, (char)*p);
		}
	}
	sr_buf_addc(b, '"');
}

char *
sr_buf_detach(struct sr_buf *b, size_t *len)
{
	char *p;

	if (len != NULL)
		*len = b->len;
	if (b->cap == 0)
		p = sr_xstrdup("");
	else
		p = b->data;
	sr_buf_init(b);
	return p;
}

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		sr_fatal("clock_gettime: %s", strerror(errno));
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
sr_now_ms(void)
{
	return clock_ns(CLOCK_REALTIME) / 1000000;
}

int64_t
sr_mono_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

int64_t
sr_mono_us(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000;
}

int64_t
sr_cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

int
sr_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p;
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else
			return 0;
		if ((size_t)(end - p) <= k)
			return 0;
		for (size_t i = 1; i <= k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((k == 2 &&
			(cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += k + 1;
	}
	return 1;
}

int
sr_glob(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, 0) == 0;
}

/* Is name[0..n) (percent-encoded, any case) a secret option's name? */
static int
redact_secret_key(const char *name, size_t n)
{
	static const char *const exact[] = { "key", "token", "secret",
		"password", "passwd", "pass", "pwd", "auth", "sig", "signature",
		"credential", "credentials", "apikey", NULL };
	static const char *const suffix[] = { "_key", "_token", "_secret",
		"_password", "_signature", NULL };
	char k[64];
	size_t len = 0, sl;

	for (size_t i = 0; i < n && len < sizeof(k) - 1; i++) {
		int c = (unsigned char)name[i];

		if (c == '%' && i + 2 < n &&
		    isxdigit((unsigned char)name[i + 1]) &&
		    isxdigit((unsigned char)name[i + 2])) {
			char hex[3] = { name[i + 1], name[i + 2], '\0' };

			c = (int)strtol(hex, NULL, 16);
			i += 2;
		}
		c = tolower(c);
		k[len++] = (char)(c == '-' || c == '.' ? '_' : c);
	}
	k[len] = '\0';
	for (int i = 0; exact[i] != NULL; i++)
		if (strcmp(k, exact[i]) == 0)
			return 1;
	for (int i = 0; suffix[i] != NULL; i++)
		if (len > (sl = strlen(suffix[i])) &&
		    strcmp(k + len - sl, suffix[i]) == 0)
			return 1;
	return 0;
}

char *
sr_redact(const char *spec)
{
	struct sr_buf b;
	const char *p, *scheme, *auth, *at = NULL, *opts;

	if (spec == NULL)
		return sr_xstrdup("");
	sr_buf_init(&b);
	p = spec;
	/* userinfo: between "://" and the last '@' of the authority */
	if ((scheme = strstr(spec, "://")) != NULL) {
		auth = scheme + 3;
		for (const char *q = auth; *q && !strchr("/?#", *q); q++)
			if (*q == '@')
				at = q;
		if (at != NULL) {
			const char *colon =
			    memchr(auth, ':', (size_t)(at - auth));

			sr_buf_add(&b, spec, (size_t)(auth - spec));
			if (colon != NULL)
				sr_buf_add(&b, auth,
				    (size_t)(colon + 1 - auth));
			sr_buf_adds(&b, "***");
			p = at;
		}
	}
	/* options: from the first '?' or '#' on, items split by & ; ? # */
	opts = p + strcspn(p, "?#");
	sr_buf_add(&b, p, (size_t)(opts - p));
	p = opts;
	while (*p != '\0') {
		const char *item = p + 1, *end, *eq;

		sr_buf_addc(&b, *p); /* the separator */
		end = item + strcspn(item, "&;?#");
		eq = memchr(item, '=', (size_t)(end - item));
		if (eq != NULL &&
		    redact_secret_key(item, (size_t)(eq - item))) {
			sr_buf_add(&b, item, (size_t)(eq + 1 - item));
			sr_buf_adds(&b, "***");
		} else {
			sr_buf_add(&b, item, (size_t)(end - item));
		}
		p = end;
	}
	return sr_buf_detach(&b, NULL);
}

char *
sr_token_read(const char *path, struct sr_err *err)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t n;

	if (f == NULL) {
		sr_err_set(err, "cannot read token file '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	(void)fclose(f); /* read-only */
	n = strcspn(line, "\r\n");
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	line[n] = '\0';
	if (n == 0) {
		sr_err_set(err, "token file '%s' is empty", path);
		return NULL;
	}
	return sr_xstrdup(line);
}

char *
sr_lib_version(const char *name, const char *run, const char *built)
{
	if (run == NULL)
		return sr_xasprintf(
		    "%s %s (built with; no version at run time)", name, built);
	return sr_xasprintf("%s %s (built with %s)", name, run, built);
}
