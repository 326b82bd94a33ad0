/* SPDX-License-Identifier: MIT */
/*
 * assets: the web page's files, embedded at build time.  web/assets_gen.c
 * is generated from web/assets/ by web/embed.sh and committed; a test
 * checks that it matches the assets.  Only these paths are ever served as
 * files: no request path reaches the file system.
 */
#ifndef SR_WEB_ASSETS_H
#define SR_WEB_ASSETS_H

#include <stddef.h>

struct sr_web_asset {
	const char *path; /* "/app.js"; "/index.html" is also "/" */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

/* Terminated by an entry with path NULL. */
extern const struct sr_web_asset sr_web_assets[];

#endif
