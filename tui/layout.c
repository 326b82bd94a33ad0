/* SPDX-License-Identifier: MIT */
/*
 * layout: panel rectangles for a screen size and a preset (see
 * layout.h).  Rows are laid top to bottom; the header is always first
 * and the status bar always last.
 */
#include "tui/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lrow {
	enum sr_panel_id a, b; /* b == a: one panel */
	int min_h;
	int weight;
	int rank;    /* dropped first: highest */
	int fixed_h; /* > 0: exactly this */
};

#define LROWS_MAX SR_PANEL_MAX

static const char *const layout_names[] = {
	[SR_LAYOUT_FULL] = "full",
	[SR_LAYOUT_COMPACT] = "compact",
	[SR_LAYOUT_EVENTS] = "events",
	[SR_LAYOUT_SYSTEM] = "system",
};

int
sr_layout_parse(const char *s, enum sr_layout_kind *k)
{
	for (int i = 0; i < SR_LAYOUT__COUNT; i++)
		if (strcmp(s, layout_names[i]) == 0) {
			*k = (enum sr_layout_kind)i;
			return 0;
		}
	return -1;
}

const char *
sr_layout_name(enum sr_layout_kind k)
{
	return (unsigned)k < SR_LAYOUT__COUNT ? layout_names[k] : "?";
}

int
sr_layout_panel_by_name(const struct sr_layout_panel *const *panels, int n,
    const char *name)
{
	for (int i = 0; i < n; i++) {
		const struct sr_layout_panel *p = panels[i];

		if (p == NULL)
			continue;
		if (p->name != NULL && strcmp(name, p->name) == 0)
			return i;
		for (int k = 0; k < 2; k++)
			if (p->alias[k] != NULL &&
			    strcmp(name, p->alias[k]) == 0)
				return i;
	}
	return -1;
}

static void
add_row(struct lrow *rows, int *n, enum sr_panel_id a, enum sr_panel_id b,
    int min_h, int weight, int rank)
{
	if (*n >= LROWS_MAX)
		return;
	rows[(*n)++] = (struct lrow){ .a = a,
		.b = b,
		.min_h = min_h,
		.weight = weight,
		.rank = rank };
}

/*
 * The middle rows of a preset (between tiles and the status bar), from
 * the panels' slots for kind, by order.
 */
static int
layout_rows(const struct sr_layout_panel *const *panels, int npanels,
    enum sr_layout_kind kind, unsigned flags, int wide, struct lrow *rows)
{
	int ids[SR_PANEL_MAX], m = 0, n = 0;

	if ((unsigned)kind >= SR_LAYOUT__COUNT)
		return 0;
	if (npanels > SR_PANEL_MAX)
		npanels = SR_PANEL_MAX;
	for (int i = 0; i < npanels; i++) {
		const struct sr_layout_slot *sl;

		if (panels[i] == NULL || i == SR_PANEL_HEADER ||
		    i == SR_PANEL_TILES || i == SR_PANEL_STATUS)
			continue;
		sl = &panels[i]->slot[kind];
		if (sl->order <= 0 || sl->min_h <= 0 ||
		    (sl->needs & flags) != sl->needs ||
		    (sl->optional && !(flags & SR_LAYOUT_SHOWN(i))))
			continue;
		/* insertion by order; equal orders keep the registry's */
		int j = m++;

		while (
		    j > 0 && panels[ids[j - 1]]->slot[kind].order > sl->order) {
			ids[j] = ids[j - 1];
			j--;
		}
		ids[j] = i;
	}
	for (int k = 0; k < m; k++) {
		const struct sr_layout_slot *sl = &panels[ids[k]]->slot[kind];

		if (sl->beside && wide && n > 0 &&
		    rows[n - 1].a == rows[n - 1].b) {
			rows[n - 1].b = (enum sr_panel_id)ids[k];
			if (sl->pair_min_h > rows[n - 1].min_h)
				rows[n - 1].min_h = sl->pair_min_h;
			continue;
		}
		if (ids[k] == SR_PANEL_ERRORS && (flags & SR_LAYOUT_NO_ERRORS))
			/* nothing to list: the rows go to the others */
			add_row(rows, &n, SR_PANEL_ERRORS, SR_PANEL_ERRORS, 2,
			    0, sl->rank);
		else
			add_row(rows, &n, (enum sr_panel_id)ids[k],
			    (enum sr_panel_id)ids[k], sl->min_h, sl->weight,
			    sl->rank);
	}
	return n;
}

