/* SPDX-License-Identifier: MIT */
/*
 * guard: the Host, Origin and Content-Type checks of the HTTP server (see
 * web/guard.h).  Names are kept lower case without a port or a final dot;
 * addresses in inet_ntop()'s form (an IPv4-mapped IPv6 address as IPv4),
 * so one string comparison decides.
 */
#include "web/guard.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"

/* A host name or address is at most this long (DNS: 253). */
#define GUARD_HOST_MAX 256
/* Interface addresses are re-read at most this often, on a miss. */
#define GUARD_IFACE_MS 10000

struct guard_list {
	char **v;
	size_t n;
};

struct sr_web_guard {
	struct guard_list names; /* allowed, fixed after setup */
	int off_loopback;	 /* hostname and interfaces allowed */
	pthread_mutex_t lock;	 /* ifaces, iface_ms */
	struct guard_list ifaces;
	int64_t iface_ms; /* when ifaces was read (monotonic) */
};

static void
guard_list_add(struct guard_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	l->v = sr_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = sr_xstrdup(s);
}

static int
guard_list_has(const struct guard_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static void
guard_list_release(struct guard_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * The port of authority a ("name:port", "[v6]:port", "[v6]", "name"), or
 * NULL; *hostlen: the length before it (brackets kept).
 */
static const char *
guard_port(const char *a, size_t *hostlen)
{
	const char *c;

	if (a[0] == '[') {
		const char *close = strchr(a, ']');

		if (close != NULL && close[1] == ':') {
			*hostlen = (size_t)(close + 1 - a);
			return close + 2;
		}
		*hostlen = strlen(a);
		return NULL;
	}
	c = strchr(a, ':');
	if (c == NULL || strchr(c + 1, ':') != NULL) { /* none, or bare v6 */
		*hostlen = strlen(a);
		return NULL;
	}
	*hostlen = (size_t)(c - a);
	return c + 1;
}

/*
 * The host of a Host header or listen address (port, brackets, blanks
 * and a final dot removed, lower case; an address in canonical form)
 * into out; 0, or -1 when it is not a host.  *addr: 4 or 6 for an
 * address, else 0.
 */
static int
guard_norm(const char *in, char *out, int *addr)
{
	char h[GUARD_HOST_MAX];
	const char *port;
	size_t n, i;
	unsigned char a6[16];
	struct in_addr a4;

	*addr = 0;
	while (*in == ' ' || *in == '\t')
		in++;
	port = guard_port(in, &n);
	if (port != NULL)
		for (const char *p = port; *p != '\0'; p++)
			if (!isdigit((unsigned char)*p) && *p != ' ' &&
			    *p != '\t')
				return -1;
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (n >= 2 && in[0] == '[' && in[n - 1] == ']') {
		in++;
		n -= 2;
	}
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof(h))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)tolower((unsigned char)in[i]);

		if (!isalnum(ch) && strchr(".-_:%", ch) == NULL)
			return -1;
		h[i] = (char)ch;
	}
	h[n] = '\0';
	if (strchr(h, '%') != NULL) /* an IPv6 zone: compare the address */
		*strchr(h, '%') = '\0';
	if (inet_pton(AF_INET, h, &a4) == 1) {
		*addr = 4;
		(void)inet_ntop(AF_INET, &a4, out, GUARD_HOST_MAX);
	} else if (inet_pton(AF_INET6, h, a6) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0xff, 0xff };

		*addr = 6;
		if (memcmp(a6, mapped, 12) == 0) {
			*addr = 4;
			(void)inet_ntop(AF_INET, a6 + 12, out, GUARD_HOST_MAX);
		} else {
			(void)inet_ntop(AF_INET6, a6, out, GUARD_HOST_MAX);
		}
	} else {
		if (strchr(h, ':') != NULL)
			return -1;
		memcpy(out, h, n + 1);
	}
	return 0;
}

/* 1 for a loopback name or address (normalised). */
static int
guard_loopback(const char *h, int addr)
{
	size_t n = strlen(h);

	if (addr == 4)
		return strncmp(h, "127.", 4) == 0;
	if (addr == 6)
		return strcmp(h, "::1") == 0;
	return strcmp(h, "localhost") == 0 ||
	    (n > 10 && strcmp(h + n - 10, ".localhost") == 0);
}

/* Add a name or address (any form guard_norm() takes) to l. */
static void
guard_add(struct guard_list *l, const char *s)
{
	char h[GUARD_HOST_MAX];
	int addr;

	if (guard_norm(s, h, &addr) == 0)
		guard_list_add(l, h);
}

