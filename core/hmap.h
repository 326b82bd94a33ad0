/* SPDX-License-Identifier: MIT */
/*
 * hmap: sitrep's one hash function and one string-keyed hash map.
 *
 * sr_hash() is 64-bit FNV-1a.  Its low bits alone spread short keys
 * poorly, so the map folds the high half in before it picks a slot, and
 * sr_hash_mix() (the splitmix64 finaliser) is there for a user that needs
 * every bit well mixed (HyperLogLog registers).
 *
 * The map uses open addressing with linear probing and backward-shift
 * deletion (no tombstones); it grows by doubling past a load of 1/2 and
 * shrinks by halving below 1/8 (never below its size at creation).  A
 * key is a byte string (it may hold NUL bytes when given with a length).
 * The map says at creation whether it owns its keys (SR_HMAP_OWN_KEYS: it
 * copies each new key and frees the copy) or borrows them (the caller
 * keeps each key alive and unchanged while it is in the map), and whether
 * it owns its values (a free function, or NULL).  Values are opaque
 * pointers; a NULL value is allowed but reads back as "absent" from
 * sr_hmap_get(), so callers that store NULL use sr_hmap_has().
 */
#ifndef SR_CORE_HMAP_H
#define SR_CORE_HMAP_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit FNV-1a of a NUL-terminated string / of n bytes. */
uint64_t sr_hash(const char *s);
uint64_t sr_hash_bytes(const void *p, size_t n);
/* The splitmix64 finaliser: every output bit depends on every input bit. */
uint64_t sr_hash_mix(uint64_t h);

enum sr_hmap_flags {
	SR_HMAP_OWN_KEYS = 1 << 0, /* copy keys in, free them on removal */
	/* grow past a load of 3/4, not 1/2: a third less memory for
	 * longer probes, for a large map that is a cache */
	SR_HMAP_DENSE = 1 << 1,
};

struct sr_hmap;

/*
 * A new empty map sized for about hint entries (0: a small default).
 * free_val, when not NULL, is called on a value when its entry is
 * removed, replaced or the map is cleared or freed.  Free with
 * sr_hmap_free().
 */
struct sr_hmap *
sr_hmap_new(size_t hint, unsigned flags, void (*free_val)(void *));
/* Free the map, its owned keys and (with free_val) values; NULL is a no-op. */
void sr_hmap_free(struct sr_hmap *m);
/* Remove every entry (as sr_hmap_del would); keeps the slot memory. */
void sr_hmap_clear(struct sr_hmap *m);
/*
 * Remove every entry for which keep(ctx, key, val) returns 0 (as
 * sr_hmap_del would) and keep the others; keeps the slot memory.  The
 * kept keys do not move.  keep must not change the map.
 */
void sr_hmap_retain(struct sr_hmap *m,
    int (*keep)(void *ctx, const char *key, void *val), void *ctx);

/* Number of entries. */
size_t sr_hmap_count(const struct sr_hmap *m);

/*
 * The value stored under key, or NULL when absent.  The _n forms take a
 * key of len bytes; the _h forms also take its hash, which must be
 * sr_hash_bytes(key, len), for a caller that needs the hash anyway.
 */
void *sr_hmap_get(const struct sr_hmap *m, const char *key);
void *sr_hmap_getn(const struct sr_hmap *m, const void *key, size_t len);
void *
sr_hmap_geth(const struct sr_hmap *m, const void *key, size_t len, uint64_t h);
/* 1 when key is in the map (whatever its value), else 0. */
int sr_hmap_has(const struct sr_hmap *m, const char *key);

/*
 * Store val under key, replacing (and, with free_val, freeing) the value
 * already there unless it is val itself.  Returns the map's copy of the
 * key with SR_HMAP_OWN_KEYS (NUL-terminated; it never moves and lives
 * until the entry is removed), else the caller's key pointer as stored
 * (the first one put for that key).  Never fails: memory exhaustion
 * aborts.
 */
const char *sr_hmap_put(struct sr_hmap *m, const char *key, void *val);
const char *
sr_hmap_putn(struct sr_hmap *m, const void *key, size_t len, void *val);
const char *sr_hmap_puth(struct sr_hmap *m, const void *key, size_t len,
    uint64_t h, void *val);

/*
 * Remove key's entry: its owned key and (with free_val) value are freed.
 * Returns 1 when there was one, 0 when key was absent.
 */
int sr_hmap_del(struct sr_hmap *m, const char *key);
int sr_hmap_deln(struct sr_hmap *m, const void *key, size_t len);

/*
 * Walk the entries in slot order (not insertion order): start with
 * *pos = 0; each call stores the next entry's key and value (either may
 * be NULL to skip) and returns 1, or returns 0 at the end.  The map must
 * not change during a walk.
 */
int sr_hmap_next(const struct sr_hmap *m, size_t *pos, const char **key,
    void **val);

#endif