/* Position of a row's first panel in the configured order. */
static int
order_pos(const struct lrow *r, const enum sr_panel_id *order, int norder)
{
	for (int i = 0; i < norder; i++)
		if (order[i] == r->a || order[i] == r->b)
			return i;
	return norder;
}

/*
 * The fixed parts: the header, the status bar; 0 with *avail the lines
 * between them, or 1 for a tiny screen (only the status bar).
 */
static int
layout_frame(int *cols, int *lines, struct sr_layout *out, int *header_h,
    int *avail)
{
	memset(out, 0, sizeof(*out));
	if (*cols < 1)
		*cols = 1;
	if (*lines < 1)
		*lines = 1;
	if (*cols < 40 || *lines <= 5) {
		out->tiny = 1;
		out->r[SR_PANEL_STATUS] = (struct sr_rect){ 0, 0, 1, *cols };
		return 1;
	}
	*header_h = *lines >= 20 ? 2 : 1;
	out->r[SR_PANEL_HEADER] = (struct sr_rect){ 0, 0, *header_h, *cols };
	out->r[SR_PANEL_STATUS] = (struct sr_rect){ *lines - 1, 0, 1, *cols };
	*avail = *lines - *header_h - 1;
	return 0;
}

/* Tiles per row (*per_row) and rows of them (returned, at most two). */
static int
layout_tiles(int cols, int ntiles, int *per_row)
{
	int tile_rows;

	*per_row = cols / SR_TILE_MIN_W;
	if (ntiles <= 0)
		return 0;
	if (*per_row > ntiles)
		*per_row = ntiles;
	tile_rows = (ntiles + *per_row - 1) / *per_row;
	return tile_rows > 2 ? 2 : tile_rows;
}

static void layout_place(struct lrow *rows, int n, int tile_rows, int per_row,
    int ntiles, int cols, int header_h, int avail, struct sr_layout *out);

void
sr_layout_compute(const struct sr_layout_panel *const *panels, int npanels,
    enum sr_layout_kind kind, unsigned flags, int cols, int lines, int ntiles,
    const enum sr_panel_id *order, int norder, struct sr_layout *out)
{
	struct lrow rows[LROWS_MAX + 3];
	int n, header_h = 0, tile_rows = 0, per_row, avail = 0;

	if (layout_frame(&cols, &lines, out, &header_h, &avail))
		return;
	/* tiles: as many per row as fit, at most two rows */
	tile_rows =
	    layout_tiles(cols, kind != SR_LAYOUT_EVENTS ? ntiles : 0, &per_row);

	n = layout_rows(panels, npanels, kind, flags, cols >= SR_LAYOUT_WIDE,
	    rows);
	/*
	 * The config's panel order: rows it names are put in that order in
	 * the slots they held; rows it does not name keep their place.
	 */
	if (order != NULL && norder > 0) {
		int slot[LROWS_MAX], ns = 0;

		for (int i = 0; i < n; i++)
			if (order_pos(&rows[i], order, norder) < norder)
				slot[ns++] = i;
		for (int i = 1; i < ns; i++)
			for (int j = i; j > 0 &&
			     order_pos(&rows[slot[j]], order, norder) <
				 order_pos(&rows[slot[j - 1]], order, norder);
			     j--) {
				struct lrow t = rows[slot[j]];

				rows[slot[j]] = rows[slot[j - 1]];
				rows[slot[j - 1]] = t;
			}
	}
	layout_place(rows, n, tile_rows, per_row, ntiles, cols, header_h, avail,
	    out);
}

/*
 * Put the tiles (tile_rows of them) before rows[0..n), drop rows until
 * the minimums fit in avail lines, share the spare lines by weight, and
 * write the rectangles from line header_h down.
 */
