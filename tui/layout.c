/* SPDX-License-Identifier: MIT */
/*
 * layout: panel rectangles for a screen size and a preset (see
 * layout.h).  Rows are laid top to bottom; the header is always first
 * and the status bar always last.
 */
#include "tui/layout.h"

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

void
sr_layout_compute(const struct sr_layout_panel *const *panels, int npanels,
    enum sr_layout_kind kind, unsigned flags, int cols, int lines, int ntiles,
    const enum sr_panel_id *order, int norder, struct sr_layout *out)
{
	struct lrow rows[LROWS_MAX + 3];
	int n, y, spare, wsum, header_h, tile_rows = 0, per_row;
	int avail;

	memset(out, 0, sizeof(*out));
	if (cols < 1)
		cols = 1;
	if (lines < 1)
		lines = 1;
	if (cols < 40 || lines <= 5) {
		out->tiny = 1;
		out->r[SR_PANEL_STATUS] = (struct sr_rect){ 0, 0, 1, cols };
		return;
	}
	header_h = lines >= 20 ? 2 : 1;
	out->r[SR_PANEL_HEADER] = (struct sr_rect){ 0, 0, header_h, cols };
	out->r[SR_PANEL_STATUS] = (struct sr_rect){ lines - 1, 0, 1, cols };
	avail = lines - header_h - 1;

	/* tiles: as many per row as fit, at most two rows */
	per_row = cols / SR_TILE_MIN_W;
	if (ntiles > 0 && kind != SR_LAYOUT_EVENTS) {
		if (per_row > ntiles)
			per_row = ntiles;
		tile_rows = (ntiles + per_row - 1) / per_row;
		if (tile_rows > 2)
			tile_rows = 2;
	}

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
