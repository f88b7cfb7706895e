/*
 * What DECRYPT must remember between calls, since it hands GnuTLS one
 * record per call:
 *
 * - Records that carry nothing.  GnuTLS refuses a run of more than 200
 *   empty records (GNUTLS_E_TOO_MANY_EMPTY_PACKETS), but counts them only
 *   within one gnutls_record_recv call, so one record per call would reset
 *   its count every time.  The run is counted here instead: a record that
 *   yields no application data and completes no handshake message extends
 *   it, anything else ends it.  (A handshake message cut into more than 200
 *   records in a row is refused too; no real peer does that.)
 * - Warning alerts.  GnuTLS hands each one to its caller to judge; DECRYPT
 *   has no way to show them to ours, so a run of them is bounded here.
 * - The fatal alert owed to the peer.  After a fatal record error TLS
 *   requires that alert (RFC 5246 7.2.2, RFC 8446 5.2 and 6.2), and the
 *   shutdown token the caller asks for next must carry it, not close_notify.
 */
#include "unix_private.h"

#define MAX_EMPTY_RECORDS_IN_ROW 200    /* GnuTLS's default max_empty_records */
#define MAX_WARNINGS_IN_ROW      5

void schan_guard_progress(struct schan_session *session)
{
    session->empty_records_in_row = 0;
    session->warnings_in_row = 0;
}

int schan_guard_nothing_received(struct schan_session *session, int warning)
{
    if (warning && ++session->warnings_in_row > MAX_WARNINGS_IN_ROW)
    {
        WARN("session %p: %u warning alerts in a row; treating the peer as hostile\n", (void *)session,
             session->warnings_in_row);
        return GNUTLS_E_UNEXPECTED_PACKET;
    }
    if (!warning && ++session->empty_records_in_row > MAX_EMPTY_RECORDS_IN_ROW)
        return GNUTLS_E_TOO_MANY_EMPTY_PACKETS;
    return 0;
}

/* The error GnuTLS gives a record header schan_frame_record calls
 * impossible, so the alert owed is the one GnuTLS would send. */
int schan_guard_frame_error(const uint8_t *data, size_t size)
{
    if (size >= 1 && (data[0] < 20 || data[0] > 24))
        return GNUTLS_E_UNEXPECTED_PACKET;
    if (size >= 2 && data[1] != 3)
        return GNUTLS_E_UNSUPPORTED_VERSION_PACKET;
    return GNUTLS_E_RECORD_OVERFLOW;
}

void schan_guard_record_failed(struct schan_session *session, int err, uint32_t status)
{
    gnutls_alert_level_t level = GNUTLS_AL_FATAL;
    int alert;

    session->failure = status;
    if (err == GNUTLS_E_FATAL_ALERT_RECEIVED || session->owed_alert)
        return;
    alert = gnutls_error_to_alert(err, (int *)&level);
    if (alert < 0 || level != GNUTLS_AL_FATAL)
        alert = GNUTLS_A_INTERNAL_ERROR;
    session->owed_alert = 1;
    session->owed_alert_description = (uint8_t)alert;
}

int schan_guard_send_owed_alert(struct schan_session *session)
{
    int ret = gnutls_alert_send(session->s, GNUTLS_AL_FATAL,
                                (gnutls_alert_description_t)session->owed_alert_description);
    const char *name = gnutls_alert_get_name((gnutls_alert_description_t)session->owed_alert_description);

    session->owed_alert = 0;
    TRACE("session %p: shutdown after a fatal record error: %s fatal alert %s (%u) instead of close_notify\n",
          (void *)session, ret < 0 ? "could not send" : "sent", name ? name : "?",
          session->owed_alert_description);
    return ret;
}
