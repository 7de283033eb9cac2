/*
 * linkcheck.h - what the message's links say, given who sent it (issue
 * 12).  The attachment walk gathered the links (attach/links.h); the
 * sender stage judges them here, because what a link means depends on
 * the sender's organisation, its history in Redis and the lookalike
 * index, none of which a sandboxed worker holds.
 *
 * Reasons (rules.c; details are bounded and printable):
 *   link_ip                 a link to an IP literal (any notation)
 *   link_userinfo           "https://bank.example@evil.example/"
 *   link_form_password      a form with a password field posting to
 *                           another organisation than the authenticated
 *                           sender's, to script or nowhere, or in an
 *                           attached file (a page from a file has no
 *                           business asking for a password)
 *   link_lookalike_protected / link_lookalike_known
 *                           a link host resembling a protected domain or
 *                           a known correspondent, judged as a From
 *                           lookalike is (a host of ours, of a known
 *                           correspondent or partner, or of an
 *                           organisation that signed the message, is
 *                           none); these stop the message from teaching
 *   link_text_mismatch      an anchor whose text names a domain ("www."
 *                           or a URL, or a bare name under a listed top
 *                           label) of another organisation than its
 *                           target; not when the target is the sender's
 *                           own organisation, one that signed the
 *                           message, a configured redirector
 *                           (link_redirector_domains: click tracking),
 *                           or one the sender's history linked to
 *   link_new_domain         a known sender whose link history is
 *                           established (link_history_min_messages
 *                           teaching messages with links) links to an
 *                           organisation it never linked to; also any
 *                           message with more than STATE_MAX_LINKS
 *                           link organisations (the rest unread)
 *   qr_link                 a QR code to a sign-in-like page or to an
 *                           organisation the sender never linked to,
 *                           from a stranger (first contact, not
 *                           authenticated, or a lookalike); also an
 *                           image a stranger sent that was not searched
 *                           in full (qr_skipped: too big even shrunk,
 *                           past attach_qr_max_images, damaged, CMYK,
 *                           the deadline)
 *   calendar_link_first_contact  an invitation carrying a link from a
 *                           stranger
 *   archive_password_in_text  an encrypted archive and its password in
 *                           the text, from a stranger or a known sender
 *                           on a new road (a novelty reason)
 * Learning: the link organisations (not ours, not the sender's own, not
 * IP literals) go into the same EVALSHA as the sender's history
 * (state.h); only a message that teaches adds them.
 * Any thread; arena memory of the message.
 */
#ifndef RW_LINKCHECK_H
#define RW_LINKCHECK_H

struct evaluation;
struct message;
struct sender_context;
struct state_query;

/* The reasons that need no history; fills e->sender.link_orgs.  Runs
 * with sender_signals, before the teach decision.  0 or -1 (memory). */
int linkcheck_signals(const struct sender_context *, const struct message *,
    struct evaluation *);

/* Adds the link organisations to the lookup. */
void linkcheck_query(const struct sender_context *,
    const struct evaluation *, struct state_query *);

/* The reasons that read the history (e->sender.history, or the
 * simulated one of sender_held_by_history).  0 or -1. */
int linkcheck_score(const struct sender_context *, const struct message *,
    struct evaluation *);

#endif
