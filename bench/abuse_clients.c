/* SPDX-License-Identifier: MIT */
/*
 * abuse_clients: the hostile clients and the health poller of
 * bench/abuse.sh, for sitrep serve on 127.0.0.1.  A bench helper, built
 * by that script; bounded in count and time.
 *
 *   abuse_clients poll PORT SECONDS
 *       GET /api/health from 127.0.0.1 every 50 ms on a new connection;
 *       prints "T_S LATENCY_MS STATUS" per request (status 0: no answer
 *       within 10 s, counted as 10 s).
 *   abuse_clients idle|slow|sse PORT N SECONDS
 *       N connections from 127.0.0.2 .. 127.0.0.254 that send nothing
 *       (idle), trickle a header a byte every 2 s (slow), or ask for
 *       /api/stream and never read (sse); each one the server closes is
 *       opened again at once.  Prints "opened N reopened M".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A non-blocking socket from 127.0.0.SRC connecting to port; -1. */
static int
dial(int port, int src)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(0x7f000000u | (unsigned)src);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One health request on a new connection: its status, 0 for none. */
static int
health(int port, double limit_s)
{
	static const char req[] = "GET /api/health HTTP/1.1\r\nHost: "
				  "127.0.0.1\r\nConnection: close\r\n\r\n";
	char buf[8192];
	size_t len = 0, sent = 0;
	double end = now_s() + limit_s;
	int fd = dial(port, 1), code = 0;

	if (fd < 0)
		return 0;
	while (now_s() < end) {
		struct pollfd p = { fd,
			sent < sizeof(req) - 1 ? POLLOUT : POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, (int)((end - now_s()) * 1000) + 1) <= 0)
			continue;
		if (sent < sizeof(req) - 1) {
			r = send(fd, req + sent, sizeof(req) - 1 - sent,
			    MSG_NOSIGNAL);
			if (r < 0 && errno != EAGAIN)
				break;
			if (r > 0)
				sent += (size_t)r;
			continue;
		}
		r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL &&
		    (strstr(buf, "\"status\":") != NULL ||
			len == sizeof(buf) - 1))
			break;
	}
	buf[len] = '\0';
	if (len >= 12 && strncmp(buf, "HTTP/1.", 7) == 0)
		code = atoi(buf + 9);
	close(fd);
	return code;
}

static int
run_poll(int port, double secs)
{
	double t0 = now_s();

	while (now_s() - t0 < secs) {
		double a = now_s();
		int code = health(port, 10.0);
		double ms = (now_s() - a) * 1000.0;

		printf("%.3f %.3f %d\n", a - t0, code ? ms : 10000.0, code);
		fflush(stdout);
		usleep(50000);
	}
	return 0;
}

struct conn {
	int fd;
	int src;
	int sent;      /* the request (or its start) was sent */
	double next_s; /* slow: when the next byte goes */
};

static int
run_attack(const char *mode, int port, int n, double secs)
{
	struct conn *c = calloc((size_t)n, sizeof(*c));
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	const char *req;
	long opened = 0, reopened = 0;
	double t0 = now_s();

	if (c == NULL || p == NULL)
		return 1;
	if (strcmp(mode, "slow") == 0)
		req = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
	else if (strcmp(mode, "sse") == 0)
		req = "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	else
		req = NULL;
	for (int i = 0; i < n; i++) {
		c[i].src = 2 + i % 253;
		c[i].fd = dial(port, c[i].src);
		opened += c[i].fd >= 0;
	}
	while (now_s() - t0 < secs) {
		double now = now_s();

		for (int i = 0; i < n; i++) {
			p[i].fd = c[i].fd;
			p[i].events = POLLRDHUP | (!c[i].sent ? POLLOUT : 0);
			p[i].revents = 0;
		}
		(void)poll(p, (nfds_t)n, 200);
		now = now_s();
		for (int i = 0; i < n; i++) {
			int gone = c[i].fd < 0 ||
			    (p[i].revents & (POLLRDHUP | POLLHUP | POLLERR));

			if (!gone && !c[i].sent && (p[i].revents & POLLOUT)) {
				c[i].sent = 1;
				c[i].next_s = now + 2;
				if (req != NULL &&
				    send(c[i].fd, req, strlen(req),
					MSG_NOSIGNAL) < 0)
					gone = 1;
			}
			if (!gone && c[i].sent && req != NULL &&
			    strcmp(mode, "slow") == 0 && now >= c[i].next_s) {
				c[i].next_s = now + 2;
				if (send(c[i].fd, "a", 1, MSG_NOSIGNAL) < 0 &&
				    errno != EAGAIN)
					gone = 1;
			}
			if (!gone)
				continue;
			if (c[i].fd >= 0)
				close(c[i].fd);
			c[i].fd = dial(port, c[i].src);
			c[i].sent = 0;
			reopened++;
		}
	}
	for (int i = 0; i < n; i++)
		if (c[i].fd >= 0)
			close(c[i].fd);
	printf("opened %ld reopened %ld\n", opened, reopened);
	free(c);
	free(p);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "poll") == 0)
		return run_poll(atoi(argv[2]), atof(argv[3]));
	if (argc == 5 &&
	    (strcmp(argv[1], "idle") == 0 || strcmp(argv[1], "slow") == 0 ||
		strcmp(argv[1], "sse") == 0))
		return run_attack(argv[1], atoi(argv[2]), atoi(argv[3]),
		    atof(argv[4]));
	fprintf(stderr,
	    "usage: abuse_clients poll PORT SECONDS\n"
	    "       abuse_clients idle|slow|sse PORT N SECONDS\n");
	return 2;
}