static void
layout_place(struct lrow *rows, int n, int tile_rows, int per_row, int ntiles,
    int cols, int header_h, int avail, struct sr_layout *out)
{
	int y, spare, wsum;

	if (tile_rows > 0) {
		/* tiles first; rank 2 (kept nearly to the end) */
		memmove(&rows[1], &rows[0], (size_t)n * sizeof(rows[0]));
		rows[0] = (struct lrow){ .a = SR_PANEL_TILES,
			.b = SR_PANEL_TILES,
			.min_h = 3 * tile_rows,
			.weight = 0,
			.rank = 2,
			.fixed_h = 3 * tile_rows };
		n++;
	}

	/* drop the highest-ranked rows until the minimums fit */
	for (;;) {
		int need = 0, worst = -1;

		for (int i = 0; i < n; i++) {
			need += rows[i].min_h;
			if (worst < 0 || rows[i].rank > rows[worst].rank)
				worst = i;
		}
		if (need <= avail || worst < 0)
			break;
		/* a two-row tile strip shrinks to one row before going */
		if (rows[worst].a == SR_PANEL_TILES && tile_rows > 1 &&
		    need - 3 <= avail) {
			tile_rows = 1;
			rows[worst].min_h = rows[worst].fixed_h = 3;
			continue;
		}
		if (rows[worst].a == SR_PANEL_TILES)
			tile_rows = 0;
		memmove(&rows[worst], &rows[worst + 1],
		    (size_t)(n - worst - 1) * sizeof(rows[0]));
		n--;
	}

	spare = avail;
	wsum = 0;
	for (int i = 0; i < n; i++) {
		spare -= rows[i].min_h;
		wsum += rows[i].weight;
	}
	y = header_h;
	for (int i = 0; i < n; i++) {
		int h = rows[i].min_h, extra = 0;

		if (wsum > 0 && rows[i].weight > 0) {
			extra = spare * rows[i].weight / wsum;
			/* the last weighted row takes the rounding */
			int last = 1;

			for (int j = i + 1; j < n; j++)
				if (rows[j].weight > 0)
					last = 0;
			if (last) {
				int used = 0;

				for (int j = 0; j < i; j++)
					if (rows[j].weight > 0)
						used += spare * rows[j].weight /
						    wsum;
				extra = spare - used;
			}
		}
		h += extra;
		if (rows[i].a == rows[i].b) {
			out->r[rows[i].a] = (struct sr_rect){ y, 0, h, cols };
		} else {
			int lw = cols * 3 / 5;

			out->r[rows[i].a] = (struct sr_rect){ y, 0, h, lw };
			out->r[rows[i].b] =
			    (struct sr_rect){ y, lw, h, cols - lw };
		}
		y += h;
	}
	if (tile_rows > 0) {
		out->tile_cols = (ntiles + tile_rows - 1) / tile_rows;
		if (out->tile_cols > per_row)
			out->tile_cols = per_row;
	}
}

/* ---- custom layouts ([layout] panels=) ------------------------------ */

int
sr_layout_spec_parse(const struct sr_layout_panel *const *panels, int npanels,
    const char *s, struct sr_layout_spec *sp, char *err, size_t errlen)
{
	char *copy = strdup(s), *p = copy, *w;
	int sum = 0, rc = -1;

	memset(sp, 0, sizeof(*sp));
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while ((w = strsep(&p, ", \t")) != NULL) {
		char *colon = strchr(w, ':'), *end;
		long share = 0;
		int id;

		if (*w == '\0')
			continue;
		if (colon != NULL) {
			*colon = '\0';
			share = strtol(colon + 1, &end, 10);
			if (*end == '%')
				end++;
			if (end == colon + 1 || *end != '\0' || share < 1 ||
			    share > 100) {
				snprintf(err, errlen,
				    "the share of '%s' is not 1..100 %% "
				    "('%s')",
				    w, colon + 1);
				goto out;
			}
		}
		id = sr_layout_panel_by_name(panels, npanels, w);
		if (id < 0 || id == SR_PANEL_HEADER || id == SR_PANEL_STATUS) {
			struct sr_layout_spec none = { 0 };
			char names[256];

			sr_layout_spec_text(panels, &none, names,
			    sizeof(names));
			snprintf(err, errlen, "unknown panel '%s' (%s)", w,
			    names);
			goto out;
		}
		for (int i = 0; i < sp->n; i++)
			if (sp->id[i] == (enum sr_panel_id)id) {
				snprintf(err, errlen, "'%s' named twice", w);
				goto out;
			}
		if (sp->n == SR_PANEL_MAX) {
			snprintf(err, errlen, "too many panels");
			goto out;
		}
		sp->id[sp->n] = (enum sr_panel_id)id;
		sp->share[sp->n++] = (int)share;
		sum += (int)share;
	}
	if (sp->n == 0)
		snprintf(err, errlen, "no panel named");
	else if (sum > 100)
		snprintf(err, errlen,
		    "the shares add up to %d %%, above 100 %%", sum);
	else
		rc = 0;
out:
	free(copy);
	if (rc < 0)
		memset(sp, 0, sizeof(*sp));
	return rc;
}

