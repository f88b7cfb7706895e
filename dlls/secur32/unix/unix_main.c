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

/* Each entry marks its thread as Wine's for the debug output (unix_debug.c). */
#define WINE_ENTRY(fn) \
    static unix_status entry_##fn(void *args) \
    { \
        int saved; \
        unix_status status; \
        schan_dbg_enter_wine_call(&saved); \
        status = fn(args); \
        schan_dbg_leave_wine_call(saved); \
        return status; \
    }
WINE_ENTRY(schan_get_info)
WINE_ENTRY(schan_cred_create)
WINE_ENTRY(schan_cred_free)
WINE_ENTRY(schan_session_create)
WINE_ENTRY(schan_session_free)
WINE_ENTRY(schan_handshake)
WINE_ENTRY(schan_take_output)
WINE_ENTRY(schan_encrypt)
WINE_ENTRY(schan_decrypt)
WINE_ENTRY(schan_get_connection_info)
WINE_ENTRY(schan_get_peer_certs)
WINE_ENTRY(schan_get_channel_binding)
WINE_ENTRY(schan_export_keying_material)
WINE_ENTRY(schan_control)
WINE_ENTRY(schan_get_issuers)
WINE_ENTRY(schan_dtls_mtu)
WINE_ENTRY(schan_get_srtp)
WINE_ENTRY(schan_verify_signature)

#define SCHAN_ENTRY_TABLE { \
    [SCHAN_CALL_GET_INFO] = entry_schan_get_info, \
    [SCHAN_CALL_CRED_CREATE] = entry_schan_cred_create, \
    [SCHAN_CALL_CRED_FREE] = entry_schan_cred_free, \
    [SCHAN_CALL_SESSION_CREATE] = entry_schan_session_create, \
    [SCHAN_CALL_SESSION_FREE] = entry_schan_session_free, \
    [SCHAN_CALL_HANDSHAKE] = entry_schan_handshake, \
    [SCHAN_CALL_TAKE_OUTPUT] = entry_schan_take_output, \
    [SCHAN_CALL_ENCRYPT] = entry_schan_encrypt, \
    [SCHAN_CALL_DECRYPT] = entry_schan_decrypt, \
    [SCHAN_CALL_GET_CONNECTION_INFO] = entry_schan_get_connection_info, \
    [SCHAN_CALL_GET_PEER_CERTS] = entry_schan_get_peer_certs, \
    [SCHAN_CALL_GET_CHANNEL_BINDING] = entry_schan_get_channel_binding, \
    [SCHAN_CALL_EXPORT_KEYING_MATERIAL] = entry_schan_export_keying_material, \
    [SCHAN_CALL_CONTROL] = entry_schan_control, \
    [SCHAN_CALL_GET_ISSUERS] = entry_schan_get_issuers, \
    [SCHAN_CALL_DTLS_MTU] = entry_schan_dtls_mtu, \
    [SCHAN_CALL_GET_SRTP] = entry_schan_get_srtp, \
    [SCHAN_CALL_VERIFY_SIGNATURE] = entry_schan_verify_signature, \
}

__attribute__((visibility("default")))
unix_status (*const __wine_unix_call_funcs[SCHAN_CALL_COUNT])(void *) = SCHAN_ENTRY_TABLE;

#ifdef __x86_64__
/* New WoW64 (Wine 9 on; the default of WineHQ's Wine 11): a 32-bit process
 * has no i386 Unix library, and its calls come here with the 32-bit PE
 * half's parameter structs.  Those have the same layout as the 64-bit ones
 * (fixed-width fields, pointers as uint64_t, checked in schan_abi_layout.h),
 * so the same entries serve. */
__attribute__((visibility("default")))
unix_status (*const __wine_unix_call_wow64_funcs[SCHAN_CALL_COUNT])(void *) = SCHAN_ENTRY_TABLE;
#endif
