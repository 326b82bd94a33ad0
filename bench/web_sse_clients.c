/* SPDX-License-Identifier: MIT */
/*
 * web_sse_clients: open N SSE connections to /api/stream on 127.0.0.1,
 * read for D seconds, and print how many "event: overview" blocks each
 * received (min, median, max) against the ticks that passed.  A bench
 * helper, built by bench/web_bench.sh; bounded in count and time.
 * usage: web_sse_clients PORT N SECONDS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int
cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	int port, n, secs, *fd, *count, *tail, ok = 0;
	struct pollfd *p;
	struct sockaddr_in sa;
	char buf[65536];
	const char *needle = "event: overview\n";
	size_t nl = strlen(needle);
	double end;

	if (argc != 4)
		return 2;
	port = atoi(argv[1]);
	n = atoi(argv[2]);
	secs = atoi(argv[3]);
	if (n < 1 || n > 5000 || secs < 1 || secs > 120)
		return 2;
	fd = calloc((size_t)n, sizeof(int));
	count = calloc((size_t)n, sizeof(int));
	tail = calloc((size_t)n, sizeof(int));
	p = calloc((size_t)n, sizeof(*p));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < n; i++) {
		char req[] = "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "Accept: text/event-stream\r\n\r\n";

		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fd[i] < 0 ||
		    connect(fd[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    write(fd[i], req, sizeof(req) - 1) < 0) {
			fprintf(stderr, "client %d: %s\n", i, strerror(errno));
			if (fd[i] >= 0)
				close(fd[i]);
			fd[i] = -1;
		}
		p[i].fd = fd[i];
		p[i].events = POLLIN;
	}
	end = now_s() + secs;
	while (now_s() < end) {
		int r = poll(p, (nfds_t)n, 100);

		if (r <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			ssize_t got;

			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			got = read(p[i].fd, buf, sizeof(buf));
			if (got <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				continue;
			}
			/* count needles, carrying a partial match across reads */
			for (ssize_t k = 0; k < got; k++) {
				if (buf[k] == needle[tail[i]]) {
					if (++tail[i] == (int)nl) {
						count[i]++;
						tail[i] = 0;
					}
				} else {
					tail[i] = buf[k] == needle[0];
				}
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (p[i].fd >= 0) {
			ok++;
			close(p[i].fd);
		}
	}
	qsort(count, (size_t)n, sizeof(int), cmp);
	printf("sse clients %d (still open %d) over %d s: overview events "
	       "min %d median %d max %d\n",
	    n, ok, secs, count[0], count[n / 2], count[n - 1]);
	free(fd);
	free(count);
	free(tail);
	free(p);
	return 0;
}
