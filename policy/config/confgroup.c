/*
 * confgroup.c - settings that are lists of groups: people, partners and
 * recipient_policies, e.g.
 *     people = ( { name = "Jane Doe";
 *         addresses = [ "jane@ourorg.example" ]; } );
 * Each kind is a small table of keys (name, type, required, range, field
 * in the element struct of config.h, check) that drives reading,
 * defaults, dump and free, as config.c's table does for the top level.
 *
 * Exports confgroup_people, confgroup_partners, confgroup_rcpt_policies,
 * confgroup_allowlist (the tables) and confgroup_load, confgroup_resolve,
 * confgroup_dump, confgroup_free (configtab.h, internal to the config
 * module).  Owns the element arrays of a struct config (malloc memory,
 * freed with it).
 * Thread rule: single-threaded, like every load.
 * Errors: "FILE:LINE: setting: key: problem"; unknown keys, a missing
 * required key and a second partner for one domain are errors.
 * Caps: none of its own (the file size bounds every list).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/configtab.h"
#include "util/net.h"

enum gkind {
	G_STRING,		/* char * */
	G_STRLIST,		/* char ** + size_t */
	G_BOOL,			/* int, default 0 */
	G_UINT,			/* unsigned, min..max */
	G_RELAYS,		/* struct net_cidr * + size_t (addresses and
				   networks), char ** + size_t (names) */
};

#define GK_REQUIRED	1	/* the key must be there */
#define GK_NONEMPTY	2	/* a list with at least one element */
#define GK_INHERIT	4	/* G_UINT left out: the global setting at
				   `global` in struct config */

/* A G_UINT not given, until confgroup_resolve; never seen outside a load
 * (the ranges end far below). */
#define UNSET		UINT_MAX

struct gkey {
	const char *name;
	enum gkind kind;
	unsigned flags;
	unsigned long min, max;
	size_t off, noff;	/* in the element */
	size_t off2, noff2;	/* G_RELAYS: the names */
	int (*check)(const struct loadctx *, char **, char *, size_t);
	size_t global;		/* GK_INHERIT */
};

struct confgroup {
	size_t size;		/* of one element */
	const struct gkey *keys;
	size_t nkeys;
	const char *example;
	/* Element i against those before it; 0, or -1 via confload_fail. */
	int (*unique)(struct loader *, const config_setting_t *list,
	    const char *setting, const void *elems, size_t i);
};

#define E(t, f)		offsetof(struct t, f)
#define G(f)		offsetof(struct config, f)
#define NKEYS(k)	(sizeof(k) / sizeof((k)[0]))

static const struct gkey person_keys[] = {
	{ .name = "name", .kind = G_STRING, .flags = GK_REQUIRED,
	    .off = E(config_person, name), .check = confname_check_person },
	{ .name = "addresses", .kind = G_STRLIST,
	    .off = E(config_person, addresses),
	    .noff = E(config_person, naddresses),
	    .check = confname_check_person_address },
};

static const struct gkey partner_keys[] = {
	{ .name = "domain", .kind = G_STRING, .flags = GK_REQUIRED,
	    .off = E(config_partner, domain), .check = confname_check_domain },
	{ .name = "relays", .kind = G_RELAYS,
	    .off = E(config_partner, relay_nets),
	    .noff = E(config_partner, nrelay_nets),
	    .off2 = E(config_partner, relay_orgs),
	    .noff2 = E(config_partner, nrelay_orgs),
	    .check = confname_check_domain },
	{ .name = "signers", .kind = G_STRLIST,
	    .off = E(config_partner, signers),
	    .noff = E(config_partner, nsigners),
	    .check = confname_check_domain },
	{ .name = "must_align", .kind = G_BOOL,
	    .off = E(config_partner, must_align) },
};

#define THRESHOLD(n)	{ .name = #n, .kind = G_UINT, .flags = GK_INHERIT, \
	.min = 0, .max = 100000, .off = E(config_rcpt_policy, n), \
	.global = G(n) }

static const struct gkey rcpt_keys[] = {
	{ .name = "recipients", .kind = G_STRLIST,
	    .flags = GK_REQUIRED | GK_NONEMPTY,
	    .off = E(config_rcpt_policy, recipients),
	    .noff = E(config_rcpt_policy, nrecipients),
	    .check = confname_check_recipient },
	THRESHOLD(tag_score),
	THRESHOLD(quarantine_score),
	THRESHOLD(reject_score),
};

