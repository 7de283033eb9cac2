/*
 * metricsd.c - the Prometheus endpoint over libmicrohttpd (see
 * metricsd.h).  Exports metricsd_start/metricsd_stop.
 *
 * libmicrohttpd runs its own polling thread (MHD_USE_AUTO picks epoll on
 * Linux); each request is answered in that thread from the atomics of
 * util/metrics.c, so a scrape takes no lock a message holds.  Caps:
 * METRICSD_CONNECTIONS connections at once (more are refused by
 * libmicrohttpd), METRICSD_PER_IP from one address, METRICSD_TIMEOUT_S
 * of idleness, METRICSD_MEMORY bytes of buffers per connection (a
 * request line or header past it is refused), no request body.
 *
 * Sandbox: started after confine_daemon (main.c), so the thread carries
 * the daemon's seccomp filter and Landlock domain.  What it calls -
 * socket, setsockopt, bind, listen, accept4, epoll_*, eventfd, read,
 * send, close, clone for the thread - is outside the filter's deny list
 * (util/sandbox.c), and Landlock does not handle TCP; nothing to add.
 * tests/e2e/test_metrics.sh scrapes a confined daemon.
 * Port: bound after root was dropped: a port below 1024 is refused by
 * the kernel unless the daemon keeps root (README, "Metrics").
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "config/config.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/net.h"
#include "metricsout.h"
#include "metricsd.h"

#define METRICSD_CONNECTIONS	8
#define METRICSD_PER_IP		4
#define METRICSD_TIMEOUT_S	10
#define METRICSD_MEMORY		(16 * 1024)

#define CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct metricsd {
	struct MHD_Daemon *d;
};

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, "Content-Type",
	    "text/plain; charset=utf-8");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	size_t len;
	char *text;

	/* A body (a POST) is never read: the first call answers. */
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only GET\n");
	if ((text = metricsout_render(metrics_get(), &len)) == NULL)
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory\n");
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, "Content-Type", CONTENT_TYPE);
	rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* libmicrohttpd's own complaints (bind failures and the like). */
static void __attribute__((format(printf, 2, 0)))
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[300];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warning(NULL, "metrics: %s", line);
}

struct metricsd *
metricsd_start(const struct config *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct net_addr a;
	struct metricsd *md;
	unsigned port, flags;

	if (errlen > 0)
		err[0] = '\0';
	if (cfg->metrics_listen[0] == '\0')
		return NULL;
	if (config_metrics_parse(cfg->metrics_listen, &a, &port) == -1) {
		snprintf(err, errlen, "metrics_listen \"%s\": bad address",
		    cfg->metrics_listen);
		return NULL;
	}
	memset(&ss, 0, sizeof(ss));
	flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG;
	if (a.family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a.u.v6;
		s6->sin6_port = htons((unsigned short)port);
		flags |= MHD_USE_IPv6;
	} else {
		s4->sin_family = AF_INET;
		s4->sin_addr = a.u.v4;
		s4->sin_port = htons((unsigned short)port);
	}
	if ((md = calloc(1, sizeof(*md))) == NULL) {
		snprintf(err, errlen, "metrics: out of memory");
		return NULL;
	}
	md->d = MHD_start_daemon(flags, (unsigned short)port, NULL, NULL,
	    answer, NULL,
	    /* first, or libmicrohttpd logs the options before it */
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICSD_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)METRICSD_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICSD_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICSD_MEMORY,
	    MHD_OPTION_END);
	if (md->d == NULL) {
		snprintf(err, errlen, "metrics_listen %s: cannot listen "
		    "(address in use, or a port below 1024 without root?)",
		    cfg->metrics_listen);
		free(md);
		return NULL;
	}
	log_info(NULL, "metrics on http://%s/metrics", cfg->metrics_listen);
	return md;
}

void
metricsd_stop(struct metricsd *md)
{
	if (md == NULL)
		return;
	MHD_stop_daemon(md->d);
	free(md);
}
