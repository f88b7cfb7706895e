/*
 * What the Unix half says about a connection on the "schannel" channel:
 * handshake messages as they pass (trace), the negotiated parameters
 * (trace), alerts (trace when sent or received as warnings), and one plain
 * err: sentence for each failure that reaches the caller, saying what
 * happened and what can be done about it.  Secrets never appear here.
 */
#include <stdio.h>
#include <string.h>

#include "unix_private.h"

#define TLS_EXT_SUPPORTED_VERSIONS 43

static const char *side(const struct schan_session *session)
{
    return session->is_server ? "server" : "client";
}

static const char *peer(const struct schan_session *session)
{
    return session->is_server ? "client" : "server";
}

static const char *target(const struct schan_session *session)
{
    return session->target && *session->target ? session->target : "(no name)";
}

/* "client for example.com" or "server", for err: lines. */
static const char *who(const struct schan_session *session, char *buf, size_t size)
{
    if (session->is_server)
        return "server";
    snprintf(buf, size, "client for %s", target(session));
    return buf;
}

const char *schan_prot_names(uint32_t protocols, char *buf, size_t size)
{
    static const struct { uint32_t bit; const char *name; } names[] = {
        { SCHAN_PROT_TLS1_0, "TLS 1.0" }, { SCHAN_PROT_TLS1_1, "TLS 1.1" },
        { SCHAN_PROT_TLS1_2, "TLS 1.2" }, { SCHAN_PROT_TLS1_3, "TLS 1.3" },
    };
    size_t len = 0;

    buf[0] = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if ((protocols & names[i].bit) && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", names[i].name);
    if (!buf[0])
        snprintf(buf, size, "nothing");
    return buf;
}

static uint32_t version_bit(uint8_t major, uint8_t minor)
{
    if (major != 3)
        return 0;
    switch (minor)
    {
    case 1: return SCHAN_PROT_TLS1_0;
    case 2: return SCHAN_PROT_TLS1_1;
    case 3: return SCHAN_PROT_TLS1_2;
    case 4: return SCHAN_PROT_TLS1_3;
    default: return 0;
    }
}

/* ---- what the client offered (server side) ---- */

static int supported_versions(void *ctx, unsigned tls_id, const unsigned char *data, unsigned size)
{
    uint32_t *offered = ctx;

    if (tls_id != TLS_EXT_SUPPORTED_VERSIONS || size < 1)
        return 0;
    *offered = 0;
    for (unsigned int i = 1; i + 1 < size && i <= data[0]; i += 2)
        *offered |= version_bit(data[i], data[i + 1]);
    return 0;
}

/* Without supported_versions a client offers its legacy_version and below. */
static void note_client_hello(struct schan_session *session, const gnutls_datum_t *msg)
{
    uint32_t offered = 0, legacy;

    if (!msg || msg->size < 2)
        return;
    legacy = version_bit(msg->data[0], msg->data[1]);
    if (legacy)
        offered = legacy | (legacy - 1);
    offered &= SCHAN_PROT_TLS_ALL;
    gnutls_ext_raw_parse(&offered, supported_versions, msg, GNUTLS_EXT_RAW_FLAG_TLS_CLIENT_HELLO);
    session->peer_protocols = offered;
}

void schan_diag_handshake_message(struct schan_session *session, unsigned int htype, unsigned int when,
                                  unsigned int incoming, const gnutls_datum_t *msg)
{
    /* Received messages before they are processed (so one that fails is
     * still shown), sent ones once written. */
    if (when != (incoming ? GNUTLS_HOOK_PRE : GNUTLS_HOOK_POST))
        return;
    if (incoming && session->is_server && htype == GNUTLS_HANDSHAKE_CLIENT_HELLO)
        note_client_hello(session, msg);
    TRACE("%s %p %s %s (%u bytes)\n", side(session), (void *)session, incoming ? "received" : "sent",
          gnutls_handshake_description_get_name((gnutls_handshake_description_t)htype), msg ? msg->size : 0);
}

void schan_diag_negotiated(struct schan_session *session)
{
    gnutls_session_t s = session->s;
    gnutls_datum_t alpn = { NULL, 0 };
    char sni[256] = "";
    size_t sni_len = sizeof(sni) - 1;
    unsigned int type;
    char *desc;

    if (!TRACE_ON())
        return;
    desc = gnutls_session_get_desc(s);
    gnutls_alpn_get_selected_protocol(s, &alpn);
    if (session->is_server && gnutls_server_name_get(s, sni, &sni_len, &type, 0) < 0)
        sni[0] = 0;
    TRACE("%s %p handshake done: %s, suite %s, group %s, %s, ALPN \"%.*s\", %s \"%s\"\n", side(session),
          (void *)session, gnutls_protocol_get_name(gnutls_protocol_get_version(s)),
          gnutls_ciphersuite_get(s) ? gnutls_ciphersuite_get(s) : "?",
          gnutls_group_get(s) ? gnutls_group_get_name(gnutls_group_get(s)) : "none",
          gnutls_session_is_resumed(s) ? "resumed" : "full handshake", (int)alpn.size,
          alpn.data ? (const char *)alpn.data : "", session->is_server ? "SNI" : "target",
          session->is_server ? sni : target(session));
    TRACE("%s %p parameters: %s\n", side(session), (void *)session, desc ? desc : "?");
    gnutls_free(desc);
}

/* ---- failures ---- */

static const char *alert_name(int alert)
{
    const char *name = gnutls_alert_get_name((gnutls_alert_description_t)alert);
    return name ? name : "unknown";
}

static int is_version_problem(const struct schan_session *session, int err, int alert)
{
    if (session->is_server && session->peer_protocols && !(session->peer_protocols & session->cred->protocols))
        return 1;
    return err == GNUTLS_E_UNSUPPORTED_VERSION_PACKET
           || (err == GNUTLS_E_FATAL_ALERT_RECEIVED && alert == GNUTLS_A_PROTOCOL_VERSION);
}

/* The protocols each side allowed, for version and suite problems. */
static void describe_protocols(const struct schan_session *session, char *buf, size_t size)
{
    char mine[64], theirs[64];

    schan_prot_names(session->cred->protocols, mine, sizeof(mine));
    if (session->is_server && session->peer_protocols)
        snprintf(buf, size, "; this server allows %s, the client offered %s (the credential's protocols come "
                 "from grbitEnabledProtocols or SCH_CREDENTIALS)", mine,
                 schan_prot_names(session->peer_protocols, theirs, sizeof(theirs)));
    else
        snprintf(buf, size, "; this %s allows %s (the credential's protocols come from grbitEnabledProtocols or "
                 "SCH_CREDENTIALS)", side(session), mine);
}

void schan_diag_handshake_failed(struct schan_session *session, int err, uint32_t status, int sent_alert)
{
    int alert = -1, version_problem;
    char versions[256] = "", name[300];

    if (err == GNUTLS_E_FATAL_ALERT_RECEIVED || err == GNUTLS_E_WARNING_ALERT_RECEIVED)
        alert = (int)gnutls_alert_get(session->s);
    version_problem = is_version_problem(session, err, alert);
    if (version_problem || err == GNUTLS_E_NO_CIPHER_SUITES
        || (alert == GNUTLS_A_HANDSHAKE_FAILURE && !session->is_server))
        describe_protocols(session, versions, sizeof(versions));
    if (alert >= 0)
        ERR("TLS handshake as %s failed: the %s sent alert \"%s\" (%d): %s%s. Returning %s.\n",
            who(session, name, sizeof(name)), peer(session),
            alert_name(alert), alert, schan_alert_advice(session, alert), versions,
            schan_status_name(status));
    else
        ERR("TLS handshake as %s failed: %s (GnuTLS: %s)%s. Returning %s.\n", who(session, name, sizeof(name)),
            version_problem ? "no protocol version in common" : schan_error_advice(session, err), gnutls_strerror(err),
            versions, schan_status_name(status));
    if (sent_alert >= 0)
        TRACE("%s %p sent alert \"%s\" (%d) to the %s\n", side(session), (void *)session,
              alert_name(sent_alert), sent_alert, peer(session));
}

static int looks_like_text(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    for (size_t i = 0; i < 4; i++)
        if (data[i] < 0x20 || data[i] > 0x7e)
            return 0;
    return 1;
}

void schan_diag_not_tls(struct schan_session *session, const uint8_t *data, size_t size)
{
    char hex[3 * 8], name[300];
    size_t shown = size < 8 ? size : 8;

    if (looks_like_text(data, size))
        ERR("%s: the %s's data is not TLS but text (\"%.*s\"): plain HTTP or another protocol is spoken on this "
            "port, not TLS. Returning %s.\n", who(session, name, sizeof(name)), peer(session), (int)shown,
            (const char *)data,
            schan_status_name(session->done ? SCHAN_SEC_E_ILLEGAL_MESSAGE : SCHAN_SEC_E_INVALID_TOKEN));
    else
        ERR("%s: the %s's data is not a TLS record (starts with %s): the peer speaks another protocol, or the "
            "caller passed bytes that are not from the TLS stream. Returning %s.\n", who(session, name, sizeof(name)),
            peer(session), schan_dbg_hex(data, shown, hex, sizeof(hex)),
            schan_status_name(session->done ? SCHAN_SEC_E_ILLEGAL_MESSAGE : SCHAN_SEC_E_INVALID_TOKEN));
}

void schan_diag_record_failed(struct schan_session *session, int err, uint32_t status)
{
    char name[300];
    int alert;

    if (err == GNUTLS_E_FATAL_ALERT_RECEIVED)
    {
        alert = (int)gnutls_alert_get(session->s);
        ERR("%s: the %s closed the connection with fatal alert \"%s\" (%d): %s. Returning %s.\n",
            who(session, name, sizeof(name)), peer(session),
            alert_name(alert), alert, schan_alert_advice(session, alert),
            schan_status_name(status));
        return;
    }
    ERR("%s: a record from the %s was rejected (GnuTLS: %s): %s. Returning %s.\n",
        who(session, name, sizeof(name)), peer(session), gnutls_strerror(err),
        status == SCHAN_SEC_E_DECRYPT_FAILURE ? "it was altered in transit or the stream lost its place "
                                                "(each record must be decrypted once, in order)"
                                              : "the connection cannot continue",
        schan_status_name(status));
}

void schan_diag_warning_alert(struct schan_session *session)
{
    int alert = (int)gnutls_alert_get(session->s);
    char name[300];

    if (alert == GNUTLS_A_CLOSE_NOTIFY)
        TRACE("%s %p: the %s closed the connection (close_notify)\n", side(session), (void *)session,
              peer(session));
    else
        WARN("%s: the %s sent warning alert \"%s\" (%d); carrying on\n", who(session, name, sizeof(name)),
             peer(session), alert_name(alert), alert);
}
