/* SPDX-License-Identifier: MIT */
/*
 * dynlib: a shared library loaded on first use with dlopen(), its
 * functions resolved once with dlsym() into a table.  libcurl and
 * libmicrohttpd are loaded this way (core/dl_curl.c, web/dl_mhd.c), so a
 * console that reads only stdin and files never maps them, nor the TLS,
 * Kerberos and LDAP libraries they pull in.  Thread-safe; a library once
 * loaded stays loaded; a failure is remembered and reported again.
 */
#ifndef SR_CORE_DYNLIB_H
#define SR_CORE_DYNLIB_H

#include <stddef.h>

#include "core/util.h"

struct sr_dynlib {
	const char *soname;	  /* "libcurl.so.4" */
	const char *package;	  /* the Debian package that ships it */
	const char *const *names; /* the functions, NULL-terminated */
	void **fns;		  /* filled in names' order */
	/* private: 0 not tried, 1 loaded, -1 failed (why in msg) */
	int state;
	char msg[sizeof(((struct sr_err *)0)->msg)];
};

/*
 * Load l (once) and resolve all its functions; 0, or -1 with err saying
 * which library or function is missing and which package to install.
 */
int sr_dynlib_load(struct sr_dynlib *l, struct sr_err *err);

/* 1 when l is loaded, loading it first if it was not tried yet. */
int sr_dynlib_ready(struct sr_dynlib *l);

#endif
