/*
 * dnslocal.h - the local-data file parser (dnslocal.c), internal to the
 * resolver: dns.c loads dns_options.local_data with it while it sets up a
 * libunbound context.  The file format is described in dns.h.  Not part
 * of the policy API.
 */
#ifndef RW_DNSLOCAL_H
#define RW_DNSLOCAL_H

#include <stddef.h>

struct ub_ctx;

/* Reads the local-data file into ctx, which must not be finalized yet
 * (no zone or data added): directives become local zones, then every
 * record is added.  Returns 0, or -1 with "FILE:LINE: problem" (or
 * "FILE: problem") in err. */
int dnslocal_load(struct ub_ctx *ctx, const char *file, char *err,
    size_t errlen);

#endif