/* Issue 13 item 2: allow-list entries (confallow.c checks them). */
static const struct gkey allow_keys[] = {
	{ .name = "senders", .kind = G_RELAYS,
	    .off = E(config_allow, sender_nets),
	    .noff = E(config_allow, nsender_nets),
	    .off2 = E(config_allow, senders),
	    .noff2 = E(config_allow, nsenders),
	    .check = confallow_check_sender },
	{ .name = "recipients", .kind = G_STRLIST,
	    .off = E(config_allow, recipients),
	    .noff = E(config_allow, nrecipients),
	    .check = confname_check_recipient },
	{ .name = "rules", .kind = G_STRLIST,
	    .flags = GK_REQUIRED | GK_NONEMPTY,
	    .off = E(config_allow, rules), .noff = E(config_allow, nrules),
	    .check = confallow_check_rule },
	{ .name = "expires", .kind = G_STRING, .flags = GK_REQUIRED,
	    .off = E(config_allow, expires), .check = confallow_check_date },
	{ .name = "comment", .kind = G_STRING, .flags = GK_REQUIRED,
	    .off = E(config_allow, comment),
	    .check = confallow_check_comment },
};

static int unique_partner(struct loader *, const config_setting_t *,
    const char *, const void *, size_t);

const struct confgroup confgroup_people = {
	sizeof(struct config_person), person_keys, NKEYS(person_keys),
	"( { name = \"Jane Doe\"; addresses = [ \"jane@ourorg.example\" ]; } )",
	NULL
};

const struct confgroup confgroup_partners = {
	sizeof(struct config_partner), partner_keys, NKEYS(partner_keys),
	"( { domain = \"partner.example\"; relays = [ \"192.0.2.0/24\" ]; } )",
	unique_partner
};

const struct confgroup confgroup_rcpt_policies = {
	sizeof(struct config_rcpt_policy), rcpt_keys, NKEYS(rcpt_keys),
	"( { recipients = [ \"ceo@ourorg.example\" ]; quarantine_score = 6; "
	"} )",
	NULL
};

const struct confgroup confgroup_allowlist = {
	sizeof(struct config_allow), allow_keys, NKEYS(allow_keys),
	"( { senders = [ \"partner.example\" ]; rules = [ \"*\" ]; "
	"expires = \"2027-12-31\"; comment = \"why\"; } )",
	confallow_check_entry
};

#define AT(el, off, t)	((t *)(void *)((char *)(el) + (off)))

/* Two partner groups for one domain would leave one of them unused. */
static int
unique_partner(struct loader *l, const config_setting_t *list,
    const char *setting, const void *elems, size_t i)
{
	const struct config_partner *p = elems;
	const config_setting_t *first, *dup;
	size_t j;

	for (j = 0; j < i; j++) {
		if (strcmp(p[j].domain, p[i].domain) != 0)
			continue;
		first = config_setting_get_member(config_setting_get_elem(
		    list, (unsigned)j), "domain");
		dup = config_setting_get_member(config_setting_get_elem(list,
		    (unsigned)i), "domain");
		return confload_fail(l, dup, setting, "domain: \"%s\" has a "
		    "group already (line %u)", p[i].domain,
		    config_setting_source_line(first));
	}
	return 0;
}

/* 1 when a relay entry is meant as an address or network: a ':' or '/',
 * or a last label of digits ("192.0.2.300" is a bad address, not a
 * name). */
static int
address_like(const char *v)
{
	const char *dot = strrchr(v, '.');

	if (strchr(v, ':') != NULL || strchr(v, '/') != NULL)
		return 1;
	dot = dot != NULL ? dot + 1 : v;
	return *dot != '\0' && strspn(dot, "0123456789") == strlen(dot);
}

/* A list of strings k (key gk) into the element: strings through the
 * check, or for G_RELAYS networks and names. */
