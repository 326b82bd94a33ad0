/* SPDX-License-Identifier: MIT */
/*
 * dl_mhd: libmicrohttpd, loaded on first use (core/dynlib.h), as libcurl
 * is (core/dl_curl.h).  web/dl_mhd.c defines each MHD_*() function the
 * web layer calls, forwarding to the library's own; the HTTP servers
 * (web/server.c, web/textserve.c) call sr_mhd_load() before starting a
 * daemon, to fail with a clear message when the library is missing.
 */
#ifndef SR_WEB_DL_MHD_H
#define SR_WEB_DL_MHD_H

#include "core/util.h"

#define SR_MHD_SONAME "libmicrohttpd.so.12"
#define SR_MHD_PACKAGE "libmicrohttpd12"

/* Load libmicrohttpd if not yet; 0, or -1 with err naming what is missing. */
int sr_mhd_load(struct sr_err *err);

#endif