/*
 * The shares as placed: an unset one gets an equal part of what the set
 * ones leave (at least 1); the tiles take none (their height is fixed).
 */
static void
spec_shares(const struct sr_layout_spec *sp, int *share)
{
	int left = 100, unset = 0;

	for (int i = 0; i < sp->n; i++) {
		if (sp->id[i] == SR_PANEL_TILES)
			continue;
		left -= sp->share[i];
		unset += sp->share[i] == 0;
	}
	for (int i = 0; i < sp->n; i++)
		share[i] = sp->id[i] == SR_PANEL_TILES ? 0
		    : sp->share[i] > 0		       ? sp->share[i]
		    : left / unset > 0		       ? left / unset
						       : 1;
}

void
sr_layout_spec_text(const struct sr_layout_panel *const *panels,
    const struct sr_layout_spec *sp, char *out, size_t outlen)
{
	int share[SR_PANEL_MAX];
	size_t len = 0;

	out[0] = '\0';
	if (sp->n == 0) {
		/* no layout: the names there are */
		for (int i = 0; i < SR_PANEL__COUNT && len < outlen; i++)
			if (panels[i] != NULL && i != SR_PANEL_HEADER &&
			    i != SR_PANEL_STATUS)
				len += (size_t)snprintf(out + len, outlen - len,
				    "%s%s", len ? ", " : "", panels[i]->name);
		return;
	}
	spec_shares(sp, share);
	for (int i = 0; i < sp->n && len < outlen; i++) {
		const char *name = panels[sp->id[i]]->name;

		if (sp->id[i] == SR_PANEL_TILES)
			len += (size_t)snprintf(out + len, outlen - len, "%s%s",
			    len ? ", " : "", name);
		else
			len += (size_t)snprintf(out + len, outlen - len,
			    "%s%s %d%%", len ? ", " : "", name, share[i]);
	}
}

/* A panel's minimum height in a custom layout: its largest, else 3. */
static int
spec_min_h(const struct sr_layout_panel *p)
{
	int h = 0;

	for (int k = 0; k < SR_LAYOUT__COUNT; k++)
		if (p->slot[k].min_h > h)
			h = p->slot[k].min_h;
	return h > 0 ? h : 3;
}

void
sr_layout_compute_spec(const struct sr_layout_panel *const *panels, int npanels,
    const struct sr_layout_spec *sp, unsigned flags, int cols, int lines,
    int ntiles, struct sr_layout *out)
{
	struct lrow rows[LROWS_MAX + 3];
	int share[SR_PANEL_MAX];
	int n = 0, header_h = 0, tile_rows = 0, per_row = 0, avail = 0;

	if (layout_frame(&cols, &lines, out, &header_h, &avail))
		return;
	spec_shares(sp, share);
	for (int i = 0; i < sp->n; i++) {
		enum sr_panel_id id = sp->id[i];

		if ((int)id >= npanels || panels[id] == NULL)
			continue;
		if (id == SR_PANEL_TILES) {
			tile_rows = layout_tiles(cols, ntiles, &per_row);
			continue;
		}
		if (id == SR_PANEL_ERRORS && (flags & SR_LAYOUT_NO_ERRORS))
			add_row(rows, &n, id, id, 2, 0, 10 + i);
		else
			/* the last listed go first, after the chart */
			add_row(rows, &n, id, id, spec_min_h(panels[id]),
			    share[i], 10 + i);
	}
	layout_place(rows, n, tile_rows, per_row, ntiles, cols, header_h, avail,
	    out);
}
