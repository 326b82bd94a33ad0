/* SPDX-License-Identifier: MIT */
/*
 * panels: the registry of console panels, in focus (Tab) order.  A new
 * panel is one file (tui/panel_NAME.c defining sr_NAME_panel, a const
 * struct sr_panel_ops) and one X(NAME) line here, after the built-in
 * ones, which sit at their enum sr_panel_id.
 */
#include "tui/tui.h"

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