/* Re-read the interface addresses into g->ifaces; holds g->lock. */
static void
guard_read_ifaces(struct sr_web_guard *g)
{
	struct ifaddrs *ifa = NULL;
	char h[GUARD_HOST_MAX];

	g->iface_ms = sr_mono_ms();
	if (getifaddrs(&ifa) < 0)
		return;
	guard_list_release(&g->ifaces);
	for (struct ifaddrs *p = ifa; p != NULL; p = p->ifa_next) {
		const struct sockaddr *sa = p->ifa_addr;

		if (sa == NULL)
			continue;
		if (sa->sa_family == AF_INET)
			(void)inet_ntop(AF_INET,
			    &((const struct sockaddr_in *)(const void *)sa)
				 ->sin_addr,
			    h, sizeof(h));
		else if (sa->sa_family == AF_INET6)
			(void)inet_ntop(AF_INET6,
			    &((const struct sockaddr_in6 *)(const void *)sa)
				 ->sin6_addr,
			    h, sizeof(h));
		else
			continue;
		guard_add(&g->ifaces, h);
	}
	freeifaddrs(ifa);
}

struct sr_web_guard *
sr_web_guard_new(const char *allow)
{
	struct sr_web_guard *g = sr_xcalloc(1, sizeof(*g));
	char *copy, *t, *save = NULL;

	pthread_mutex_init(&g->lock, NULL);
	if (allow == NULL)
		return g;
	copy = sr_xstrdup(allow);
	for (t = strtok_r(copy, ", \t", &save); t != NULL;
	     t = strtok_r(NULL, ", \t", &save))
		guard_add(&g->names, t);
	free(copy);
	return g;
}

int
sr_web_guard_check(const char *allow, struct sr_err *err)
{
	char *copy, *t, *save = NULL, h[GUARD_HOST_MAX];
	int addr, rc = 0;

	if (allow == NULL)
		return 0;
	copy = sr_xstrdup(allow);
	for (t = strtok_r(copy, ", \t", &save); t != NULL && rc == 0;
	     t = strtok_r(NULL, ", \t", &save))
		if (guard_norm(t, h, &addr) < 0)
			rc = sr_err_set(err, "bad host name '%s'", t);
	free(copy);
	return rc;
}

void
sr_web_guard_listen(struct sr_web_guard *g, const char *host, int off_loopback)
{
	char name[GUARD_HOST_MAX];

	guard_add(&g->names, host);
	if (!off_loopback || g->off_loopback)
		return;
	g->off_loopback = 1;
	if (gethostname(name, sizeof(name)) == 0) {
		name[sizeof(name) - 1] = '\0';
		guard_add(&g->names, name);
		/* the short name too ("box" of "box.example.org") */
		if (strchr(name, '.') != NULL) {
			*strchr(name, '.') = '\0';
			guard_add(&g->names, name);
		}
	}
	pthread_mutex_lock(&g->lock);
	guard_read_ifaces(g);
	pthread_mutex_unlock(&g->lock);
}

void
sr_web_guard_free(struct sr_web_guard *g)
{
	if (g == NULL)
		return;
	guard_list_release(&g->names);
	guard_list_release(&g->ifaces);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

int
sr_web_guard_host_ok(struct sr_web_guard *g, const char *host)
{
	char h[GUARD_HOST_MAX];
	int addr, ok;

	if (host == NULL)
		return 1;
	if (guard_norm(host, h, &addr) < 0)
		return 0;
	if (guard_loopback(h, addr) || guard_list_has(&g->names, h))
		return 1;
	if (!g->off_loopback || addr == 0)
		return 0;
	pthread_mutex_lock(&g->lock);
	ok = guard_list_has(&g->ifaces, h);
	if (!ok && sr_mono_ms() - g->iface_ms >= GUARD_IFACE_MS) {
		guard_read_ifaces(g); /* an address may have come since */
		ok = guard_list_has(&g->ifaces, h);
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

int
sr_web_guard_origin_ok(const char *origin, const char *host, const char *cors)
{
	const char *a, *dport, *op, *hp;
	size_t on, hn;

	if (origin == NULL)
		return 1;
	if (cors != NULL && strcmp(origin, cors) == 0)
		return 1;
	if (host == NULL)
		return 0;
	if (strncasecmp(origin, "http://", 7) == 0) {
		a = origin + 7;
		dport = "80";
	} else if (strncasecmp(origin, "https://", 8) == 0) {
		a = origin + 8;
		dport = "443";
	} else {
		return 0; /* "null", file:, other schemes */
	}
	if (*a == '\0' || strchr(a, '/') != NULL)
		return 0;
	op = guard_port(a, &on);
	hp = guard_port(host, &hn);
	if (on != hn || strncasecmp(a, host, on) != 0)
		return 0;
	/* the same port, a missing one being the scheme's */
	return strcmp(op ? op : dport, hp ? hp : dport) == 0;
}

int
sr_web_guard_type_ok(const char *types, const char *ctype)
{
	size_t n;

	if (types == NULL || ctype == NULL)
		return 0;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	n = strcspn(ctype, "; \t");
	if (n == 0)
		return 0;
	for (const char *t = types; *t != '\0';) {
		size_t tn;

		while (*t == ',' || *t == ' ')
			t++;
		tn = strcspn(t, ", ");
		if (tn == n && strncasecmp(t, ctype, n) == 0)
			return 1;
		t += tn;
	}
	return 0;
}
