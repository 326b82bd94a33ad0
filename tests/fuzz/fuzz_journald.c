/* SPDX-License-Identifier: MIT */
/*
 * fuzz_journald: libFuzzer harness for the journald side of the JSON
 * line parser (`journalctl -o json`: __REALTIME_TIMESTAMP in
 * microseconds, _SYSTEMD_UNIT, SYSLOG_IDENTIFIER, PRIORITY, MESSAGE).
 * The input is one line, parsed as it is by a JSON and an auto parser;
 * when it is a JSON object, it is parsed again with MESSAGE in each form
 * journald writes it (a string, an array of bytes for text that is not
 * UTF-8, null) and with PRIORITY as a string and a number, so that every
 * seed reaches each form.  Each event is checked as fuzz_event.h says.
 * Not part of `make test`; run with `make fuzz FUZZ_ONLY=journald`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/parse.h"
#include "tests/fuzz/fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_both(struct sr_parser **ps, const char *line, size_t len)
{
	for (int f = 0; f < 2; f++) {
		struct sr_event ev;

		(void)fuzz_parse_check(ps[f], line, len, &ev);
	}
}

static void
fuzz_print(struct sr_parser **ps, const cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (s == NULL)
		return;
	fuzz_both(ps, s, strlen(s));
	cJSON_free(s);
}

/* MESSAGE as journald writes text that is not UTF-8: [104,105,...]. */
static cJSON *
fuzz_bytes(const char *s)
{
	cJSON *a = cJSON_CreateArray();

	for (; *s != '\0'; s++)
		cJSON_AddItemToArray(a,
		    cJSON_CreateNumber((double)(unsigned char)*s));
	return a;
}

/* The object o again with item name replaced by v (taken). */
static void
fuzz_with(struct sr_parser **ps, cJSON *o, const char *name, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, name) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(o, name, v);
	else
		cJSON_AddItemToObject(o, name, v);
	fuzz_print(ps, o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sr_parser *ps[2] = { sr_parser_new(SR_FMT_JSON),
		sr_parser_new(SR_FMT_AUTO) };
	char *line = malloc(size + 1);
	cJSON *o, *m, *p;
	char *msg = NULL;
	double prio = 6;

	if (line == NULL)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';
	fuzz_both(ps, line, size);
	o = cJSON_ParseWithLength(line, size);
	if (cJSON_IsObject(o)) {
		m = cJSON_GetObjectItemCaseSensitive(o, "MESSAGE");
		p = cJSON_GetObjectItemCaseSensitive(o, "PRIORITY");
		msg = strdup(cJSON_IsString(m) ? m->valuestring : "fuzz");
		if (cJSON_IsString(p))
			prio = atof(p->valuestring);
		else if (cJSON_IsNumber(p))
			prio = p->valuedouble;
		fuzz_with(ps, o, "MESSAGE", fuzz_bytes(msg));
		fuzz_with(ps, o, "MESSAGE", cJSON_CreateNull());
		fuzz_with(ps, o, "MESSAGE", cJSON_CreateString(msg));
		fuzz_with(ps, o, "PRIORITY", cJSON_CreateNumber(prio));
		free(msg);
	}
	cJSON_Delete(o);
	free(line);
	for (int f = 0; f < 2; f++)
		sr_parser_free(ps[f]);
	return 0;
}
