/* SPDX-License-Identifier: MIT */
/*
 * util: allocation that never returns NULL, error detail without
 * allocation, a growable byte buffer, and clocks.  Every other module
 * builds on these; nothing here knows about events or storage.
 */
#ifndef SR_CORE_UTIL_H
#define SR_CORE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define SR_VERSION "0.1.0"

/* Error detail filled by a failing call; the last parameter, may be NULL. */
struct sr_err {
	char msg[256];
};

/* Format into err->msg (when err is not NULL); always returns -1. */
int sr_err_set(struct sr_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix existing detail: "CTX: old message"; returns -1. */
int sr_err_prefix(struct sr_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print "sitrep: MSG" on stderr and exit(1). */
void
sr_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Abort with file and line in every build: for invariants only a bug breaks. */
#define SR_BUG(msg) sr_bug(__FILE__, __LINE__, (msg))
void
sr_bug(const char *file, int line, const char *msg) __attribute__((noreturn));

/* Allocators that abort on exhaustion; a zero size is a bug. */
void *sr_xmalloc(size_t n);
void *sr_xcalloc(size_t nmemb, size_t size);
void *sr_xrealloc(void *p, size_t n);
char *sr_xstrdup(const char *s);
/* Copy at most n bytes of s (stops at a NUL, like strndup). */
char *sr_xstrndup(const char *s, size_t n);
char *sr_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Growable text.  The struct stays valid across every call: buf.data is
 * always NUL-terminated (after sr_buf_init it points at a static "").
 */
struct sr_buf {
	char *data;
	size_t len;
	size_t cap;
};

void sr_buf_init(struct sr_buf *b);
void sr_buf_release(struct sr_buf *b);
void sr_buf_reset(struct sr_buf *b); /* len = 0, keeps memory */
void sr_buf_grow(struct sr_buf *b, size_t extra);
void sr_buf_add(struct sr_buf *b, const void *p, size_t n);
void sr_buf_adds(struct sr_buf *b, const char *s);
void sr_buf_addc(struct sr_buf *b, char c);
void sr_buf_addf(struct sr_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sr_buf_vaddf(struct sr_buf *b, const char *fmt, va_list ap);
/* Append s as a JSON string literal, quotes included. */
void sr_buf_add_json_str(struct sr_buf *b, const char *s);
/* Hand the buffer's memory to the caller (free() it); b is re-initialised. */
char *sr_buf_detach(struct sr_buf *b, size_t *len);

/* Wall clock, UTC milliseconds since the epoch (stamps data only). */
int64_t sr_now_ms(void);
/* Monotonic clock in milliseconds and microseconds (intervals). */
int64_t sr_mono_ms(void);
int64_t sr_mono_us(void);
/* CPU time (user+system) used by this process, in microseconds. */
int64_t sr_cpu_us(void);

/* 1 if s is valid UTF-8 of length n, else 0. */
int sr_utf8_valid(const char *s, size_t n);

/* Shell-style glob match (fnmatch without flags); 1 on match. */
int sr_glob(const char *pattern, const char *s);

/*
 * A source spec or URL fit to show: the password of a URL's userinfo
 * ("user:***@"; a lone user, often a token, becomes "***@") and the value
 * of every secret option after the first '?' or '#' ("token=***") are
 * masked.  A secret option is one whose name, percent-decoded, in any
 * case and with '-' read as '_', is key, token, secret, password, passwd,
 * pass, pwd, auth, sig, signature, credential(s), apikey, or ends in _key,
 * _token, _secret, _password or _signature (api_key, access_token,
 * client_secret, x-api-key); token-file= and cacert= name files and stay.
 * Every spec shown (health, /metrics, the console, stderr, `sitrep
 * config`) goes through this; the cursor key is the spec as written.
 * Returns a new string (the caller frees it); NULL gives "".
 */
char *sr_redact(const char *spec);

/*
 * A secret kept in a file: its first line, blanks and line end trimmed.
 * Returns a new string, or NULL with "cannot read token file 'P': why" or
 * "token file 'P' is empty" in err.
 */
char *sr_token_read(const char *path, struct sr_err *err);

/*
 * One line of `sitrep --version` for a library: "NAME RUN (built with
 * BUILT)", or "NAME BUILT (built with; no version at run time)" when run is
 * NULL.  Malloc'd.
 */
char *sr_lib_version(const char *name, const char *run, const char *built);

#endif
