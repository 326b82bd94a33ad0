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

#include "core/limits.h"

#define SR_TEMPLATE_MAX 200 /* bytes of template kept (plus NUL) */

/*
 * Write the template of msg into out (NUL-terminated, cut at a UTF-8
 * boundary to fit outlen).  Returns the length written.
 */
size_t sr_template_make(const char *msg, char *out, size_t outlen);

/*
 * Endpoints.  The name of the one series that collects what a
 * cardinality cap turns away (services, endpoints, models, hosts, event
 * types); no real name is ever aggregated under it (see
 * sr_template_name()).
 */
#define SR_ENDPOINT_MAX 200 /* bytes of a templated endpoint (plus NUL) */

/*
 * Write the template of an endpoint (a URL path, or any name) into out:
 * the query string and fragment ("?...", "#...") are dropped, and each
 * segment between slashes that is a variable part becomes a placeholder:
 *   a number (digits)                              :id
 *   a UUID (8-4-4-4-12 hex digits)                 :uuid
 *   hex of 8 or more characters with a digit       :hex
 *   an e-mail address (x@y.z, or x%40y.z)           :email
 *   a token: 16 or more base64 / base64url
 *     characters, with a digit and a letter, and
 *     at most one '-' or '_' per 8 characters     :token
 * A short extension stays ("/img/5f3a9c12ab.png" -> "/img/:hex.png").
 * "/users/123/orders?page=2" -> "/users/:id/orders".  Idempotent; the
 * output is cut at a segment or UTF-8 boundary to fit.  Returns the
 * length written.
 */
size_t sr_template_path(const char *path, char *out, size_t outlen);

/*
 * The name under which a real service, endpoint or model is aggregated:
 * name itself, unless it reads SR_OTHER after zero or more backslashes;
 * then it gets one more backslash in front (written into buf), so a real
 * "(other)" is aggregated as "\(other)" and never merges with the
 * overflow series.  Returns name or buf.
 */
const char *sr_template_name(const char *name, char *buf, size_t buflen);

/* sr_template_path() then sr_template_name(): an event's endpoint as
 * the aggregates, rollups, reports and /metrics key it.  out holds
 * SR_ENDPOINT_MAX + 2 bytes at least. */
const char *sr_template_endpoint(const char *raw, char *out, size_t outlen);

#endif
