/* SPDX-License-Identifier: MIT */
/*
 * sys_net: network interfaces from PROC/net/dev.
 *
 * Every interface is reported, loopback included; net.IFACE.loopback is 1
 * for a loopback device (SYS/class/net/IFACE/type is 772, or the name is
 * "lo" when sysfs cannot tell) and 0 otherwise, and the net.total.* sums
 * leave loopback out.  When any counter of an interface goes down (the
 * device was re-created, or a 32-bit counter wrapped) that interface
 * reports no rates for the interval.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sys_int.h"
#include "collectors/sysfs.h"

enum {
	N_RXB,
	N_RXP,
	N_RXE,
	N_RXD,
	N_TXB,
	N_TXP,
	N_TXE,
	N_TXD,
	N_N,
	N_LOOP = N_N
};

static const char *const net_names[N_N] = {
	"rx_bytes_per_s",
	"rx_packets_per_s",
	"rx_errors_per_s",
	"rx_drops_per_s",
	"tx_bytes_per_s",
	"tx_packets_per_s",
	"tx_errors_per_s",
	"tx_drops_per_s",
};

static int
net_is_loopback(struct sr_sys *s, const char *name)
{
	int64_t type;

	if (sr_sysfs_read_i64(s->sys, &type, "class/net/%s/type", name) == 0)
		return type == 772; /* ARPHRD_LOOPBACK */
	return strcmp(name, "lo") == 0;
}

void
sys_net_sample(struct sr_sys *s, struct sr_metric_set *out)
{
	const char *text = sr_sysfs_read(&s->rd, s->proc, "net/dev");
	double sum_rx = 0, sum_tx = 0;
	int nrates = 0;

	if (text == NULL)
		return;
	sr_sysfs_devtab_begin(&s->nets);
	for (const char *p = text; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		const char *colon = strchr(p, ':');
		unsigned long long v[16];
		char name[64];
		uint64_t c[N_N], d[N_N];
		struct sr_sysfs_dev *dev;
		int fresh, ok = 1;
		size_t len;

		if (colon == NULL || (eol != NULL && colon > eol))
			goto next;
		while (*p == ' ')
			p++;
		len = (size_t)(colon - p);
		if (len == 0 || len >= sizeof(name) ||
		    memchr(p, '|', len) != NULL)
			goto next;
		memcpy(name, p, len);
		name[len] = '\0';
		if (sscanf(colon + 1,
			"%llu %llu %llu %llu %llu %llu %llu %llu "
			"%llu %llu %llu %llu",
			&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
			&v[8], &v[9], &v[10], &v[11]) != 12)
			goto next;
		c[N_RXB] = v[0];
		c[N_RXP] = v[1];
		c[N_RXE] = v[2];
		c[N_RXD] = v[3];
		c[N_TXB] = v[8];
		c[N_TXP] = v[9];
		c[N_TXE] = v[10];
		c[N_TXD] = v[11];
		dev = sr_sysfs_devtab_get(&s->nets, name, &fresh);
		if (fresh)
			dev->c[N_LOOP] = (uint64_t)net_is_loopback(s, name);
		for (int i = 0; i < N_N; i++) {
			if (!fresh && !sr_sysfs_delta(dev->c[i], c[i], &d[i]))
				ok = 0;
			dev->c[i] = c[i];
		}
		sr_metric_set_addf(out, "", (double)dev->c[N_LOOP],
		    "net.%s.loopback", name);
		if (fresh || !ok || s->dt_s <= 0)
			goto next;
		for (int i = 0; i < N_N; i++)
			sr_metric_set_addf(out,
			    i == N_RXB || i == N_TXB ? "bytes/s" : "1/s",
			    (double)d[i] / s->dt_s, "net.%s.%s", name,
			    net_names[i]);
		if (!dev->c[N_LOOP]) {
			sum_rx += (double)d[N_RXB] / s->dt_s;
			sum_tx += (double)d[N_TXB] / s->dt_s;
			nrates++;
		}
	next:
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	sr_sysfs_devtab_end(&s->nets);
	if (nrates > 0) {
		sr_metric_set_add(out, "net.total.rx_bytes_per_s", "bytes/s",
		    sum_rx);
		sr_metric_set_add(out, "net.total.tx_bytes_per_s", "bytes/s",
		    sum_tx);
	}
}
