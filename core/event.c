/* SPDX-License-Identifier: MIT */
/* event: see event.h. */
#include "core/event.h"

#include <string.h>

void
sr_event_clear(struct sr_event *ev)
{
	memset(ev, 0, sizeof *ev);
}

int
sr_event_is_5xx(const struct sr_event *ev)
{
	if (ev->has & SR_EV_HAS_STATUS)
		return ev->status_code >= 500 && ev->status_code <= 599;
	return 0;
}

int
sr_event_is_error(const struct sr_event *ev)
{
	return (ev->has & SR_EV_IS_ERROR) != 0 || sr_event_is_5xx(ev);
}
