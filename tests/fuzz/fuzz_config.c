/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config: libFuzzer harness for the config file reader (INI through
 * inih, then every key's value parser).  The input is a sitrep.conf;
 * sr_config_load_mem() reads it over the defaults.  When it loads, its
 * dump (what `sitrep config` prints) must load too and dump the same
 * text, and sr_config_each() must visit every setting; when it does not,
 * the error must be a NUL-terminated message.  Not part of `make test`;
 * run with `make fuzz FUZZ_ONLY=config`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_each(void *ctx, const char *section, const char *key, const char *value,
    const char *origin)
{
	size_t *n = ctx;

	if (section == NULL || key == NULL || value == NULL || origin == NULL)
		abort();
	(*n)++;
}

/* A config that loaded: its dump loads again to the same dump. */
static void
fuzz_roundtrip(const struct sr_config *c)
{
	struct sr_config d;
	struct sr_buf a, b;
	struct sr_err err;
	size_t n = 0;

	sr_buf_init(&a);
	sr_buf_init(&b);
	sr_config_dump(c, &a);
	sr_config_init(&d);
	if (sr_config_load_mem(&d, "dump", a.data, a.len, &err) < 0)
		abort(); /* `sitrep config` wrote what it cannot read */
	sr_config_dump(&d, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort(); /* the settings changed on the way */
	sr_config_each(c, fuzz_each, &n);
	if (n == 0)
		abort();
	sr_config_release(&d);
	sr_buf_release(&a);
	sr_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sr_config c;
	struct sr_err err;

	sr_config_init(&c);
	memset(&err, 0, sizeof(err));
	if (sr_config_load_mem(&c, "fuzz.conf", (const char *)data, size,
		&err) == 0)
		fuzz_roundtrip(&c);
	else if (err.msg[0] == '\0' ||
	    memchr(err.msg, '\0', sizeof err.msg) == NULL)
		abort();
	sr_config_release(&c);
	return 0;
}
