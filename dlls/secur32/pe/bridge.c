/*
 * The PE->Unix bridge (Wine 8 ABI, include/schan_unix_abi.h): ntdll's data export
 * __wine_unix_call_dispatcher points at the dispatcher, and
 * NtQueryVirtualMemory(MemoryWineUnixFuncs) on our module base yields the
 * handle of secur32.so.  Both exist only when Wine loaded us as a builtin;
 * otherwise the packages stay unregistered and one message says why.
 */
#include <winternl.h>
#include "secur32_private.h"
#include "schan_abi_layout.h"

#define MEMORY_WINE_UNIX_FUNCS 1000

typedef NTSTATUS (WINAPI *unix_dispatcher_fn)(UINT64 handle, unsigned int code, void *args);

NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE process, const void *addr, int info_class,
                                    void *buffer, SIZE_T len, SIZE_T *res_len);

static unix_dispatcher_fn dispatcher;
static UINT64 unix_handle;
static struct schan_get_info_params unix_info;
static INIT_ONCE bridge_once = INIT_ONCE_STATIC_INIT;

static HMODULE own_module(void)
{
    HMODULE module = NULL;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       (const WCHAR *)(void *)own_module, &module);
    return module;
}

static BOOL bridge_connect(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    unix_dispatcher_fn *slot;
    NTSTATUS status;

    slot = ntdll ? (unix_dispatcher_fn *)(void *)GetProcAddress(ntdll, "__wine_unix_call_dispatcher") : NULL;
    if (!slot || !*slot)
    {
        ERR("Schannel unavailable: not running under Wine (ntdll has no __wine_unix_call_dispatcher); "
            "this secur32.dll only works inside Wine\n");
        return FALSE;
    }
    status = NtQueryVirtualMemory(GetCurrentProcess(), own_module(), MEMORY_WINE_UNIX_FUNCS,
                                  &unix_handle, sizeof(unix_handle), NULL);
    if (status)
    {
        ERR("Schannel unavailable: secur32.dll was loaded without its Unix half secur32.so (status %#lx); "
            "install both files into Wine's library directory (make install) or use tools/wine-run, "
            "and do not load it as native (WINEDLLOVERRIDES=secur32=n)\n", (unsigned long)status);
        return FALSE;
    }
    dispatcher = *slot;
    status = dispatcher(unix_handle, SCHAN_CALL_GET_INFO, &unix_info);
    if (status || unix_info.abi_version != SCHAN_UNIX_ABI_VERSION)
    {
        ERR("Schannel unavailable: secur32.so does not match secur32.dll (ABI %u, expected %u); "
            "reinstall both files from the same build\n", unix_info.abi_version, SCHAN_UNIX_ABI_VERSION);
        dispatcher = NULL;
        return FALSE;
    }
    TRACE("Unix half ready, GnuTLS %s\n", unix_info.gnutls_version);
    return TRUE;
}

static BOOL CALLBACK bridge_init_once(INIT_ONCE *once, void *param, void **ctx)
{
    (void)once; (void)param; (void)ctx;
    bridge_connect();
    return TRUE;
}

BOOL bridge_available(void)
{
    InitOnceExecuteOnce(&bridge_once, bridge_init_once, NULL, NULL);
    return dispatcher != NULL;
}

UINT32 bridge_protocols(void)
{
    return bridge_available() ? unix_info.supported_protocols : 0;
}

/* For the "unix call" trace line, which counts PE->Unix crossings. */
static const char *call_name(enum schan_call code)
{
#define CALL_NAME(c) [SCHAN_CALL_##c] = #c
    static const char *const names[SCHAN_CALL_COUNT] = {
        CALL_NAME(GET_INFO), CALL_NAME(CRED_CREATE), CALL_NAME(CRED_FREE), CALL_NAME(SESSION_CREATE),
        CALL_NAME(SESSION_FREE), CALL_NAME(HANDSHAKE), CALL_NAME(TAKE_OUTPUT), CALL_NAME(ENCRYPT),
        CALL_NAME(DECRYPT), CALL_NAME(GET_CONNECTION_INFO), CALL_NAME(GET_PEER_CERTS),
        CALL_NAME(GET_CHANNEL_BINDING), CALL_NAME(EXPORT_KEYING_MATERIAL), CALL_NAME(CONTROL),
        CALL_NAME(GET_ISSUERS), CALL_NAME(DTLS_MTU), CALL_NAME(GET_SRTP), CALL_NAME(VERIFY_SIGNATURE),
    };
#undef CALL_NAME
    return (unsigned int)code < SCHAN_CALL_COUNT && names[code] ? names[code] : "?";
}

NTSTATUS unix_call(enum schan_call code, void *params)
{
    if (!bridge_available())
        return SCHAN_STATUS_NOT_IMPLEMENTED;
    SCHAN_TRACE("unix call %s\n", call_name(code));
    return dispatcher(unix_handle, code, params);
}

SECURITY_STATUS unix_call_status(enum schan_call code, void *params, const UINT32 *status)
{
    return unix_call(code, params) ? SEC_E_INTERNAL_ERROR : (SECURITY_STATUS)*status;
}

SECURITY_STATUS unix_call_list(enum schan_call code, UINT64 session, struct schan_list *list)
{
    struct schan_get_peer_certs_params params = { .session = session };

    memset(list, 0, sizeof(*list));
    if (unix_call(code, &params))
        return SEC_E_INTERNAL_ERROR;
    if (params.status != SCHAN_SEC_E_BUFFER_TOO_SMALL)
        return params.status == SCHAN_SEC_E_OK && !params.needed ? SEC_E_OK : SEC_E_INTERNAL_ERROR;
    if (!(list->data = heap_alloc_zero(params.needed)))
        return SEC_E_INSUFFICIENT_MEMORY;
    params.buffer = to_u64(list->data);
    params.size = params.needed;
    /* each string takes 4 bytes at least: a count beyond that is no list */
    if (unix_call(code, &params) || params.status != SCHAN_SEC_E_OK || params.needed > params.size
        || params.count > params.needed / 4)
    {
        heap_free(list->data);
        list->data = NULL;
        return SEC_E_INTERNAL_ERROR;
    }
    list->size = params.needed;
    list->count = params.count;
    return SEC_E_OK;
}
