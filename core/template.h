/* SPDX-License-Identifier: MIT */
/*
 * template: group error messages by their shape.  Variable parts are
 * masked: quoted strings -> <str>, UUIDs and hex or mixed letter-digit
 * ids (6+ characters) -> <id>, numbers (with an optional short unit
 * such as "ms") -> <n>, absolute paths -> <path>, IPv4 addresses ->
 * <ip>.  "upstream timeout after 1500 ms (request 7f3a9c12)" becomes
 * "upstream timeout after <n> ms (request <id>)".  Pure functions.
 */
#ifndef SR_CORE_TEMPLATE_H
#define SR_CORE_TEMPLATE_H

#include <stddef.h>

#define SR_TEMPLATE_MAX 200 /* bytes of template kept (plus NUL) */

/*
 * Write the template of msg into out (NUL-terminated, cut at a UTF-8
 * boundary to fit outlen).  Returns the length written.
 */
size_t sr_template_make(const char *msg, char *out, size_t outlen);

#endif
