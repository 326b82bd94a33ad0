/* SPDX-License-Identifier: MIT */
/*
 * fuzz_otlp_pb: libFuzzer harness for the OTLP protobuf reader
 * (core/otlp.c, sr_otlp_pb_decode()) and the mapping of its tree to
 * events (sr_parser_otlp()).  The input's first byte picks the signal
 * (even: an ExportTraceServiceRequest, odd: ExportLogsServiceRequest),
 * the rest is the request body as POST /v1/traces or /v1/logs gets it.
 * A decoded tree must print as JSON, and every event handed out must have
 * an id and no negative duration.  The seeds (tests/fuzz/seeds/otlp_pb/)
 * are requests the OpenTelemetry JS SDK's protobuf exporter sent.  Not
 * part of `make test`.
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
	struct sr_err err;
	cJSON *root;
	char *text;

	if (size < 1)
		return 0;
	sig = data[0] & 1 ? SR_OTLP_LOGS : SR_OTLP_TRACES;
	root = sr_otlp_pb_decode(sig, data + 1, size - 1, &err);
	if (root == NULL) {
		if (err.msg[0] == '\0')
			abort(); /* a refusal always says why */
		return 0;
	}
	if ((text = cJSON_PrintUnformatted(root)) == NULL)
		abort();
	free(text);
	fuzz_otlp_map(root, sig);
	return 0;
}
