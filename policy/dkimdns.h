/*
 * dkimdns.h - libopendkim's key lookups through our resolver.
 */
#ifndef RW_DKIMDNS_H
#define RW_DKIMDNS_H

#include <opendkim/dkim.h>

struct dns_resolver;

/* Replaces every DNS hook of dl with ours over dns (borrowed: it must
 * outlive dl). */
void dkimdns_install(DKIM_LIB *dl, struct dns_resolver *dns);

#endif
