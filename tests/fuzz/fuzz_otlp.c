/* SPDX-License-Identifier: MIT */
/*
 * fuzz_otlp: libFuzzer harness for the OTLP JSON lines reader (what the
 * OpenTelemetry Collector's file exporter writes: resourceLogs, then
 * scopeLogs, then logRecords, one event per record, handed out by
 * sr_parser_line and sr_parser_more).  The input is one line, parsed by
 * an otlp and an auto parser as it is; when it is JSON, it is also put
 * where the reader looks, so that mutations of any JSON reach the record
 * walk: as a log record (twice, beside a record that is not an object),
 * as a record's attributes list, as a resource's attributes, as an
 * AnyValue body and as a scopeLogs entry.  Each event is checked as
 * fuzz_event.h says, --explain's output too.  Not part of `make test`;
 * run with `make fuzz FUZZ_ONLY=otlp`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/parse.h"
#include "tests/fuzz/fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_both(struct sr_parser **ps, const cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (s == NULL)
		return;
	fuzz_parse_all(ps[0], s, strlen(s), 1);
	fuzz_parse_all(ps[1], s, strlen(s), 0);
	cJSON_free(s);
}

/* {"resourceLogs":[{"resource":{"attributes":RA},"scopeLogs":SL}]} */
static cJSON *
fuzz_envelope(cJSON *ra, cJSON *sl)
{
	cJSON *root = cJSON_CreateObject(), *rls = cJSON_CreateArray();
	cJSON *rl = cJSON_CreateObject(), *res = cJSON_CreateObject();

	if (ra == NULL)
		ra = cJSON_Parse("[{\"key\":\"service.name\",\"value\":"
				 "{\"stringValue\":\"chat-api\"}}]");
	cJSON_AddItemToObject(res, "attributes", ra);
	cJSON_AddItemToObject(rl, "resource", res);
	cJSON_AddItemToObject(rl, "scopeLogs", sl);
	cJSON_AddItemToArray(rls, rl);
	cJSON_AddItemToObject(root, "resourceLogs", rls);
	return root;
}

/* [{"logRecords":RECS}] */
static cJSON *
fuzz_scope(cJSON *recs)
{
	cJSON *sl = cJSON_CreateArray(), *s = cJSON_CreateObject();

	cJSON_AddItemToObject(s, "logRecords", recs);
	cJSON_AddItemToArray(sl, s);
	return sl;
}

/* Wrap the input in each place, parse each, free it. */
static void
fuzz_places(struct sr_parser **ps, const cJSON *in)
{
	cJSON *recs, *rec, *env;

	/* as a log record, twice, and a record that is not an object */
	recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, cJSON_Duplicate(in, 1));
	cJSON_AddItemToArray(recs, cJSON_CreateNumber(7));
	cJSON_AddItemToArray(recs, cJSON_Duplicate(in, 1));
	env = fuzz_envelope(NULL, fuzz_scope(recs));
	fuzz_both(ps, env);
	cJSON_Delete(env);
	/* as a record's attributes and body */
	rec = cJSON_Parse("{\"timeUnixNano\":\"1764840932512000000\","
			  "\"severityNumber\":17}");
	cJSON_AddItemToObject(rec, "attributes", cJSON_Duplicate(in, 1));
	cJSON_AddItemToObject(rec, "body", cJSON_Duplicate(in, 1));
	recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, rec);
	env = fuzz_envelope(cJSON_Duplicate(in, 1), fuzz_scope(recs));
	fuzz_both(ps, env);
	cJSON_Delete(env);
	/* as the scopeLogs list */
	env = fuzz_envelope(NULL, cJSON_Duplicate(in, 1));
	fuzz_both(ps, env);
	cJSON_Delete(env);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sr_parser *ps[2] = { sr_parser_new(SR_FMT_OTLP),
		sr_parser_new(SR_FMT_AUTO) };
	char *line = malloc(size > 0 ? size : 1);
	cJSON *o;

	if (line == NULL)
		abort();
	memcpy(line, data, size);
	fuzz_parse_all(ps[0], line, size, 1);
	fuzz_parse_all(ps[1], line, size, 0);
	o = cJSON_ParseWithLength(line, size);
	if (o != NULL)
		fuzz_places(ps, o);
	cJSON_Delete(o);
	free(line);
	for (int i = 0; i < 2; i++)
		sr_parser_free(ps[i]);
	return 0;
}
