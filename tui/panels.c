/* SPDX-License-Identifier: MIT */
/*
 * panels: the registry of console panels, in focus (Tab) order.  A new
 * panel is one file (tui/panel_NAME.c defining sr_NAME_panel, a const
 * struct sr_panel_ops) and one X(NAME) line here, after the built-in
 * ones, which sit at their enum sr_panel_id.
 */
#include "tui/tui.h"

#include <string.h>

/* clang-format off */
#define SR_PANEL_LIST(X) \
	X(header) \
	X(tiles) \
	X(chart) \
	X(services) \
	X(insights) \
	X(procs) \
	X(events) \
	X(errors) \
	X(hosts) \
	X(llm) \
	/* new panels: one X(name) line each, above this one */
/* clang-format on */

#define PANEL_DECLARE(n) extern const struct sr_panel_ops sr_##n##_panel;
#define PANEL_REF(n) &sr_##n##_panel,

SR_PANEL_LIST(PANEL_DECLARE)

const struct sr_panel_ops *const sr_panels[] = { SR_PANEL_LIST(PANEL_REF)
	    NULL };

_Static_assert(sizeof(sr_panels) / sizeof(sr_panels[0]) - 1 <= SR_PANEL_STATUS,
    "too many panels for SR_PANEL_MAX");

void
sr_tui_layout_panels(struct sr_layout_panel *lp,
    const struct sr_layout_panel **lps)
{
	for (int i = 0; i < SR_PANEL__COUNT; i++)
		lps[i] = NULL;
	for (int i = 0; sr_panels[i] != NULL; i++) {
		const struct sr_panel_ops *ops = sr_panels[i];

		if (ops->id != 0 && (int)ops->id != i)
			SR_BUG("a built-in panel is not at its id");
		lp[i].name = ops->name;
		lp[i].alias[0] = ops->alias[0];
		lp[i].alias[1] = ops->alias[1];
		memcpy(lp[i].slot, ops->slot, sizeof(lp[i].slot));
		lps[i] = &lp[i];
	}
}
