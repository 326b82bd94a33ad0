/* SPDX-License-Identifier: MIT */
/*
 * field: the one table of event fields.  Each row names one member of
 * struct sr_event (core/event.h) and says, once, everything other modules
 * call it: the model's name, its type, the SR_EV_HAS_* bit that says a
 * number is known, where it lives in the struct, the names the line
 * parser accepts for it (with how each is read and which wins when a line
 * carries several), its key in the web API's event objects, its column
 * in the events table, its export header and its Prometheus label.
 *
 * Derived from it today: the parser's key table and slot conversions
 * (core/parse.c), the export's event columns and their SELECT list
 * (core/export.c), the web API's event objects (web/render.c),
 * sr_event_copy()/sr_event_release() (core/event.c) and the store's
 * events columns: its INSERT, SELECT list and row decoder (sql, type,
 * off, has; core/store*.c), and the event query language's field names
 * (query, name, sql, query_alt), comparisons (type, has) and columns
 * (core/query.c, core/store_query.c).
 *
 * Row order is the export's column order (and the JSON writer's, which
 * puts the time first); sr_field_id follows it.  The table is const and
 * lives for the program.
 */
#ifndef SR_CORE_FIELD_H
#define SR_CORE_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

enum sr_field_id {
	SR_FIELD_ID,
	SR_FIELD_TYPE,
	SR_FIELD_TS,
	SR_FIELD_SERVICE,
	SR_FIELD_ENDPOINT,
	SR_FIELD_STATUS,
	SR_FIELD_LATENCY,
	SR_FIELD_USER,
	SR_FIELD_SESSION,
	SR_FIELD_MESSAGE,
	SR_FIELD_MODEL,
	SR_FIELD_TOKENS_IN,
	SR_FIELD_TOKENS_OUT,
	SR_FIELD_TTFT,
	SR_FIELD_HOST,
	SR_FIELD_METADATA,
	SR_FIELD_IS_ERROR,
	SR_FIELD__COUNT
};

enum sr_field_type {
	SR_FIELD_TEXT, /* const char *, NULL = absent */
	SR_FIELD_JSON, /* const char * holding a JSON object, NULL = absent */
	SR_FIELD_INT,  /* int or int64_t (size says), known when has is set */
	SR_FIELD_REAL, /* double, known when has is set */
	SR_FIELD_TIME, /* int64_t UTC ms since the epoch, always known */
	SR_FIELD_FLAG, /* the has bit itself */
};

/* How the line parser reads a value found under a name. */
enum sr_field_read {
	SR_READ_STR,	    /* string */
	SR_READ_SOFTSTR,    /* string, anything else goes to metadata */
	SR_READ_ID,	    /* string or number */
	SR_READ_TIME,	    /* ISO-8601, epoch s/ms as number or string */
	SR_READ_TIME_US,    /* epoch microseconds (journald) */
	SR_READ_STATUS,	    /* integer 100-599; anything else goes to
			       metadata, "success"/"failure" set the outcome */
	SR_READ_SOFTSTATUS, /* same, without the outcome words */
	SR_READ_MS,	    /* milliseconds >= 0 (or a value with a unit) */
	SR_READ_SEC,	    /* seconds >= 0, stored as ms (or with a unit) */
	SR_READ_INT,	    /* integer >= 0 */
	SR_READ_FLOAT,	    /* number >= 0 */
	SR_READ_PATH,	    /* string, query string dropped */
	SR_READ_URL,	    /* string, path part of a URL */
	SR_READ_UNIT,	    /* string, trailing ".service" dropped */
	SR_READ_MSG,	    /* string; anything else goes to metadata */
	SR_READ_ERROR,	    /* like MSG, and a true value marks an error */
	SR_READ_LEVEL,	    /* error levels mark an error; kept in metadata */
	SR_READ_PRIO,	    /* syslog priority <= 3 marks an error; kept too */
	SR_READ_META,	    /* object whose members become metadata */
	SR_READ_DUR,	    /* a duration with its unit ("12.5ms"); a bare
			       number only when the format declares the
			       unit, else it goes to metadata */
	SR_READ_NS,	    /* nanoseconds >= 0, stored as ms */
	SR_READ_US,	    /* microseconds >= 0, stored as ms */
	SR_READ_TIME_NS,    /* epoch nanoseconds (OTel), number or text */
	SR_READ_INSTANT,    /* log4j2 {"epochSecond":s,"nanoOfSecond":n} */
	SR_READ_SEVNUM,	    /* OTel severityNumber: >= 17 marks an error */
};

/* A name the parser accepts for a field. */
struct sr_field_alias {
	const char *name;   /* NULL ends a list */
	unsigned char read; /* enum sr_field_read */
	unsigned char rank; /* when a line has several, the lowest wins */
};

struct sr_field {
	enum sr_field_id id;
	const char *name;      /* the model's name (JSON lines in and out) */
	const char *query;     /* short name for filters and queries */
	const char *query_alt; /* more names queries take, space-separated */
	enum sr_field_type type;
	const char *dflt;   /* what an absent TEXT value stands for, or NULL */
	unsigned has;	    /* SR_EV_HAS_* bit, 0 when none */
	size_t off;	    /* offsetof(struct sr_event, member) */
	unsigned char size; /* sizeof the member */
	const char *json;   /* key in the web API's event objects, or NULL */
	const char *sql;    /* events table column, or NULL */
	const char *export; /* export header (CSV, JSON), or NULL */
	const char *prom;   /* Prometheus label name, or NULL */
	const struct sr_field_alias *aliases; /* parser names, best first */
};

/* Every field, indexed by enum sr_field_id. */
extern const struct sr_field sr_fields[SR_FIELD__COUNT];

/*
 * The field whose model name, query name or a parser alias is name, or
 * NULL.  Names are compared exactly.
 */
const struct sr_field *sr_field_find(const char *name);

/*
 * The field a query term names (any case): its query name, model name,
 * SQL column or one of its query_alt names, for the fields a query can
 * compare (TEXT, INT, REAL); NULL for any other name.
 */
const struct sr_field *sr_field_query_find(const char *name, size_t len);

/* 1 for an INT or REAL field (compared as a number). */
static inline int
sr_field_numeric(const struct sr_field *f)
{
	return f->type == SR_FIELD_INT || f->type == SR_FIELD_REAL;
}

/* A TEXT or JSON field's string in ev (NULL when absent); borrowed. */
static inline const char *
sr_field_text(const struct sr_field *f, const struct sr_event *ev)
{
	return *(const char *const *)(const void *)((const char *)ev + f->off);
}

/* The same, as a pointer to the member, for filling an event. */
static inline const char **
sr_field_text_at(const struct sr_field *f, struct sr_event *ev)
{
	return (const char **)(void *)((char *)ev + f->off);
}

/*
 * 1 and the value of an INT, REAL or TIME field in *out when ev carries
 * it, else 0 (a FLAG reads 1 or 0 and is always known).  TEXT and JSON
 * fields read 0.
 */
int
sr_field_num(const struct sr_field *f, const struct sr_event *ev, double *out);
/* The same for whole numbers: INT, TIME and FLAG fields. */
int
sr_field_int(const struct sr_field *f, const struct sr_event *ev, int64_t *out);
/*
 * Store v in an INT (truncated), REAL or TIME field of ev and set its has
 * bit; a FLAG field is set when v is not 0 and cleared otherwise.
 */
void sr_field_set_num(const struct sr_field *f, struct sr_event *ev, double v);

#endif
