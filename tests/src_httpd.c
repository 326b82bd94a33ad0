/* SPDX-License-Identifier: MIT */
/*
 * src_httpd: a scripted JSON endpoint for the http/sitrep source tests
 * (127.0.0.1 only).  Events are the lines of EVENTS (JSON objects, read
 * again on every request).  Every request is logged to LOG as
 * "PATH since=S inm=ETAG auth=A -> CODE".
 *
 *   /events?since=N   {"events":[lines N..N+2],"cursor":"N+3"} (pages of 3)
 *   /api/events       the same, 401 unless "Authorization: Bearer s3cret"
 *   /array            all lines as a JSON array, ETag; 304 on a match
 *   /flaky            500 for the first 3 requests, then like /array
 *   /bad              invalid JSON
 *   /hang             answers after 30 s (the client times out first)
 *
 *   src_httpd PORT EVENTS LOG
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

struct srv {
	const char *events, *log;
	int flaky;
};

static int
read_lines(const char *path, char ***out)
{
	FILE *f = fopen(path, "r");
	char line[65536];
	int n = 0;

	*out = NULL;
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		*out = sr_xrealloc(*out, sizeof(char *) * (size_t)(n + 1));
		(*out)[n++] = sr_xstrdup(line);
	}
	fclose(f);
	return n;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned code, struct sr_buf *b,
    const char *etag)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len;
	char *data = sr_buf_detach(b, &len);

	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (etag != NULL)
		MHD_add_response_header(r, "ETag", etag);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **state)
{
	struct srv *s = cls;
	const char *since =
	    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since");
	const char *inm =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	const char *auth =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	char **lines, etag[64];
	int n, code = 200;
	struct sr_buf b;
	FILE *log;

	(void)method;
	(void)version;
	(void)upload;
	(void)upload_len;
	if (*state == NULL) {
		*state = s;
		return MHD_YES;
	}
	n = read_lines(s->events, &lines);
	sr_buf_init(&b);
	snprintf(etag, sizeof(etag), "\"v%d\"", n);
	if (strcmp(url, "/events") == 0 || strcmp(url, "/api/events") == 0) {
		int from = since ? atoi(since) : 0, i;

		if (strcmp(url, "/api/events") == 0 &&
		    (auth == NULL || strcmp(auth, "Bearer s3cret") != 0)) {
			code = 401;
			sr_buf_adds(&b, "{\"error\":\"unauthorized\"}");
		} else {
			sr_buf_adds(&b, "{\"events\":[");
			for (i = from; i < n && i < from + 3; i++)
				sr_buf_addf(&b, "%s%s", i > from ? "," : "",
				    lines[i]);
			sr_buf_addf(&b, "],\"cursor\":\"%d\"}",
			    i > from ? i : from);
		}
	} else if (strcmp(url, "/array") == 0 ||
	    (strcmp(url, "/flaky") == 0 && ++s->flaky > 3)) {
		if (inm != NULL && strcmp(inm, etag) == 0) {
			code = 304;
		} else {
			sr_buf_addc(&b, '[');
			for (int i = 0; i < n; i++)
				sr_buf_addf(&b, "%s%s", i ? "," : "", lines[i]);
			sr_buf_addc(&b, ']');
		}
	} else if (strcmp(url, "/flaky") == 0) {
		code = 500;
		sr_buf_adds(&b, "{\"error\":\"boom\"}");
	} else if (strcmp(url, "/bad") == 0) {
		sr_buf_adds(&b, "[{\"service\": oops");
	} else if (strcmp(url, "/hang") == 0) {
		sleep(30);
		sr_buf_adds(&b, "[]");
	} else {
		code = 404;
		sr_buf_adds(&b, "{}");
	}
	if ((log = fopen(s->log, "a")) != NULL) {
		fprintf(log, "%s since=%s inm=%s auth=%s -> %d\n", url,
		    since ? since : "-", inm ? inm : "-", auth ? auth : "-",
		    code);
		fclose(log);
	}
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return reply(c, (unsigned)code, &b, code == 200 ? etag : NULL);
}

int
main(int argc, char **argv)
{
	struct srv s = { 0 };
	struct MHD_Daemon *d;
	struct sockaddr_in sa = { 0 };

	if (argc != 4)
		return 2;
	s.events = argv[2];
	s.log = argv[3];
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(0x7f000001);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_INTERNAL_POLLING_THREAD,
	    0, NULL, NULL, handle, &s, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "src_httpd: cannot listen\n");
		return 1;
	}
	for (;;)
		pause();
}
