/*
 * statecfg.c - the sender-state pool's copy of the redis_ and state_
 * settings: taken from a config generation, compared with a new one on
 * reload (state_pool_reconfigure), freed with the pool.
 *
 * Exports statecfg_copy, statecfg_free, statecfg_match (statepool.h).
 * Owns the strings of a struct statepool_settings.  Any thread on
 * distinct settings; a pool's copy is read-only once made.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "state/statepool.h"

void
statecfg_free(struct statepool_settings *s)
{
	size_t i;

	free(s->host);
	free(s->socket);
	free(s->user);
	free(s->password);
	for (i = 0; i < s->nsentinels; i++)
		free(s->sentinels[i]);
	free(s->sentinels);
	free(s->sentinel_master);
	free(s->sentinel_password);
	free(s->prefix);
	memset(s, 0, sizeof(*s));
}

int
statecfg_copy(struct statepool_settings *s, const struct config *c)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->enable = c->state_enable;
	s->port = c->redis_port;
	s->db = c->redis_db;
	s->connect_timeout_ms = c->redis_connect_timeout_ms;
	s->timeout_ms = c->redis_timeout_ms;
	s->max_reply_bytes = c->redis_max_reply_bytes;
	s->slow_ms = c->redis_slow_ms;
	s->pool_size = c->redis_pool_size;
	s->pool_wait_ms = c->redis_pool_wait_ms;
	s->breaker_failures = c->redis_breaker_failures;
	s->breaker_cooldown_ms = c->redis_breaker_cooldown_ms;
	s->sentinel_check_ms = c->redis_sentinel_check_ms;
	s->ttl_days = c->state_ttl_days;
	s->unauth_ttl_days = c->state_unauth_ttl_days;
	s->max_relays = c->state_max_relays;
	s->max_signers = c->state_max_signers;
	s->max_trusted = c->state_max_trusted;
	s->max_known = c->state_max_known;
	if ((s->host = strdup(c->redis_host)) == NULL ||
	    (s->socket = strdup(c->redis_socket)) == NULL ||
	    (s->user = strdup(c->redis_user)) == NULL ||
	    (s->password = strdup(c->redis_password)) == NULL ||
	    (s->sentinel_master = strdup(c->redis_sentinel_master)) == NULL ||
	    (s->sentinel_password = strdup(c->redis_sentinel_password)) ==
	    NULL || (s->prefix = strdup(c->redis_prefix)) == NULL)
		goto fail;
	if (c->redis_nsentinels > 0 && (s->sentinels =
	    calloc(c->redis_nsentinels, sizeof(char *))) == NULL)
		goto fail;
	for (i = 0; i < c->redis_nsentinels; i++, s->nsentinels++)
		if ((s->sentinels[i] = strdup(c->redis_sentinels[i])) == NULL)
			goto fail;
	return 0;
fail:
	statecfg_free(s);
	return -1;
}

static int
str_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

int
statecfg_match(const struct statepool_settings *s, const struct config *c)
{
	size_t i;

	if (s->enable != c->state_enable || s->port != c->redis_port ||
	    s->db != c->redis_db ||
	    s->connect_timeout_ms != c->redis_connect_timeout_ms ||
	    s->timeout_ms != c->redis_timeout_ms ||
	    s->max_reply_bytes != c->redis_max_reply_bytes ||
	    s->slow_ms != c->redis_slow_ms ||
	    s->pool_size != c->redis_pool_size ||
	    s->pool_wait_ms != c->redis_pool_wait_ms ||
	    s->breaker_failures != c->redis_breaker_failures ||
	    s->breaker_cooldown_ms != c->redis_breaker_cooldown_ms ||
	    s->sentinel_check_ms != c->redis_sentinel_check_ms ||
	    s->ttl_days != c->state_ttl_days ||
	    s->unauth_ttl_days != c->state_unauth_ttl_days ||
	    s->max_relays != c->state_max_relays ||
	    s->max_signers != c->state_max_signers ||
	    s->max_trusted != c->state_max_trusted ||
	    s->max_known != c->state_max_known ||
	    s->nsentinels != c->redis_nsentinels ||
	    !str_eq(s->host, c->redis_host) ||
	    !str_eq(s->socket, c->redis_socket) ||
	    !str_eq(s->user, c->redis_user) ||
	    !str_eq(s->password, c->redis_password) ||
	    !str_eq(s->sentinel_master, c->redis_sentinel_master) ||
	    !str_eq(s->sentinel_password, c->redis_sentinel_password) ||
	    !str_eq(s->prefix, c->redis_prefix))
		return 0;
	for (i = 0; i < s->nsentinels; i++)
		if (!str_eq(s->sentinels[i], c->redis_sentinels[i]))
			return 0;
	return 1;
}

