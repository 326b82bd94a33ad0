/* SPDX-License-Identifier: MIT */
/*
 * field: see field.h.  The aliases of a field are listed best first: rank
 * 0 is the model's name, higher ranks lose to lower ones on one line.
 */
#include "core/field.h"

#include <string.h>
#include <strings.h>

#include "core/util.h"

#define AT(m)                                \
	.off = offsetof(struct sr_event, m), \
	.size = (unsigned char)sizeof(((struct sr_event *)0)->m)

static const struct sr_field_alias al_id[] = {
	{ "event_id", SR_READ_ID, 0 },
	{ "id", SR_READ_ID, 1 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_type[] = {
	{ "event_type", SR_READ_STR, 0 },
	{ "type", SR_READ_STR, 1 },
	{ "event", SR_READ_SOFTSTR, 2 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_ts[] = {
	{ "timestamp", SR_READ_TIME, 0 },
	{ "ts", SR_READ_TIME, 1 },
	{ "time", SR_READ_TIME, 1 },
	{ "@timestamp", SR_READ_TIME, 1 },
	{ "t", SR_READ_TIME, 1 },
	{ "timeMillis", SR_READ_TIME, 1 },	/* log4j2 (old) */
	{ "instant", SR_READ_INSTANT, 1 },	/* log4j2 */
	{ "timeUnixNano", SR_READ_TIME_NS, 1 }, /* OpenTelemetry */
	{ "__REALTIME_TIMESTAMP", SR_READ_TIME_US, 2 },
	{ "observedTimeUnixNano", SR_READ_TIME_NS, 2 },
	{ "startTime", SR_READ_TIME, 3 }, /* LiteLLM */
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_status[] = {
	{ "status_code", SR_READ_STATUS, 0 },
	{ "status", SR_READ_STATUS, 1 },
	{ "http_status", SR_READ_STATUS, 1 },
	{ "http.response.status_code", SR_READ_STATUS, 1 }, /* ECS, OTel */
	{ "http.status_code", SR_READ_STATUS, 1 },
	{ "res.statusCode", SR_READ_STATUS, 2 }, /* pino-http */
	{ "code", SR_READ_SOFTSTATUS, 2 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_latency[] = {
	{ "response_time_ms", SR_READ_MS, 0 },
	{ "latency_ms", SR_READ_MS, 1 },
	{ "duration_ms", SR_READ_MS, 1 },
	{ "elapsed_ms", SR_READ_MS, 1 },
	{ "duration_s", SR_READ_SEC, 2 },
	{ "latency_s", SR_READ_SEC, 2 },
	{ "request_time", SR_READ_SEC, 2 },
	{ "rt", SR_READ_SEC, 2 },	     /* nginx rt=$request_time */
	{ "event.duration", SR_READ_NS, 1 }, /* ECS */
	{ "duration_ns", SR_READ_NS, 1 },
	{ "duration_us", SR_READ_US, 1 },
	{ "responseTime", SR_READ_MS, 2 }, /* pino-http */
	{ "duration", SR_READ_DUR, 3 },
	{ "latency", SR_READ_DUR, 3 },
	{ "elapsed", SR_READ_DUR, 3 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_user[] = {
	{ "user_id", SR_READ_ID, 0 },
	{ "user", SR_READ_ID, 1 },
	{ "uid", SR_READ_ID, 1 },
	{ "user.id", SR_READ_ID, 1 },	 /* ECS */
	{ "enduser.id", SR_READ_ID, 1 }, /* OTel */
	{ "user.name", SR_READ_ID, 2 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_session[] = {
	{ "session_id", SR_READ_ID, 0 },
	{ "session", SR_READ_ID, 1 },
	{ "sid", SR_READ_ID, 1 },
	{ "session.id", SR_READ_ID, 1 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_service[] = {
	{ "service", SR_READ_STR, 0 },
	{ "svc", SR_READ_STR, 1 },
	{ "app", SR_READ_STR, 1 },
	{ "service.name", SR_READ_STR, 1 }, /* ECS, OTel */
	{ "_SYSTEMD_USER_UNIT", SR_READ_UNIT, 2 },
	{ "_SYSTEMD_UNIT", SR_READ_UNIT, 3 },
	{ "SYSLOG_IDENTIFIER", SR_READ_STR, 4 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_endpoint[] = {
	{ "endpoint", SR_READ_PATH, 0 },
	{ "path", SR_READ_PATH, 1 },
	{ "route", SR_READ_PATH, 1 },
	{ "url.path", SR_READ_PATH, 1 },   /* ECS, OTel */
	{ "http.route", SR_READ_PATH, 1 }, /* OTel */
	{ "url", SR_READ_URL, 2 },
	{ "uri", SR_READ_URL, 2 },
	{ "request_uri", SR_READ_URL, 2 },
	{ "request.uri", SR_READ_URL, 2 },  /* Caddy */
	{ "req.url", SR_READ_URL, 2 },	    /* pino-http */
	{ "url.original", SR_READ_URL, 2 }, /* ECS */
	{ "http.target", SR_READ_URL, 2 },
	{ "url.full", SR_READ_URL, 3 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_message[] = {
	{ "message", SR_READ_MSG, 0 },
	{ "msg", SR_READ_MSG, 1 },
	{ "MESSAGE", SR_READ_MSG, 1 },
	{ "body", SR_READ_MSG, 2 }, /* OTel log record */
	{ "error", SR_READ_ERROR, 2 },
	{ "error.message", SR_READ_ERROR, 2 }, /* ECS */
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_model[] = {
	{ "model", SR_READ_STR, 0 },
	{ "gen_ai.request.model", SR_READ_STR, 1 }, /* OTel GenAI */
	{ "gen_ai.response.model", SR_READ_STR, 2 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_tokens_in[] = {
	{ "tokens_in", SR_READ_INT, 0 },
	{ "prompt_tokens", SR_READ_INT, 1 },
	{ "input_tokens", SR_READ_INT, 1 },
	{ "usage.prompt_tokens", SR_READ_INT, 1 }, /* OpenAI, LiteLLM */
	{ "usage.input_tokens", SR_READ_INT, 1 },  /* Anthropic */
	{ "gen_ai.usage.input_tokens", SR_READ_INT, 1 },
	{ "gen_ai.usage.prompt_tokens", SR_READ_INT, 2 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_tokens_out[] = {
	{ "tokens_out", SR_READ_INT, 0 },
	{ "completion_tokens", SR_READ_INT, 1 },
	{ "output_tokens", SR_READ_INT, 1 },
	{ "usage.completion_tokens", SR_READ_INT, 1 },
	{ "usage.output_tokens", SR_READ_INT, 1 },
	{ "gen_ai.usage.output_tokens", SR_READ_INT, 1 },
	{ "gen_ai.usage.completion_tokens", SR_READ_INT, 2 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_ttft[] = {
	{ "ttft_ms", SR_READ_FLOAT, 0 },
	{ "time_to_first_token_ms", SR_READ_FLOAT, 1 },
	/* seconds: Sentry's span attribute, OTel GenAI's metric names */
	{ "gen_ai.response.time_to_first_token", SR_READ_SEC, 2 },
	{ "gen_ai.server.time_to_first_token", SR_READ_SEC, 2 },
	{ "gen_ai.client.operation.time_to_first_chunk", SR_READ_SEC, 3 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_host[] = {
	{ "host", SR_READ_STR, 0 },
	{ "host.name", SR_READ_STR, 1 }, /* ECS, OTel */
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_metadata[] = {
	{ "metadata", SR_READ_META, 0 },
	{ NULL, 0, 0 },
};
static const struct sr_field_alias al_is_error[] = {
	{ "level", SR_READ_LEVEL, 0 },
	{ "PRIORITY", SR_READ_PRIO, 0 },
	{ "lvl", SR_READ_LEVEL, 0 },
	{ "severity", SR_READ_LEVEL, 0 },
	{ "levelname", SR_READ_LEVEL, 0 }, /* Python logging */
	{ "loglevel", SR_READ_LEVEL, 0 },
	{ "log.level", SR_READ_LEVEL, 0 },	 /* ECS */
	{ "severityText", SR_READ_LEVEL, 0 },	 /* OTel */
	{ "severity_text", SR_READ_LEVEL, 0 },	 /* OTel */
	{ "severityNumber", SR_READ_SEVNUM, 0 }, /* OTel */
	{ NULL, 0, 0 },
};

/* const: the one field table, shared read-only by every thread. */
const struct sr_field sr_fields[SR_FIELD__COUNT] = {
	[SR_FIELD_ID] = { .id = SR_FIELD_ID,
	    .name = "event_id",
	    .query = "id",
	    .type = SR_FIELD_TEXT,
	    AT(event_id),
	    .json = "event_id",
	    .sql = "event_id",
	    .export = "event_id",
	    .aliases = al_id },
	[SR_FIELD_TYPE] = { .id = SR_FIELD_TYPE,
	    .name = "event_type",
	    .query = "type",
	    .type = SR_FIELD_TEXT,
	    .dflt = "request",
	    AT(event_type),
	    .json = "type",
	    .sql = "event_type",
	    .export = "event_type",
	    .aliases = al_type },
	[SR_FIELD_TS] = { .id = SR_FIELD_TS,
	    .name = "timestamp",
	    .query = "ts",
	    .type = SR_FIELD_TIME,
	    AT(ts_ms),
	    .json = "time",
	    .sql = "ts",
	    .export = "timestamp",
	    .aliases = al_ts },
	[SR_FIELD_SERVICE] = { .id = SR_FIELD_SERVICE,
	    .name = "service",
	    .query = "service",
	    .type = SR_FIELD_TEXT,
	    AT(service),
	    .json = "service",
	    .sql = "service",
	    .export = "service",
	    .prom = "service",
	    .aliases = al_service },
	[SR_FIELD_ENDPOINT] = { .id = SR_FIELD_ENDPOINT,
	    .name = "endpoint",
	    .query = "endpoint",
	    .query_alt = "path",
	    .type = SR_FIELD_TEXT,
	    AT(endpoint),
	    .json = "endpoint",
	    .sql = "endpoint",
	    .export = "endpoint",
	    .prom = "endpoint",
	    .aliases = al_endpoint },
	[SR_FIELD_STATUS] = { .id = SR_FIELD_STATUS,
	    .name = "status_code",
	    .query = "status",
	    .type = SR_FIELD_INT,
	    .has = SR_EV_HAS_STATUS,
	    AT(status_code),
	    .json = "status",
	    .sql = "status",
	    .export = "status_code",
	    .aliases = al_status },
	[SR_FIELD_LATENCY] = { .id = SR_FIELD_LATENCY,
	    .name = "response_time_ms",
	    .query = "latency",
	    .query_alt = "ms",
	    .type = SR_FIELD_REAL,
	    .has = SR_EV_HAS_LATENCY,
	    AT(response_time_ms),
	    .json = "latency_ms",
	    .sql = "latency_ms",
	    .export = "response_time_ms",
	    .aliases = al_latency },
	[SR_FIELD_USER] = { .id = SR_FIELD_USER,
	    .name = "user_id",
	    .query = "user",
	    .type = SR_FIELD_TEXT,
	    AT(user_id),
	    .json = "user_id",
	    .sql = "user_id",
	    .export = "user_id",
	    .aliases = al_user },
	[SR_FIELD_SESSION] = { .id = SR_FIELD_SESSION,
	    .name = "session_id",
	    .query = "session",
	    .type = SR_FIELD_TEXT,
	    AT(session_id),
	    .json = "session_id",
	    .sql = "session_id",
	    .export = "session_id",
	    .aliases = al_session },
	[SR_FIELD_MESSAGE] = { .id = SR_FIELD_MESSAGE,
	    .name = "message",
	    .query = "message",
	    .query_alt = "msg",
	    .type = SR_FIELD_TEXT,
	    AT(message),
	    .json = "message",
	    .sql = "message",
	    .export = "message",
	    .aliases = al_message },
	[SR_FIELD_MODEL] = { .id = SR_FIELD_MODEL,
	    .name = "model",
	    .query = "model",
	    .type = SR_FIELD_TEXT,
	    AT(model),
	    .json = "model",
	    .sql = "model",
	    .export = "model",
	    .prom = "model",
	    .aliases = al_model },
	[SR_FIELD_TOKENS_IN] = { .id = SR_FIELD_TOKENS_IN,
	    .name = "tokens_in",
	    .query = "tokens_in",
	    .type = SR_FIELD_INT,
	    .has = SR_EV_HAS_TOKENS_IN,
	    AT(tokens_in),
	    .json = "tokens_in",
	    .sql = "tokens_in",
	    .export = "tokens_in",
	    .aliases = al_tokens_in },
	[SR_FIELD_TOKENS_OUT] = { .id = SR_FIELD_TOKENS_OUT,
	    .name = "tokens_out",
	    .query = "tokens_out",
	    .type = SR_FIELD_INT,
	    .has = SR_EV_HAS_TOKENS_OUT,
	    AT(tokens_out),
	    .json = "tokens_out",
	    .sql = "tokens_out",
	    .export = "tokens_out",
	    .aliases = al_tokens_out },
	[SR_FIELD_TTFT] = { .id = SR_FIELD_TTFT,
	    .name = "ttft_ms",
	    .query = "ttft",
	    .type = SR_FIELD_REAL,
	    .has = SR_EV_HAS_TTFT,
	    AT(ttft_ms),
	    .json = "ttft_ms",
	    .sql = "ttft_ms",
	    .export = "ttft_ms",
	    .aliases = al_ttft },
	[SR_FIELD_HOST] = { .id = SR_FIELD_HOST,
	    .name = "host",
	    .query = "host",
	    .type = SR_FIELD_TEXT,
	    AT(host),
	    .json = "host",
	    .sql = "host",
	    .export = "host",
	    .prom = "host",
	    .aliases = al_host },
	[SR_FIELD_METADATA] = { .id = SR_FIELD_METADATA,
	    .name = "metadata",
	    .query = "metadata",
	    .type = SR_FIELD_JSON,
	    AT(metadata),
	    .json = "metadata",
	    .sql = "metadata",
	    .export = "metadata",
	    .aliases = al_metadata },
	/* level=error, PRIORITY<=3, error=true...: stored as the
	 * SR_STORE_EV_ERROR bit of the flags column; not exported on its
	 * own: the web API's "error" is sr_event_is_error() (this or 5xx) */
	[SR_FIELD_IS_ERROR] = { .id = SR_FIELD_IS_ERROR,
	    .name = "is_error",
	    .query = "is_error",
	    .type = SR_FIELD_FLAG,
	    .has = SR_EV_IS_ERROR,
	    AT(has),
	    .sql = "flags",
	    .aliases = al_is_error },
};

const struct sr_field *
sr_field_find(const char *name)
{
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const struct sr_field *f = &sr_fields[i];

		if (strcmp(f->name, name) == 0 || strcmp(f->query, name) == 0)
			return f;
		for (const struct sr_field_alias *a = f->aliases; a->name; a++)
			if (strcmp(a->name, name) == 0)
				return f;
	}
	return NULL;
}

/* 1 when the word list (space-separated) holds name[0..len), any case. */
static int
field_word_in(const char *list, const char *name, size_t len)
{
	while (list != NULL && *list != '\0') {
		size_t k = strcspn(list, " ");

		if (k == len && strncasecmp(list, name, len) == 0)
			return 1;
		list += k;
		list += strspn(list, " ");
	}
	return 0;
}

const struct sr_field *
sr_field_query_find(const char *name, size_t len)
{
	for (int i = 0; i < SR_FIELD__COUNT; i++) {
		const struct sr_field *f = &sr_fields[i];

		if (f->type != SR_FIELD_TEXT && !sr_field_numeric(f))
			continue;
		if (field_word_in(f->query, name, len) ||
		    field_word_in(f->name, name, len) ||
		    field_word_in(f->sql, name, len) ||
		    field_word_in(f->query_alt, name, len))
			return f;
	}
	return NULL;
}

int
sr_field_int(const struct sr_field *f, const struct sr_event *ev, int64_t *out)
{
	const char *p = (const char *)ev + f->off;

	switch (f->type) {
	case SR_FIELD_FLAG:
		*out = (ev->has & f->has) != 0;
		return 1;
	case SR_FIELD_TIME:
		*out = ev->ts_ms;
		return 1;
	case SR_FIELD_INT:
		if (!(ev->has & f->has))
			return 0;
		if (f->size == sizeof(int64_t))
			*out = *(const int64_t *)(const void *)p;
		else
			*out = *(const int *)(const void *)p;
		return 1;
	default:
		return 0;
	}
}

int
sr_field_num(const struct sr_field *f, const struct sr_event *ev, double *out)
{
	int64_t i;

	if (f->type == SR_FIELD_REAL) {
		if (!(ev->has & f->has))
			return 0;
		*out =
		    *(const double *)(const void *)((const char *)ev + f->off);
		return 1;
	}
	if (!sr_field_int(f, ev, &i))
		return 0;
	*out = (double)i;
	return 1;
}

void
sr_field_set_num(const struct sr_field *f, struct sr_event *ev, double v)
{
	char *p = (char *)ev + f->off;

	switch (f->type) {
	case SR_FIELD_FLAG:
		if (v != 0)
			ev->has |= f->has;
		else
			ev->has &= ~f->has;
		return;
	case SR_FIELD_TIME:
		ev->ts_ms = (int64_t)v;
		return;
	case SR_FIELD_INT:
		if (f->size == sizeof(int64_t))
			*(int64_t *)(void *)p = (int64_t)v;
		else
			*(int *)(void *)p = (int)v;
		break;
	case SR_FIELD_REAL:
		*(double *)(void *)p = v;
		break;
	default:
		SR_BUG("field: a number stored in a text field");
	}
	ev->has |= f->has;
}
