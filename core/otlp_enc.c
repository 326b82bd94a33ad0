/* SPDX-License-Identifier: MIT */
/*
 * otlp: OTLP/JSON export requests written from events and snapshots, and
 * a collector's partialSuccess read back (see otlp.h).  Field names and
 * enum values follow opentelemetry-proto (logs/v1, metrics/v1,
 * common/v1, resource/v1) in the proto3 JSON mapping: lowerCamelCase
 * keys, enums as numbers, 64-bit integers as strings.
 */
#include "core/otlp_enc.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/metric.h"

#define OTLP_SCOPE "sitrep"
#define OTLP_NO_SERVICE "unknown_service" /* the SDKs' word for none */

/* ---- severity ---- */

/* Level words, lower case, and the severityNumber each stands for. */
static const struct {
	const char *word;
	int number;
} otlp_levels[] = {
	{ "trace", 1 },
	{ "debug", 5 },
	{ "info", 9 },
	{ "information", 9 },
	{ "informational", 9 },
	{ "notice", 10 },
	{ "warn", 13 },
	{ "warning", 13 },
	{ "error", 17 },
	{ "err", 17 },
	{ "critical", 21 },
	{ "crit", 21 },
	{ "alert", 22 },
	{ "emerg", 23 },
	{ "emergency", 23 },
	{ "fatal", 21 },
	{ "panic", 24 },
};

/* The canonical text of a severityNumber's range. */
static const char *
otlp_sev_name(int n)
{
	static const char *const names[] = { "TRACE", "DEBUG", "INFO", "WARN",
		"ERROR", "FATAL" };

	return n < 1 || n > 24 ? "INFO" : names[(n - 1) / 4];
}

/*
 * A numeric level: syslog's 0..7 (PRIORITY), pino and bunyan's 10..60;
 * 0 when it is neither.
 */
static int
otlp_sev_numeric(double d)
{
	static const int syslog[] = { 23, 22, 21, 17, 13, 10, 9, 5 };

	if (d >= 0 && d <= 7 && d == floor(d))
		return syslog[(int)d];
	if (d >= 10 && d <= 60)
		return d >= 60 ? 21
		    : d >= 50  ? 17
		    : d >= 40  ? 13
		    : d >= 30  ? 9
		    : d >= 20  ? 5
			       : 1;
	return 0;
}

struct sr_otlp_enc_severity
sr_otlp_enc_event_severity(const struct sr_event *ev, char *buf, size_t bufsz)
{
	static const char *const keys[] = { "severityNumber", "severity_number",
		"level", "lvl", "severity", "severityText", "severity_text",
		"levelname", "loglevel", "log.level", "PRIORITY", NULL };
	struct sr_otlp_enc_severity s = { 9, "INFO" };
	cJSON *meta = ev->metadata ? cJSON_Parse(ev->metadata) : NULL;

	for (int i = 0; cJSON_IsObject(meta) && keys[i] != NULL; i++) {
		const cJSON *v =
		    cJSON_GetObjectItemCaseSensitive(meta, keys[i]);
		int n = 0;

		if (i < 2 && cJSON_IsNumber(v) && v->valuedouble >= 1 &&
		    v->valuedouble <= 24) {
			n = (int)v->valuedouble;
		} else if (i >= 2 && cJSON_IsNumber(v)) {
			n = otlp_sev_numeric(v->valuedouble);
		} else if (i >= 2 && cJSON_IsString(v)) {
			for (size_t k = 0;
			     k < sizeof(otlp_levels) / sizeof(otlp_levels[0]);
			     k++)
				if (strcasecmp(v->valuestring,
					otlp_levels[k].word) == 0)
					n = otlp_levels[k].number;
			if (n > 0) {
				(void)snprintf(buf, bufsz, "%s",
				    v->valuestring); /* cut: still a level */
				s.number = n;
				s.text = buf;
				break;
			}
		}
		if (n > 0) {
			s.number = n;
			s.text = otlp_sev_name(n);
			break;
		}
	}
	cJSON_Delete(meta);
	if (sr_event_is_error(ev) && s.number < 17) {
		s.number = 17;
		s.text = "ERROR";
	}
	return s;
}

/* ---- JSON pieces ---- */

static void
otlp_key(struct sr_buf *b, int *first, const char *key)
{
	if (!*first)
		sr_buf_addc(b, ',');
	*first = 0;
	sr_buf_adds(b, "{\"key\":");
	sr_buf_add_json_str(b, key);
	sr_buf_adds(b, ",\"value\":");
}

static void
otlp_attr_str(struct sr_buf *b, int *first, const char *key, const char *v)
{
	if (v == NULL)
		return;
	otlp_key(b, first, key);
	sr_buf_adds(b, "{\"stringValue\":");
	sr_buf_add_json_str(b, v);
	sr_buf_adds(b, "}}");
}

