/* SPDX-License-Identifier: MIT */
/*
 * limits: the bounded name sets of the rollups (see limits.h).  One map
 * per kind; endpoints are keyed "service\0endpoint" and each service
 * counts its own.
 */
#include "core/limits.h"

#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"
#include "core/util.h"

struct sr_card {
	struct sr_limits lim;
	struct sr_hmap *svc;	/* service -> its endpoint count (size_t *) */
	struct sr_hmap *eps;	/* service\0endpoint */
	struct sr_hmap *models; /* model */
	struct sr_buf key;
	struct sr_card_folded folded;
};

struct sr_card *
sr_card_new(const struct sr_limits *l)
{
	struct sr_card *c = sr_xcalloc(1, sizeof(*c));

	c->lim = l ? *l : (struct sr_limits)SR_LIMITS_DEFAULT;
	c->svc = sr_hmap_new(16, SR_HMAP_OWN_KEYS, free);
	c->eps = sr_hmap_new(64, SR_HMAP_OWN_KEYS, free);
	c->models = sr_hmap_new(16, SR_HMAP_OWN_KEYS, free);
	sr_buf_init(&c->key);
	return c;
}

void
sr_card_free(struct sr_card *c)
{
	if (c == NULL)
		return;
	sr_hmap_free(c->svc);
	sr_hmap_free(c->eps);
	sr_hmap_free(c->models);
	sr_buf_release(&c->key);
	free(c);
}

void
sr_card_clear(struct sr_card *c)
{
	sr_hmap_clear(c->svc);
	sr_hmap_clear(c->eps);
	sr_hmap_clear(c->models);
}

/*
 * Whether key is kept in m: 2 when added now (fewer than max names were
 * there: have), 1 when it was there, 0 when refused.
 */
static int
card_keep(struct sr_hmap *m, const void *key, size_t len, size_t have,
    int64_t max)
{
	if (sr_hmap_getn(m, key, len) != NULL)
		return 1;
	if ((int64_t)have >= max)
		return 0;
	(void)sr_hmap_putn(m, key, len, sr_xcalloc(1, sizeof(size_t)));
	return 2;
}

const char *
sr_card_service(struct sr_card *c, const char *name, uint64_t n)
{
	/* the map may hold "(other)" (its endpoint count): no real one */
	size_t have =
	    sr_hmap_count(c->svc) - (sr_hmap_get(c->svc, SR_OTHER) != NULL);

	if (strcmp(name, SR_OTHER) == 0 ||
	    card_keep(c->svc, name, strlen(name), have, c->lim.services))
		return name;
	c->folded.services += n;
	return SR_OTHER;
}

const char *
sr_card_endpoint(struct sr_card *c, const char *svc, const char *name,
    uint64_t n)
{
	size_t *count = sr_hmap_get(c->svc, svc);
	int k;

	if (strcmp(name, SR_OTHER) == 0)
		return name;
	if (count == NULL) { /* "(other)", or a service never offered */
		count = sr_xcalloc(1, sizeof(*count));
		(void)sr_hmap_put(c->svc, svc, count);
	}
	sr_buf_reset(&c->key);
	sr_buf_adds(&c->key, svc);
	sr_buf_addc(&c->key, '\0');
	sr_buf_adds(&c->key, name);
	k = card_keep(c->eps, c->key.data, c->key.len, *count,
	    c->lim.endpoints_per_service);
	if (k == 2)
		(*count)++;
	if (k > 0)
		return name;
	c->folded.endpoints += n;
	return SR_OTHER;
}

const char *
sr_card_model(struct sr_card *c, const char *name, uint64_t n)
{
	if (strcmp(name, SR_OTHER) == 0 ||
	    card_keep(c->models, name, strlen(name), sr_hmap_count(c->models),
		c->lim.models))
		return name;
	c->folded.models += n;
	return SR_OTHER;
}

void
sr_card_folded(const struct sr_card *c, struct sr_card_folded *out)
{
	*out = c->folded;
}