static int
load_list(struct loader *l, const config_setting_t *k, const char *setting,
    const struct gkey *gk, void *el)
{
	const config_setting_t *e;
	struct net_cidr *nets = NULL;
	char problem[256], **strs;
	size_t *count = AT(el, gk->noff, size_t), *count2 = count;
	int i, n, t = config_setting_type(k);

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return confload_fail(l, k, setting, "%s: must be a list of "
		    "strings, such as [\"a\", \"b\"]", gk->name);
	if ((n = config_setting_length(k)) == 0)
		goto empty;
	if ((strs = calloc((size_t)n, sizeof(*strs))) == NULL)
		return confload_fail(l, k, setting, "out of memory");
	if (gk->kind == G_RELAYS) {
		*AT(el, gk->off2, char **) = strs;
		if ((nets = calloc((size_t)n, sizeof(*nets))) == NULL)
			return confload_fail(l, k, setting, "out of memory");
		*AT(el, gk->off, struct net_cidr *) = nets;
		count2 = AT(el, gk->noff2, size_t);
	} else
		*AT(el, gk->off, char **) = strs;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(k, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return confload_fail(l, e, setting, "%s: element %d is "
			    "not a string", gk->name, i + 1);
		if (gk->kind != G_RELAYS ||
		    !address_like(config_setting_get_string(e))) {
			if (confload_string(l, e, setting, gk->name,
			    gk->check, &strs[gk->kind == G_RELAYS ? *count2 :
			    *count]) == -1)
				return -1;
			(*(gk->kind == G_RELAYS ? count2 : count))++;
			continue;
		}
		if (net_parse_cidr(config_setting_get_string(e),
		    &nets[*count], problem, sizeof(problem)) == -1)
			return confload_fail(l, e, setting, "%s: %s", gk->name,
			    problem);
		(*count)++;
	}
empty:
	if ((gk->flags & GK_NONEMPTY) && n == 0)
		return confload_fail(l, k, setting, "%s: must not be empty",
		    gk->name);
	return 0;
}

/* "name, addresses" for a message. */
static void
key_names(const struct confgroup *g, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < g->nkeys && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
		    g->keys[i].name);
}

/* One group e of the list into el (zeroed). */
static int
load_element(struct loader *l, const config_setting_t *e,
    const char *setting, const struct confgroup *g, void *el)
{
	const struct gkey *gk;
	const config_setting_t *k;
	char names[128];
	size_t i;
	int j, m;

	for (i = 0; i < g->nkeys; i++)
		if (g->keys[i].flags & GK_INHERIT)
			*AT(el, g->keys[i].off, unsigned) = UNSET;
	m = config_setting_length(e);
	for (j = 0; j < m; j++) {
		k = config_setting_get_elem(e, (unsigned)j);
		for (gk = NULL, i = 0; i < g->nkeys && gk == NULL; i++)
			if (strcmp(g->keys[i].name,
			    config_setting_name(k)) == 0)
				gk = &g->keys[i];
		if (gk == NULL) {
			key_names(g, names, sizeof(names));
			return confload_fail(l, k, setting, "%s: unknown key "
			    "(the keys are %s)", config_setting_name(k),
			    names);
		}
		switch (gk->kind) {
		case G_STRING:
			if (confload_string(l, k, setting, gk->name, gk->check,
			    AT(el, gk->off, char *)) == -1)
				return -1;
			break;
		case G_BOOL:
			if (config_setting_type(k) != CONFIG_TYPE_BOOL)
				return confload_fail(l, k, setting, "%s: must "
				    "be true or false", gk->name);
			*AT(el, gk->off, int) = config_setting_get_bool(k) ?
			    1 : 0;
			break;
		case G_UINT:
			if (confload_uint(l, k, setting, gk->name, gk->min,
			    gk->max, AT(el, gk->off, unsigned)) == -1)
				return -1;
			break;
		case G_STRLIST:
		case G_RELAYS:
			if (load_list(l, k, setting, gk, el) == -1)
				return -1;
			break;
		}
	}
	for (i = 0; i < g->nkeys; i++)
		if ((g->keys[i].flags & GK_REQUIRED) &&
		    config_setting_get_member(e, g->keys[i].name) == NULL)
			return confload_fail(l, e, setting, "%s is required in "
			    "each group", g->keys[i].name);
	return 0;
}

int
confgroup_load(struct loader *l, struct config *c,
    const config_setting_t *cs, const struct setting *s)
{
	const struct confgroup *g = s->group;
	const config_setting_t *e;
	char *elems;
	int i, n = config_setting_length(cs), t = config_setting_type(cs);

	/* `people = [];` is an empty list too */
	if (t != CONFIG_TYPE_LIST && !(t == CONFIG_TYPE_ARRAY && n == 0))
		return confload_fail(l, cs, s->name, "must be a list of groups "
		    "in ( ), such as %s", g->example);
	confgroup_free(c, s);
	if (n == 0)
		return 0;
	if ((elems = calloc((size_t)n, g->size)) == NULL)
		return confload_fail(l, cs, s->name, "out of memory");
	*FIELD(c, s, void *) = elems;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(cs, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_GROUP)
			return confload_fail(l, e, s->name, "element %d is not "
			    "a group in { }", i + 1);
		/* counted first: config_free frees a half-read element */
		(*COUNT(c, s))++;
		if (load_element(l, e, s->name, g, elems + (size_t)i *
		    g->size) == -1)
			return -1;
		if (g->unique != NULL &&
		    g->unique(l, cs, s->name, elems, (size_t)i) == -1)
			return -1;
	}
	return 0;
}