static void
otlp_attr_int(struct sr_buf *b, int *first, const char *key, int64_t v)
{
	otlp_key(b, first, key);
	sr_buf_addf(b, "{\"intValue\":\"%" PRId64 "\"}}", v);
}

/* A double as JSON: finite numbers only (NaN and Inf are not JSON). */
static void
otlp_double(struct sr_buf *b, double v)
{
	if (isfinite(v))
		sr_buf_addf(b, "%.17g", v);
	else
		sr_buf_adds(b,
		    isnan(v)	? "\"NaN\""
			: v > 0 ? "\"Infinity\""
				: "\"-Infinity\"");
}

static void
otlp_attr_double(struct sr_buf *b, int *first, const char *key, double v)
{
	otlp_key(b, first, key);
	sr_buf_adds(b, "{\"doubleValue\":");
	otlp_double(b, v);
	sr_buf_adds(b, "}}");
}

/* A cJSON value as an AnyValue (objects become kvlists). */
static void
otlp_any(struct sr_buf *b, const cJSON *v)
{
	const cJSON *c;
	int first = 1;

	if (cJSON_IsString(v)) {
		sr_buf_adds(b, "{\"stringValue\":");
		sr_buf_add_json_str(b, v->valuestring);
		sr_buf_addc(b, '}');
	} else if (cJSON_IsBool(v)) {
		sr_buf_addf(b, "{\"boolValue\":%s}",
		    cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == floor(d) && fabs(d) < 9007199254740992.0)
			sr_buf_addf(b, "{\"intValue\":\"%.0f\"}", d);
		else {
			sr_buf_adds(b, "{\"doubleValue\":");
			otlp_double(b, d);
			sr_buf_addc(b, '}');
		}
	} else if (cJSON_IsArray(v)) {
		sr_buf_adds(b, "{\"arrayValue\":{\"values\":[");
		cJSON_ArrayForEach(c, v)
		{
			if (!first)
				sr_buf_addc(b, ',');
			first = 0;
			otlp_any(b, c);
		}
		sr_buf_adds(b, "]}}");
	} else if (cJSON_IsObject(v)) {
		sr_buf_adds(b, "{\"kvlistValue\":{\"values\":[");
		cJSON_ArrayForEach(c, v)
		{
			otlp_key(b, &first, c->string);
			otlp_any(b, c);
			sr_buf_addc(b, '}');
		}
		sr_buf_adds(b, "]}}");
	} else {
		sr_buf_adds(b, "{}"); /* null: an empty AnyValue */
	}
}

/* The attribute names this module gives the event's own fields. */
static const char *const otlp_own[] = { "http.route",
	"http.response.status_code", "sitrep.latency_ms",
	"gen_ai.request.model", "gen_ai.usage.input_tokens",
	"gen_ai.usage.output_tokens", "sitrep.ttft_ms", "enduser.id",
	"session.id", "sitrep.event_type", "log.record.uid", NULL };

static int
otlp_is_own(const char *key)
{
	for (int i = 0; otlp_own[i] != NULL; i++)
		if (strcmp(otlp_own[i], key) == 0)
			return 1;
	return 0;
}

/* The attributes of one event: its fields, then its metadata. */
static void
otlp_event_attrs(struct sr_buf *b, const struct sr_event *ev)
{
	int first = 1;
	cJSON *meta, *c;

	otlp_attr_str(b, &first, "http.route", ev->endpoint);
	if (ev->has & SR_EV_HAS_STATUS)
		otlp_attr_int(b, &first, "http.response.status_code",
		    ev->status_code);
	if (ev->has & SR_EV_HAS_LATENCY)
		otlp_attr_double(b, &first, "sitrep.latency_ms",
		    ev->response_time_ms);
	otlp_attr_str(b, &first, "gen_ai.request.model", ev->model);
	if (ev->has & SR_EV_HAS_TOKENS_IN)
		otlp_attr_int(b, &first, "gen_ai.usage.input_tokens",
		    ev->tokens_in);
	if (ev->has & SR_EV_HAS_TOKENS_OUT)
		otlp_attr_int(b, &first, "gen_ai.usage.output_tokens",
		    ev->tokens_out);
	if (ev->has & SR_EV_HAS_TTFT)
		otlp_attr_double(b, &first, "sitrep.ttft_ms", ev->ttft_ms);
	otlp_attr_str(b, &first, "enduser.id", ev->user_id);
	otlp_attr_str(b, &first, "session.id", ev->session_id);
	otlp_attr_str(b, &first, "sitrep.event_type",
	    ev->event_type ? ev->event_type : "request");
	otlp_attr_str(b, &first, "log.record.uid", ev->event_id);
	meta = ev->metadata ? cJSON_Parse(ev->metadata) : NULL;
	if (cJSON_IsObject(meta))
		cJSON_ArrayForEach(c, meta)
		{
			if (c->string == NULL || otlp_is_own(c->string))
				continue;
			otlp_key(b, &first, c->string);
			otlp_any(b, c);
			sr_buf_addc(b, '}');
		}
	cJSON_Delete(meta);
}

