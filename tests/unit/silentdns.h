/*
 * silentdns.h - a UDP socket on loopback that never answers: a DNS
 * forwarder for the tests whose queries must time out.
 */
#ifndef RW_SILENTDNS_H
#define RW_SILENTDNS_H

#include <stddef.h>

/* Binds a socket to 127.0.0.1 on a free port and writes
 * "127.0.0.1@PORT" (dns_forwarders syntax) to fwd.  Returns the socket
 * (close it when done) or -1. */
int silentdns_open(char *fwd, size_t len);

#endif
