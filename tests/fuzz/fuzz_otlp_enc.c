/* SPDX-License-Identifier: MIT */
/*
 * fuzz_otlp_enc: libFuzzer harness for core/otlp_enc.c, the OTLP export's text.
 * The whole input is read as a collector's answer (sr_otlp_enc_partial():
 * never more rejected than stated, a message that fits); then, when it is
 * UTF-8, its first line is an event's message and the rest its metadata
 * (the parser keeps it as a JSON object, any text here), and the
 * ExportLogsServiceRequest written for that event must parse as JSON
 * with exactly one log record.  Not part of `make test`; run with
 * `make fuzz FUZZ_ONLY=otlp_enc`.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/otlp_enc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *nl, msg[64];
	const struct sr_event *p[1];
	struct sr_event ev;
	uint64_t rejected;
	struct sr_buf b;
	cJSON *root, *rl, *recs;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sr_otlp_enc_partial(text, size, &rejected, msg, sizeof(msg)) == 0 &&
	    (rejected != 0 || msg[0] != '\0'))
		abort();
	if (strlen(msg) >= sizeof(msg))
		abort();
	if (strlen(text) != size || !sr_utf8_valid(text, size)) {
		free(text);
		return 0;
	}
	sr_event_clear(&ev);
	ev.event_id = "fuzz";
	ev.ts_ms = 1700000000000;
	ev.message = text;
	if ((nl = strchr(text, '\n')) != NULL) {
		*nl = '\0';
		ev.metadata = nl + 1;
	}
	p[0] = &ev;
	sr_buf_init(&b);
	sr_otlp_enc_logs_json(&b, p, 1, "host");
	root = cJSON_ParseWithLength(b.data, b.len);
	if (root == NULL)
		abort();
	rl = cJSON_GetObjectItem(root, "resourceLogs");
	recs = cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rl, 0),
				   "scopeLogs"),
		0),
	    "logRecords");
	if (cJSON_GetArraySize(rl) != 1 || cJSON_GetArraySize(recs) != 1)
		abort();
	cJSON_Delete(root);
	sr_buf_release(&b);
	free(text);
	return 0;
}