static void
otlp_resource(struct sr_buf *b, const char *service, const char *host)
{
	int first = 1;

	sr_buf_adds(b, "{\"resource\":{\"attributes\":[");
	otlp_attr_str(b, &first, "service.name", service);
	if (host != NULL && *host != '\0')
		otlp_attr_str(b, &first, "host.name", host);
	sr_buf_adds(b, "]}");
}

static void
otlp_scope(struct sr_buf *b, const char *what)
{
	sr_buf_addf(b,
	    ",\"%s\":[{\"scope\":{\"name\":\"" OTLP_SCOPE
	    "\",\"version\":\"" SR_VERSION "\"},",
	    what);
}

/* ---- logs ---- */

struct otlp_ref {
	const struct sr_event *ev;
	const char *host, *service;
	size_t i; /* position given: keeps the order within a group */
};

static int
otlp_ref_cmp(const void *a, const void *b)
{
	const struct otlp_ref *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c == 0)
		c = strcmp(x->service, y->service);
	if (c == 0)
		c = x->i < y->i ? -1 : x->i > y->i;
	return c;
}

static void
otlp_record(struct sr_buf *b, const struct sr_event *ev)
{
	char lvl[32];
	struct sr_otlp_enc_severity s =
	    sr_otlp_enc_event_severity(ev, lvl, sizeof lvl);
	int64_t ns = ev->ts_ms * 1000000;

	sr_buf_addf(b,
	    "{\"timeUnixNano\":\"%" PRId64 "\",\"observedTimeUnixNano\":"
	    "\"%" PRId64 "\",\"severityNumber\":%d,\"severityText\":",
	    ns, ns, s.number);
	sr_buf_add_json_str(b, s.text);
	if (ev->message != NULL) {
		sr_buf_adds(b, ",\"body\":{\"stringValue\":");
		sr_buf_add_json_str(b, ev->message);
		sr_buf_addc(b, '}');
	}
	sr_buf_adds(b, ",\"attributes\":[");
	otlp_event_attrs(b, ev);
	sr_buf_adds(b, "]}");
}

void
sr_otlp_enc_logs_json(struct sr_buf *b, const struct sr_event *const *evs,
    size_t n, const char *hostname)
{
	struct otlp_ref *r = sr_xcalloc(n ? n : 1, sizeof(*r));
	const char *local = hostname ? hostname : "";

	for (size_t i = 0; i < n; i++)
		r[i] = (struct otlp_ref){ .ev = evs[i],
			.host = evs[i]->host ? evs[i]->host : local,
			.service =
			    evs[i]->service ? evs[i]->service : OTLP_NO_SERVICE,
			.i = i };
	qsort(r, n, sizeof(*r), otlp_ref_cmp);
	sr_buf_adds(b, "{\"resourceLogs\":[");
	for (size_t i = 0; i < n; i++) {
		int group = i == 0 || strcmp(r[i].host, r[i - 1].host) != 0 ||
		    strcmp(r[i].service, r[i - 1].service) != 0;

		if (group) {
			if (i > 0)
				sr_buf_adds(b, "]}]},");
			otlp_resource(b, r[i].service, r[i].host);
			otlp_scope(b, "scopeLogs");
			sr_buf_adds(b, "\"logRecords\":[");
		} else {
			sr_buf_addc(b, ',');
		}
		otlp_record(b, r[i].ev);
	}
	if (n > 0)
		sr_buf_adds(b, "]}]}");
	sr_buf_adds(b, "]}");
	free(r);
}

/* ---- metrics ---- */