void
confgroup_resolve(struct config *c)
{
	const struct setting *s;
	const struct gkey *gk;
	char *el;
	size_t i, j, k;

	for (i = 0; i < config_nsettings; i++) {
		if ((s = &config_settings[i])->type != T_GROUPS)
			continue;
		for (j = 0; j < s->group->nkeys; j++) {
			if (!((gk = &s->group->keys[j])->flags & GK_INHERIT))
				continue;
			for (k = 0; k < *COUNT(c, s); k++) {
				el = *FIELD(c, s, char *) + k * s->group->size;
				if (*AT(el, gk->off, unsigned) == UNSET)
					*AT(el, gk->off, unsigned) =
					    *AT(c, gk->global, unsigned);
			}
		}
	}
}

static void
dump_list(FILE *fp, char *const *strs, size_t n,
    const struct net_cidr *nets, size_t nnets)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i;

	fputc('[', fp);
	for (i = 0; i < nnets; i++) {
		fputs(i ? ", " : " ", fp);
		net_cidr_format(&nets[i], buf, sizeof(buf));
		config_dump_string(fp, buf);
	}
	for (i = 0; i < n; i++) {
		fputs(i + nnets ? ", " : " ", fp);
		config_dump_string(fp, strs[i]);
	}
	fputs(n + nnets ? " ]" : "]", fp);
}

/* ( { key = value; ... }, ... ) with one group per line. */
void
confgroup_dump(const struct config *c, const struct setting *s, FILE *fp)
{
	const struct confgroup *g = s->group;
	const struct gkey *gk;
	const char *el;
	size_t i, j;

	fputc('(', fp);
	for (i = 0; i < *COUNT(c, s); i++) {
		el = *FIELD(c, s, char *const) + i * g->size;
		fputs(i ? ",\n\t{" : "\n\t{", fp);
		for (j = 0; j < g->nkeys; j++) {
			gk = &g->keys[j];
			fprintf(fp, " %s = ", gk->name);
			switch (gk->kind) {
			case G_STRING:
				config_dump_string(fp, *AT(el, gk->off,
				    char *const));
				break;
			case G_BOOL:
				fputs(*AT(el, gk->off, const int) ? "true" :
				    "false", fp);
				break;
			case G_UINT:
				fprintf(fp, "%u", *AT(el, gk->off,
				    const unsigned));
				break;
			case G_STRLIST:
				dump_list(fp, *AT(el, gk->off, char **const),
				    *AT(el, gk->noff, const size_t), NULL, 0);
				break;
			case G_RELAYS:
				dump_list(fp, *AT(el, gk->off2, char **const),
				    *AT(el, gk->noff2, const size_t),
				    *AT(el, gk->off,
				    const struct net_cidr *const),
				    *AT(el, gk->noff, const size_t));
				break;
			}
			fputc(';', fp);
		}
		fputs(" }", fp);
	}
	fputs(*COUNT(c, s) ? "\n)" : ")", fp);
}

static void
free_strs(char **strs, size_t n)
{
	size_t i;

	for (i = 0; i < n && strs != NULL; i++)
		free(strs[i]);
	free(strs);
}

void
confgroup_free(struct config *c, const struct setting *s)
{
	const struct confgroup *g = s->group;
	const struct gkey *gk;
	char *el;
	size_t i, j;

	for (i = 0; i < *COUNT(c, s); i++) {
		el = *FIELD(c, s, char *) + i * g->size;
		for (j = 0; j < g->nkeys; j++) {
			gk = &g->keys[j];
			if (gk->kind == G_STRING)
				free(*AT(el, gk->off, char *));
			else if (gk->kind == G_STRLIST)
				free_strs(*AT(el, gk->off, char **),
				    *AT(el, gk->noff, size_t));
			else if (gk->kind == G_RELAYS) {
				free(*AT(el, gk->off, struct net_cidr *));
				free_strs(*AT(el, gk->off2, char **),
				    *AT(el, gk->noff2, size_t));
			}
		}
	}
	free(*FIELD(c, s, void *));
	*FIELD(c, s, void *) = NULL;
	*COUNT(c, s) = 0;
}
