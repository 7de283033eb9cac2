/*
 * outbound.c - outbound_decide: is a message ours going out (issue 13
 * item 1)?
 *
 * Exports outbound_decide and outbound_via_name (outbound.h).  No state;
 * safe from any thread.
 *
 * Two signals, both from the MTA, never from the message:
 *  - {auth_authen}: the login of a client that passed SMTP AUTH (RFC
 *    4954).  The MTA sets it after checking the password; a message
 *    cannot write it.  Postfix sends no macro without a value, and an
 *    empty one is no login (FIELD-NOTES).
 *  - the client address in internal_hosts: the submission network, web
 *    servers, the MTA itself (Postfix hands sendmail(1)/pickup mail to
 *    non_smtpd_milters as client 127.0.0.1).  Configuration: the admin
 *    vouches for every sender there.
 * internal_relays is another question (hops to skip when finding the
 * first external relay of INBOUND mail) and plays no part here.  A client
 * without an address (sendmail -bs) is not internal: the absence of a
 * signal is no signal.
 */
#include <stddef.h>

#include "config/config.h"
#include "mail/message.h"
#include "outbound.h"
#include "util/net.h"

enum outbound_via
outbound_decide(const struct config *cfg, const struct message *m)
{
	struct net_addr a;

	if (m->auth_user != NULL && m->auth_user[0] != '\0')
		return OUTBOUND_AUTH;
	if (cfg->n_internal_hosts > 0 && m->client_ip != NULL &&
	    net_parse_addr(m->client_ip, &a) == 0 &&
	    net_cidr_list_match(cfg->internal_hosts, cfg->n_internal_hosts,
	    &a))
		return OUTBOUND_INTERNAL_HOST;
	return OUTBOUND_NO;
}

const char *
outbound_via_name(enum outbound_via v)
{
	switch (v) {
	case OUTBOUND_AUTH:
		return "auth";
	case OUTBOUND_INTERNAL_HOST:
		return "internal_host";
	case OUTBOUND_NO:
		break;
	}
	return "no";
}