void
sr_otlp_enc_metrics_json(struct sr_buf *b, const struct sr_otlp_enc_point *pts,
    size_t n, const char *hostname)
{
	size_t *order = sr_xcalloc(n ? n : 1, sizeof(*order));
	char *done = sr_xcalloc(n ? n : 1, 1);
	size_t k = 0;
	int first_metric = 1;

	/* points of a name together, names in order of first appearance */
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		for (size_t j = i; j < n; j++)
			if (!done[j] && strcmp(pts[j].name, pts[i].name) == 0) {
				done[j] = 1;
				order[k++] = j;
			}
	}
	sr_buf_adds(b, "{\"resourceMetrics\":[");
	otlp_resource(b, "sitrep", hostname);
	otlp_scope(b, "scopeMetrics");
	sr_buf_adds(b, "\"metrics\":[");
	for (size_t i = 0; i < n; i++) {
		const struct sr_otlp_enc_point *p = &pts[order[i]];
		int first = 1;

		if (i == 0 || strcmp(p->name, pts[order[i - 1]].name) != 0) {
			if (!first_metric)
				sr_buf_adds(b, "]}},");
			first_metric = 0;
			sr_buf_adds(b, "{\"name\":");
			sr_buf_add_json_str(b, p->name);
			sr_buf_adds(b, ",\"unit\":");
			sr_buf_add_json_str(b, p->unit ? p->unit : "1");
			sr_buf_adds(b, ",\"gauge\":{\"dataPoints\":[");
		} else {
			sr_buf_addc(b, ',');
		}
		sr_buf_addf(b,
		    "{\"timeUnixNano\":\"%" PRId64 "\",\"asDouble\":",
		    p->ts_ms * 1000000);
		otlp_double(b, p->value);
		sr_buf_adds(b, ",\"attributes\":[");
		if (p->key != NULL)
			otlp_attr_str(b, &first, p->key, p->val);
		sr_buf_adds(b, "]}");
	}
	if (n > 0)
		sr_buf_adds(b, "]}}");
	sr_buf_adds(b, "]}]}]}");
	free(order);
	free(done);
}

const char *
sr_otlp_enc_unit(const char *unit)
{
	static const struct {
		const char *sitrep, *ucum;
	} map[] = {
		{ "bytes", "By" },
		{ "bytes/s", "By/s" },
		{ "C", "Cel" },
		{ "", "1" },
		{ "/s", "1/s" },
	};

	if (unit == NULL)
		return "1";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(unit, map[i].sitrep) == 0)
			return map[i].ucum;
	return unit;
}

size_t
sr_otlp_enc_snapshot_points(const struct sr_snapshot *s,
    sr_otlp_enc_point_fn *fn, void *ctx)
{
	char name[512], fam[128], inst[128], measure[128];
	size_t n = 0;

	for (int i = 0; i < SR_KPI_COUNT; i++) {
		const struct sr_snap_kpi *k = &s->kpi[i];

		if (k->id == NULL || isnan(k->value))
			continue;
		(void)snprintf(name, sizeof(name), "sitrep.kpi.%s", k->id);
		fn(ctx,
		    &(struct sr_otlp_enc_point){ .name = name,
			.unit = sr_otlp_enc_unit(k->unit),
			.ts_ms = s->now_ms,
			.value = k->value });
		n++;
	}
	for (size_t i = 0; i < s->n_metrics; i++) {
		const struct sr_snap_metric *m = &s->metrics[i];
		struct sr_otlp_enc_point p = { .name = name,
			.unit = sr_otlp_enc_unit(m->unit),
			.ts_ms = s->now_ms,
			.value = m->value };

		if (isnan(m->value))
			continue;
		sr_metric_name_split(m->name, fam, inst, measure, sizeof(fam));
		if (measure[0] == '\0') /* "load": no measure */
			(void)snprintf(name, sizeof(name), "sitrep.%s", fam);
		else
			(void)snprintf(name, sizeof(name), "sitrep.%s.%s", fam,
			    measure);
		if (inst[0] != '\0' && strcmp(inst, "total") != 0) {
			p.key = sr_metric_instance_label(fam, strlen(fam));
			p.val = inst;
		}
		fn(ctx, &p);
		n++;
	}
	return n;
}

/* ---- the answer ---- */

int
sr_otlp_enc_partial(const char *body, size_t len, uint64_t *rejected, char *msg,
    size_t msgsz)
{
	static const char *const counts[] = { "rejectedLogRecords",
		"rejectedDataPoints", "rejectedSpans", NULL };
	cJSON *root, *ps, *m;
	int rc = 0;

	*rejected = 0;
	if (msgsz > 0)
		msg[0] = '\0';
	if (body == NULL || len == 0 ||
	    (root = cJSON_ParseWithLength(body, len)) == NULL)
		return 0;
	ps = cJSON_GetObjectItemCaseSensitive(root, "partialSuccess");
	for (int i = 0; cJSON_IsObject(ps) && counts[i] != NULL; i++) {
		const cJSON *c =
		    cJSON_GetObjectItemCaseSensitive(ps, counts[i]);
		double d = -1;

		if (cJSON_IsNumber(c))
			d = c->valuedouble;
		else if (cJSON_IsString(c))
			d = strtod(c->valuestring, NULL);
		if (d >= 1 && d < 1e18) {
			*rejected = (uint64_t)d;
			rc = 1;
		}
	}
	m = cJSON_IsObject(ps)
	    ? cJSON_GetObjectItemCaseSensitive(ps, "errorMessage")
	    : NULL;
	if (cJSON_IsString(m) && m->valuestring[0] != '\0') {
		(void)snprintf(msg, msgsz, "%s", m->valuestring); /* cut */
		rc = 1;
	}
	cJSON_Delete(root);
	return rc;
}
