/* SPDX-License-Identifier: MIT */
/*
 * fuzz_otlp_json: libFuzzer harness for OTLP/JSON export requests as
 * POST /v1/traces and /v1/logs read them: the body parsed by cJSON and
 * its spans or log records mapped to events (sr_parser_otlp(),
 * core/parse.c).  The input's first byte picks the signal (even: traces,
 * odd: logs), the rest is the body.  Every event handed out must have an
 * id and no negative duration.  The seeds (tests/fuzz/seeds/otlp_json/)
 * are requests the OpenTelemetry JS SDK's JSON exporters sent.  Not part
 * of `make test`.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz_otlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sr_otlp_signal sig;
	cJSON *root;

	if (size < 1)
		return 0;
	sig = data[0] & 1 ? SR_OTLP_LOGS : SR_OTLP_TRACES;
	root = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	if (root == NULL)
		return 0;
	fuzz_otlp_map(root, sig);
	return 0;
}
