/* SPDX-License-Identifier: MIT */
/*
 * dl_curl: libcurl, loaded on first use (core/dynlib.h).  sitrep is not
 * linked with libcurl: core/dl_curl.c defines each curl_*() function it
 * calls, forwarding to the library's own, so the HTTP source and the
 * webhook carrier use curl's API and types unchanged.  They call
 * sr_curl_load() first, to fail with a clear message when libcurl is
 * missing; a forwarded call made while it is missing returns curl's
 * error value (NULL, CURLE_FAILED_INIT, ...).
 */
#ifndef SR_CORE_DL_CURL_H
#define SR_CORE_DL_CURL_H

#include "core/util.h"

/* The soname loaded, and the Debian package that ships it. */
#define SR_CURL_SONAME "libcurl.so.4"
#define SR_CURL_PACKAGE "libcurl4"

/* Load libcurl if not yet; 0, or -1 with err naming what is missing. */
int sr_curl_load(struct sr_err *err);

#endif
