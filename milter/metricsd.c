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
 * Loading: libmicrohttpd is dlopen'd here, when metrics_listen is set,
 * not linked: it brings gnutls, whose constructor initialises p11-kit,
 * nettle and libtasn1 in every process that links it, about 2.4 MB of
 * pages (issue 15, memory) a daemon without metrics never uses.  Loaded
 * after the fork server started: workers never map it.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <dlfcn.h>
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

#ifndef RW_MHD_SONAME
#define RW_MHD_SONAME	"libmicrohttpd.so.12"
#endif

struct metricsd {
	struct MHD_Daemon *d;
};

/* libmicrohttpd's functions, from the dlopen'd library. */
static struct {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
} mhd;

#define MHD_SYM(field, name)	\
	(mhd.field = (__typeof__(mhd.field))dlsym(h, name)) != NULL

/* Loads libmicrohttpd (once; kept loaded: its thread may outlive a
 * failed start); -1 with the reason in err. */
static int
mhd_load(char *err, size_t errlen)
{
	void *h;

	if (mhd.start_daemon != NULL)
		return 0;
	if ((h = dlopen(RW_MHD_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errlen, "metrics: cannot load %s: %s",
		    RW_MHD_SONAME, dlerror());
		return -1;
	}
	if (!(MHD_SYM(stop_daemon, "MHD_stop_daemon") &&
	    MHD_SYM(response_from_buffer, "MHD_create_response_from_buffer") &&
	    MHD_SYM(add_response_header, "MHD_add_response_header") &&
	    MHD_SYM(queue_response, "MHD_queue_response") &&
	    MHD_SYM(destroy_response, "MHD_destroy_response") &&
	    MHD_SYM(start_daemon, "MHD_start_daemon"))) {
		snprintf(err, errlen, "metrics: %s: a function is missing",
		    RW_MHD_SONAME);
		mhd.start_daemon = NULL;
		return -1;
	}
	return 0;
}

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = mhd.response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	(void)mhd.add_response_header(r, "Content-Type",
	    "text/plain; charset=utf-8");
	rc = mhd.queue_response(conn, status, r);
	mhd.destroy_response(r);
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
	r = mhd.response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	(void)mhd.add_response_header(r, "Content-Type", CONTENT_TYPE);
	rc = mhd.queue_response(conn, MHD_HTTP_OK, r);
	mhd.destroy_response(r);
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
	if (mhd_load(err, errlen) == -1)
		return NULL;
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
	md->d = mhd.start_daemon(flags, (unsigned short)port, NULL, NULL,
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
	mhd.stop_daemon(md->d);
	free(md);
}
