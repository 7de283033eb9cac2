/*
 * metricsd.h - the daemon's Prometheus endpoint (issue 14 item 2),
 * served by libmicrohttpd: GET /metrics answers policy/metricsout.h's
 * exposition; every other path 404, every other method 405.
 */
#ifndef RW_METRICSD_H
#define RW_METRICSD_H

#include <stddef.h>

struct config;
struct metricsd;

/* Listens on cfg->metrics_listen (nothing to do when it is "": returns
 * NULL with err empty) with libmicrohttpd's own polling thread.  Call
 * after the daemon confined itself and blocked its signals (main.c): the
 * thread inherits both.  NULL with err set when it cannot listen. */
struct metricsd *metricsd_start(const struct config *cfg, char *err,
    size_t errlen);
/* Stops the thread and closes the socket; NULL does nothing. */
void metricsd_stop(struct metricsd *);

#endif
