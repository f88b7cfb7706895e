/*
 * Entry table of the Unix half and library-wide GnuTLS setup.
 */
#include <string.h>

#include "unix_private.h"
#include "schan_abi_layout.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_init_result;

static void global_init_once(void)
{
    global_init_result = gnutls_global_init();
    if (global_init_result < 0)
        ERR("GnuTLS failed to initialise: %s\n", gnutls_strerror(global_init_result));
    else
        schan_dbg_gnutls_log_init();
}

int schan_global_init(void)
{
    pthread_once(&global_once, global_init_once);
    return global_init_result;
}

unix_status schan_get_info(void *args)
{
    struct schan_get_info_params *params = args;
    const char *version = gnutls_check_version(NULL);

    if (schan_global_init() < 0)
        return (unix_status)SCHAN_STATUS_NOT_IMPLEMENTED;
    params->abi_version = SCHAN_UNIX_ABI_VERSION;
    params->supported_protocols = SCHAN_PROT_TLS_ALL | SCHAN_PROT_DTLS_ALL;
    memset(params->gnutls_version, 0, sizeof(params->gnutls_version));
    strncpy(params->gnutls_version, version ? version : "", sizeof(params->gnutls_version) - 1);
    return (unix_status)SCHAN_STATUS_SUCCESS;
}

__attribute__((visibility("default")))
unix_status (*const __wine_unix_call_funcs[SCHAN_CALL_COUNT])(void *) = {
    [SCHAN_CALL_GET_INFO] = schan_get_info,
    [SCHAN_CALL_CRED_CREATE] = schan_cred_create,
    [SCHAN_CALL_CRED_FREE] = schan_cred_free,
    [SCHAN_CALL_SESSION_CREATE] = schan_session_create,
    [SCHAN_CALL_SESSION_FREE] = schan_session_free,
    [SCHAN_CALL_HANDSHAKE] = schan_handshake,
    [SCHAN_CALL_TAKE_OUTPUT] = schan_take_output,
    [SCHAN_CALL_ENCRYPT] = schan_encrypt,
    [SCHAN_CALL_DECRYPT] = schan_decrypt,
    [SCHAN_CALL_GET_CONNECTION_INFO] = schan_get_connection_info,
    [SCHAN_CALL_GET_PEER_CERTS] = schan_get_peer_certs,
    [SCHAN_CALL_GET_CHANNEL_BINDING] = schan_get_channel_binding,
    [SCHAN_CALL_EXPORT_KEYING_MATERIAL] = schan_export_keying_material,
    [SCHAN_CALL_CONTROL] = schan_control,
    [SCHAN_CALL_GET_ISSUERS] = schan_get_issuers,
    [SCHAN_CALL_DTLS_MTU] = schan_dtls_mtu,
    [SCHAN_CALL_GET_SRTP] = schan_get_srtp,
};
