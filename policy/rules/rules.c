/*
 * rules.c - the rule vocabulary: one table of every rule (rules.h).
 *
 * Exports rules_table and rules_lookup.  Constant data; any thread.  The
 * rules are raised by the modules that find them (verdict_raise); the
 * authentication rules over an evaluation are rulesauth.c, the
 * recipients' thresholds verdict_thresholds (verdict.c).
 */
#include <string.h>

#include "rules/rules.h"

#define C_AUTH	RULE_CLASS_AUTHENTICATION
#define C_ATT	RULE_CLASS_ATTACHMENT
#define C_SND	RULE_CLASS_SENDER
#define C_MSG	RULE_CLASS_MESSAGE
#define K_NEW	RULE_KIND_NOVELTY
#define K_AUTH	RULE_KIND_AUTHFAIL
#define K_STR	RULE_KIND_STRANGER
#define K_LOOK	RULE_KIND_LOOKALIKE

/* { name, default score, class, counts as, may lower, what } */
const struct rule_def rules_table[RULE_COUNT] = {
	[RULE_SPF_FAIL] = { "spf_fail", 3, C_AUTH, K_AUTH, 0,
	    "MAIL FROM SPF fail: the relay is not authorised" },
	[RULE_SPF_SOFTFAIL] = { "spf_softfail", 1, C_AUTH, K_AUTH, 0,
	    "MAIL FROM SPF softfail" },
	[RULE_SPF_PERMERROR] = { "spf_permerror", 1, C_AUTH, K_AUTH, 0,
	    "the sender's SPF record is broken or hostile" },
	[RULE_HELO_SPF_FAIL] = { "helo_spf_fail", 2, C_AUTH, K_AUTH, 0,
	    "HELO SPF fail while MAIL FROM did not decide" },
	[RULE_DKIM_FAIL] = { "dkim_fail", 2, C_AUTH, K_AUTH, 0,
	    "DKIM signatures present, none verified" },
	[RULE_DMARC_FAIL] = { "dmarc_fail", 2, C_AUTH, K_AUTH, 0,
	    "DMARC fail, the domain publishes p=none" },
	[RULE_DMARC_FAIL_QUARANTINE] = { "dmarc_fail_quarantine", 5,
	    C_AUTH, K_AUTH, 0,
	    "DMARC fail, the domain publishes p=quarantine" },
	[RULE_DMARC_FAIL_REJECT] = { "dmarc_fail_reject", 8, C_AUTH, K_AUTH, 0,
	    "DMARC fail, the domain publishes p=reject" },
	[RULE_AUTH_TEMPERROR] = { "auth_temperror", 0, C_AUTH, 0, 0,
	    "an SPF, DKIM or DMARC lookup failed temporarily" },
	[RULE_HEADERS_TRUNCATED] = { "headers_truncated", 2, C_MSG, 0, 0,
	    "the header section exceeded a cap (max_headers, "
	    "max_header_length)" },
	[RULE_DKIM_TRUNCATED] = { "dkim_truncated", 1, C_AUTH, 0, 0,
	    "more DKIM signatures than dkim_max_signatures" },
	[RULE_DKIM_BODY_LENGTH_PARTIAL] = { "dkim_body_length_partial", 3,
	    C_AUTH, 0, 0,
	    "content appended past a DKIM signature's l= (unsigned)" },
	[RULE_ATTACH_BANNED_EXTENSION] = { "attach_banned_extension", 10,
	    C_ATT, 0, 0,
	    "an attachment name ends in a banned extension" },
	[RULE_ATTACH_DOUBLE_EXTENSION] = { "attach_double_extension", 5,
	    C_ATT, 0, 0,
	    "a double extension such as invoice.pdf.exe" },
	[RULE_ATTACH_NAME_TRICK] = { "attach_name_trick", 8, C_ATT, 0, 0,
	    "a direction override or invisible character in a name" },
	[RULE_ATTACH_TYPE_MISMATCH] = { "attach_type_mismatch", 8, C_ATT, 0, 0,
	    "a program named or declared as a document, image or text" },
	[RULE_ATTACH_EXECUTABLE] = { "attach_executable", 10, C_ATT, 0, 0,
	    "libmagic says executable (PE, ELF, Mach-O, MSI, LNK) or EICAR" },
	[RULE_ATTACH_BANNED_MEMBER] = { "attach_banned_member", 10, C_ATT, 0, 0,
	    "an archive member with a banned extension" },
	[RULE_ATTACH_ENCRYPTED_ARCHIVE] = { "attach_encrypted_archive", 5,
	    C_ATT, 0, 0,
	    "an encrypted archive (scanners cannot look inside)" },
	[RULE_ATTACH_OFFICE_MACRO] = { "attach_office_macro", 6, C_ATT, 0, 0,
	    "macros: VBA in OLE2 or OOXML, Basic in OpenDocument, Excel 4.0 "
	    "(XLM) macro sheets" },
	[RULE_ATTACH_HTML_SMUGGLING] = { "attach_html_smuggling", 8,
	    C_ATT, 0, 0,
	    "HTML or SVG that builds and saves a file" },
	[RULE_ATTACH_ARCHIVE_BOMB] = { "attach_archive_bomb", 8, C_ATT, 0, 0,
	    "an archive past its expansion ratio" },
	[RULE_ATTACH_TRUNCATED] = { "attach_truncated", 5, C_ATT, 0, 0,
	    "an attachment limit was hit: what lies past it was not seen" },
	[RULE_ATTACH_MALFORMED] = { "attach_malformed", 1, C_ATT, 0, 0,
	    "broken MIME structure or encoding" },
	[RULE_FIRST_CONTACT] = { "first_contact", 1, C_SND, K_NEW | K_STR, 0,
	    "the From domain never sent authenticated mail that was "
	    "accepted" },
	[RULE_NEW_RELAY] = { "new_relay", 2, C_SND, K_NEW | K_STR, 0,
	    "an authenticated message from a known sender's new relay" },
	[RULE_NEW_SIGNER] = { "new_signer", 1, C_SND, K_NEW, 0,
	    "an authenticated message signed by a new DKIM domain" },
	[RULE_NEW_RELAY_UNAUTHENTICATED] = { "new_relay_unauthenticated", 10,
	    C_SND, K_NEW | K_STR, 0,
	    "a known sender's mail from a new relay, not authenticated: the "
	    "third-party relay signal" },
	[RULE_NEW_SIGNER_UNAUTHENTICATED] = { "new_signer_unauthenticated", 6,
	    C_SND, K_NEW, 0,
	    "a known sender's mail signed by a new, unaligned DKIM domain, "
	    "not authenticated" },
	[RULE_KNOWN_SIGNER_ALIGNED] = { "known_signer_aligned", -2,
	    C_SND, 0, K_NEW | K_AUTH,
	    "an aligned DKIM pass from a signer the history knows" },
	[RULE_PARTNER_UNEXPECTED_RELAY] = { "partner_unexpected_relay", 4,
	    C_SND, K_NEW | K_STR, 0,
	    "a partner's mail from none of its declared or learned relays" },
	[RULE_PARTNER_UNALIGNED] = { "partner_unaligned", 8, C_SND, 0, 0,
	    "a partner that must be DKIM-aligned is not" },
	[RULE_PROFILE_UNSIGNED] = { "profile_unsigned", 10,
	    C_SND, K_NEW | K_STR, 0,
	    "a sender whose authenticated mail always had aligned DKIM "
	    "arrives without it: the third-party-relay signal" },
	[RULE_PROFILE_NEW_SUBDOMAIN] = { "profile_new_subdomain", 10,
	    C_SND, K_NEW | K_STR, 0,
	    "a known sender's never-seen subdomain from a new relay, "
	    "without aligned DKIM" },
	[RULE_LOOKALIKE_PROTECTED] = { "lookalike_protected", 10,
	    C_SND, K_STR | K_LOOK, 0,
	    "the From domain resembles a protected domain" },
	[RULE_LOOKALIKE_KNOWN] = { "lookalike_known", 10,
	    C_SND, K_STR | K_LOOK, 0,
	    "the From domain, itself unknown, is confusable with a known "
	    "correspondent, its name under another TLD or with a word "
	    "added" },
	[RULE_DISPLAY_DOMAIN] = { "display_domain", 5, C_SND, 0, 0,
	    "the display name names another protected or known domain" },
	[RULE_DISPLAY_ADDRESS] = { "display_address", 4, C_SND, 0, 0,
	    "the display name holds an address at another organisation" },
	[RULE_DISPLAY_BRAND] = { "display_brand", 9, C_SND, 0, 0,
	    "the display name spells a protected domain's or partner's name" },
	[RULE_DISPLAY_PERSON] = { "display_person", 8, C_SND, 0, 0,
	    "the display name is a listed person writing from elsewhere" },
	[RULE_REPLY_TO] = { "reply_to", 2, C_SND, 0, 0,
	    "Reply-To leads to another organisational domain" },
	[RULE_LIST] = { "list", -5, C_SND, 0, K_NEW,
	    "a mailing list (List-Id): lowers the relay-novelty score only" },
	[RULE_SENDER_HEADER] = { "sender", -3, C_SND, 0, K_NEW,
	    "a Sender header of another address: lowers the relay-novelty "
	    "score only" },
	[RULE_RESENT] = { "resent", -5, C_SND, 0, K_NEW,
	    "Resent- headers (a forward): lowers the relay-novelty score "
	    "only" },
	[RULE_FORWARDER] = { "forwarder", -5, C_SND, 0, K_NEW,
	    "an envelope sender aligned with the relay, SPF pass: lowers "
	    "the relay-novelty score only" },
	[RULE_ATTACH_NEW_SENDER] = { "attach_new_sender", 3, C_SND, 0, 0,
	    "an attachment reason while the sender or its relay is new" },
	[RULE_HEADERS_FORGED_FLOOD] = { "headers_forged_flood", 0, C_MSG, 0, 0,
	    "more forged Authentication-Results or X-Relaywarden than "
	    "max_headers: rejected, they cannot all be removed" },
	[RULE_ATTACH_OVERRIDE] = { "attach_override", 0, C_ATT, 0, 0,
	    "an attach_action_overrides entry set an attachment's action" },
	[RULE_ATTACH_HOSTILE_NAME] = { "attach_hostile_name", 10, C_ATT, 0, 0,
	    "a name with shell syntax, a .. component, an absolute path or "
	    "drive, or control characters" },
	[RULE_ATTACH_SPECIAL_MEMBER] = { "attach_special_member", 10, C_ATT,
	    0, 0, "an archive entry that is a symlink, hardlink, device, "
	    "FIFO or socket" },
	[RULE_ATTACH_SCAN_FAILED] = { "attach_scan_failed", 5, C_ATT, 0, 0,
	    "the attachment worker crashed, hit a limit or missed its "
	    "deadline: the scan is incomplete" },
	[RULE_REPLY_TO_NEW_ORG] = { "reply_to_new_org", 6, C_SND, K_STR, 0,
	    "a known correspondent's (or lookalike's) Reply-To leads to an "
	    "organisation that never sent authenticated mail and did not "
	    "authenticate this one" },
	[RULE_REPLY_TO_LOOKALIKE] = { "reply_to_lookalike", 8, C_SND,
	    K_STR | K_LOOK, 0,
	    "Reply-To at a lookalike of the From domain or of a protected or "
	    "known domain" },
	[RULE_FROM_AMBIGUOUS] = { "from_ambiguous", 10, C_SND,
	    K_STR | K_LOOK, 0,
	    "not exactly one usable author domain: no From, several From "
	    "headers or addresses, group syntax, unparsable, or a domain "
	    "that is not a name (an invalid IDN)" },
	[RULE_LOOKALIKE_KNOWN_EDIT] = { "lookalike_known_edit", 5,
	    C_SND, K_STR | K_LOOK, 0,
	    "the From domain, itself unknown, is one edit from a known "
	    "correspondent" },
	[RULE_DISPLAY_KNOWN] = { "display_known", 4, C_SND, 0, 0,
	    "the display name spells a known correspondent's name, from an "
	    "unknown domain" },
	[RULE_ATTACH_PDF_JAVASCRIPT] = { "attach_pdf_javascript", 6, C_ATT,
	    0, 0, "a PDF with JavaScript (/JS, /JavaScript)" },
	[RULE_ATTACH_PDF_LAUNCH] = { "attach_pdf_launch", 10, C_ATT, 0, 0,
	    "a PDF with a /Launch action (opens a program or file)" },
	[RULE_ATTACH_PDF_EMBEDDED] = { "attach_pdf_embedded", 4, C_ATT, 0, 0,
	    "a PDF that carries an embedded file (/EmbeddedFile, /EF)" },
	[RULE_LINK_TEXT_MISMATCH] = { "link_text_mismatch", 3, C_SND, 0, 0,
	    "a link's visible text names one domain, its target is another "
	    "organisation" },
	[RULE_LINK_IP] = { "link_ip", 3, C_SND, 0, 0,
	    "a link to an IP address (any notation)" },
	[RULE_LINK_USERINFO] = { "link_userinfo", 5, C_SND, 0, 0,
	    "a link with a user name before its host "
	    "(https://bank.example@evil.example/)" },
	[RULE_LINK_FORM_PASSWORD] = { "link_form_password", 6, C_SND, 0, 0,
	    "a form asking for a password that posts to another "
	    "organisation, to script, or from an attachment" },
	[RULE_LINK_LOOKALIKE_PROTECTED] = { "link_lookalike_protected", 10,
	    C_SND, K_STR | K_LOOK, 0,
	    "a link host resembles a protected domain" },
	[RULE_LINK_LOOKALIKE_KNOWN] = { "link_lookalike_known", 10,
	    C_SND, K_STR | K_LOOK, 0,
	    "a link host, itself unknown, resembles a known correspondent" },
	[RULE_LINK_NEW_DOMAIN] = { "link_new_domain", 2, C_SND, 0, 0,
	    "a known sender links to an organisation its authenticated "
	    "mail never linked to" },
	[RULE_LINK_QR] = { "qr_link", 4, C_SND, 0, 0,
	    "a QR code leads to a sign-in page or a first-seen domain, "
	    "from a first-contact or lookalike sender" },
	[RULE_LINK_CALENDAR] = { "calendar_link_first_contact", 3, C_SND,
	    0, 0, "a calendar invitation with a link from a first-contact "
	    "sender" },
	[RULE_ARCHIVE_PASSWORD_IN_TEXT] = { "archive_password_in_text", 5,
	    C_SND, 0, 0, "an encrypted archive whose password is in the "
	    "text, from a sender new to us" },
};

int
rules_lookup(const char *name)
{
	int i;

	for (i = 0; i < RULE_COUNT; i++)
		if (strcmp(rules_table[i].name, name) == 0)
			return i;
	return -1;
}
