/* SPDX-License-Identifier: MIT */
/*
 * limits: the cardinality caps ([limits] in the config).  The live
 * aggregates (core/agg.c), the store's rollups (core/store_write.c) and
 * the summary behind `report` and /api/summary (core/summary.c) keep at
 * most `services` services, `endpoints_per_service` templated endpoints
 * per service and `models` models; what a cap turns away is folded into
 * the one series named SR_OTHER, which no real name is ever aggregated
 * under (core/template.h, sr_template_name()), and counted.
 */
#ifndef SR_CORE_LIMITS_H
#define SR_CORE_LIMITS_H

#include <stdint.h>

#define SR_OTHER "(other)"

#define SR_LIMIT_SERVICES 100
#define SR_LIMIT_ENDPOINTS 500 /* per service */
#define SR_LIMIT_MODELS 200
#define SR_LIMIT_PROM_SERIES 2000 /* per prom: source */

struct sr_limits {
	int64_t services;
	int64_t endpoints_per_service;
	int64_t models;
	int64_t prom_series; /* series kept per prom: source */
};

#define SR_LIMITS_DEFAULT                                               \
	{                                                               \
		SR_LIMIT_SERVICES, SR_LIMIT_ENDPOINTS, SR_LIMIT_MODELS, \
		    SR_LIMIT_PROM_SERIES                                \
	}

/*
 * The names a set of rollups keeps (the store's writer, one summary): the
 * first `services` services, the first `endpoints_per_service` endpoints
 * of each and the first `models` models offered are kept; a later new
 * one is SR_OTHER, and the events it carried are counted in folded.
 * Names are offered as they are to be stored (templated and escaped:
 * core/template.h); SR_OTHER itself is always kept.  Memory: at most
 * services * endpoints_per_service + models names.
 */
struct sr_card;

struct sr_card_folded {
	uint64_t services, endpoints, models; /* events */
};

struct sr_card *sr_card_new(const struct sr_limits *l); /* NULL: defaults */
void sr_card_free(struct sr_card *c);
/* Forget every name (the counters stay). */
void sr_card_clear(struct sr_card *c);
/* The name kept for service, endpoint (of the kept service svc), model:
 * the name itself (a pointer to it) or SR_OTHER.  n: events carried. */
const char *sr_card_service(struct sr_card *c, const char *name, uint64_t n);
const char *sr_card_endpoint(struct sr_card *c, const char *svc,
    const char *name, uint64_t n);
const char *sr_card_model(struct sr_card *c, const char *name, uint64_t n);
void sr_card_folded(const struct sr_card *c, struct sr_card_folded *out);

#endif
