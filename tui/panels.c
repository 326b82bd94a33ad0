/* SPDX-License-Identifier: MIT */
/*
 * panels: the registry of console panels, in focus (Tab) order.  A new
 * panel is one file and one line here.
 */
#include "tui/tui.h"

const struct sr_panel_ops *const sr_panels[] = { &sr_header_panel,
	&sr_tiles_panel, &sr_chart_panel, &sr_services_panel,
	&sr_insights_panel, &sr_procs_panel, &sr_events_panel, &sr_errors_panel,
	&sr_hosts_panel, NULL };
