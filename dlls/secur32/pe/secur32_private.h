/* Internal declarations of the PE half of secur32.dll. */
#ifndef SECUR32_PRIVATE_H
#define SECUR32_PRIVATE_H

#define SECURITY_WIN32
#define _NO_KSECDD_IMPORT_   /* we define these functions: no dllimport */
#include <stdio.h>
#include <wchar.h>
#include <windows.h>
#include <winternl.h>
#include <sspi.h>
#define SCHANNEL_USE_BLACKLISTS
#include <schannel.h>

#include "schan_unix_abi.h"
#include "abi_list.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* locks.c: a reader/writer lock that costs one interlocked operation each
 * way when nobody waits (Wine's SRW locks wake on every release). */
struct rw_lock { volatile LONG word; };
#define RW_LOCK_INIT { 0 }
void rw_lock_shared(struct rw_lock *l);
void rw_unlock_shared(struct rw_lock *l);
void rw_lock_exclusive(struct rw_lock *l);
void rw_unlock_exclusive(struct rw_lock *l);

/* debug.c: Wine-style "class:channel:function message" lines on stderr. */
enum dbg_class { DBG_ERR = 0, DBG_WARN = 1, DBG_FIXME = 2, DBG_TRACE = 3 };
enum dbg_channel { DBG_CH_SECUR32 = 0, DBG_CH_SCHANNEL = 1 };
BOOL dbg_enabled(enum dbg_channel channel, enum dbg_class cls);
void dbg_printf(enum dbg_channel channel, enum dbg_class cls, const char *func,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "{TOKEN 148 0x..., EMPTY 0}" into buf, for traces; never the contents. */
const char *dbg_secbuffers(const SecBufferDesc *desc, char *buf, size_t size);
#define ERR(...)   dbg_printf(DBG_CH_SECUR32, DBG_ERR, __func__, __VA_ARGS__)
#define WARN(...)  dbg_printf(DBG_CH_SECUR32, DBG_WARN, __func__, __VA_ARGS__)
#define TRACE(...) do { if (dbg_enabled(DBG_CH_SECUR32, DBG_TRACE)) \
                        dbg_printf(DBG_CH_SECUR32, DBG_TRACE, __func__, __VA_ARGS__); } while (0)
#define SCHAN_ERR(...)   dbg_printf(DBG_CH_SCHANNEL, DBG_ERR, __func__, __VA_ARGS__)
#define SCHAN_WARN(...)  dbg_printf(DBG_CH_SCHANNEL, DBG_WARN, __func__, __VA_ARGS__)
#define SCHAN_TRACE(...) do { if (dbg_enabled(DBG_CH_SCHANNEL, DBG_TRACE)) \
                        dbg_printf(DBG_CH_SCHANNEL, DBG_TRACE, __func__, __VA_ARGS__); } while (0)

/* bridge.c: the PE->Unix call. */
BOOL bridge_available(void);
UINT32 bridge_protocols(void);
NTSTATUS unix_call(enum schan_call code, void *params);
/* unix_call for a call that answers in a `status` member of its params:
 * that answer, or SEC_E_INTERNAL_ERROR if the call itself failed. */
SECURITY_STATUS unix_call_status(enum schan_call code, void *params, const UINT32 *status);
/* A list call (GET_PEER_CERTS, GET_ISSUERS) on a session, its size asked
 * first: SEC_E_OK with *list to read with schan_list_next (abi_list.h) and
 * free with heap_free(list->data) - empty, data NULL, when nothing is
 * listed - or SEC_E_INSUFFICIENT_MEMORY, or SEC_E_INTERNAL_ERROR when a
 * call failed or the list changed between the two. */
SECURITY_STATUS unix_call_list(enum schan_call code, UINT64 session, struct schan_list *list);
static inline UINT64 to_u64(const void *p) { return (UINT64)(ULONG_PTR)p; }

/* The expiry Windows gives what does not expire (credentials, contexts). */
static inline void set_never_expires(TimeStamp *t)
{
    if (t)
    {
        t->LowPart = 0xffffffff;
        t->HighPart = 0x7fffffff;
    }
}

/* memory.c: everything handed to callers is freed by FreeContextBuffer. */
void *context_buffer_alloc(SIZE_T size);
void context_buffer_free(void *p);
void *heap_alloc_zero(SIZE_T size);
void heap_free(void *p);
SECURITY_STATUS context_string_alloc(const WCHAR *s, void **out, BOOL wide);
char *utf16_to_utf8(const WCHAR *str);
/* A caller's ANSI string as wide, in CP_ACP as Windows' A entry points read
 * it; NULL in (or no memory), NULL out; free with heap_free. */
WCHAR *ansi_to_wide(const char *str);
/* The same for `len` bytes (-1: up to the NUL), always NUL-terminated;
 * *chars (if given) gets its length without the NUL. */
WCHAR *ansi_to_wide_len(const char *str, int len, ULONG *chars);

/* buffers.c: SecBuffers by type (SECBUFFER_ATTRMASK ignored). */
SecBuffer *buffer_find(PSecBufferDesc desc, ULONG type, ULONG start);
SecBuffer *buffer_next(PSecBufferDesc desc, ULONG type, const SecBuffer *prev);
ULONG buffer_count(PSecBufferDesc desc, ULONG type);

/* handles.c: typed handle slots with generation numbers. */
enum handle_type { HANDLE_TYPE_CRED = 1, HANDLE_TYPE_CTXT = 2,
                   HANDLE_TYPE_LSA_CRED = 3, HANDLE_TYPE_LSA_CTXT = 4 };   /* lsa_packages.c */
struct handle_object {
    LONG refs;
    enum handle_type type;
    void (*destroy)(struct handle_object *obj);
};
void handle_object_init(struct handle_object *obj, enum handle_type type,
                        void (*destroy)(struct handle_object *obj));
BOOL handle_insert(struct handle_object *obj, SecHandle *handle);
struct handle_object *handle_ref(const SecHandle *handle, enum handle_type type);
void handle_release(struct handle_object *obj);
BOOL handle_remove(const SecHandle *handle, enum handle_type type);

/* package.c: the registry of the packages this DLL carries (Schannel,
 * Negotiate, Kerberos, NTLM).  Each package answers the SSPI calls through
 * one table; the entry points (sspi.c) find the table once, from a handle's
 * type bits or from a package name, and call through it.  A NULL entry is a
 * call the package does not offer: SEC_E_UNSUPPORTED_FUNCTION, as Windows. */
struct package_desc;
/* One InitializeSecurityContext/AcceptSecurityContext call as the caller
 * made it, the target already wide; the packages read it, never copy it. */
struct context_request {
    PCredHandle cred;
    PCtxtHandle ctx;
    const WCHAR *target;       /* ISC only */
    ULONG req;                 /* ISC_REQ_* or ASC_REQ_* */
    ULONG datarep;
    PSecBufferDesc input;
    PCtxtHandle new_ctx;
    PSecBufferDesc output;
    ULONG *attrs;
    PTimeStamp expiry;
    BOOL server;               /* AcceptSecurityContext */
};
struct package_ops {
    SECURITY_STATUS (*acquire_credentials)(const struct package_desc *pkg, const WCHAR *principal, ULONG use,
                                           void *logon_id, void *auth, SEC_GET_KEY_FN get_key,
                                           void *get_key_arg, PCredHandle handle, PTimeStamp expiry);
    SECURITY_STATUS (*free_credentials)(PCredHandle handle);
    SECURITY_STATUS (*query_credentials)(PCredHandle handle, ULONG attribute, void *buffer, BOOL wide);
    SECURITY_STATUS (*set_credentials)(PCredHandle handle, ULONG attribute, void *buffer, ULONG size);
    SECURITY_STATUS (*context_call)(const struct context_request *r);
    SECURITY_STATUS (*delete_context)(PCtxtHandle handle);
    SECURITY_STATUS (*query_context)(PCtxtHandle handle, ULONG attribute, void *buffer, BOOL wide);
    SECURITY_STATUS (*set_context)(PCtxtHandle handle, ULONG attribute, void *buffer, ULONG size);
    SECURITY_STATUS (*apply_control_token)(PCtxtHandle handle, PSecBufferDesc input);
    SECURITY_STATUS (*complete_auth_token)(PCtxtHandle handle, PSecBufferDesc input);
    SECURITY_STATUS (*make_signature)(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq);
    SECURITY_STATUS (*verify_signature)(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop);
    SECURITY_STATUS (*encrypt)(PCtxtHandle handle, ULONG qop, PSecBufferDesc msg, ULONG seq);
    SECURITY_STATUS (*decrypt)(PCtxtHandle handle, PSecBufferDesc msg, ULONG seq, ULONG *qop);
    SECURITY_STATUS (*query_context_token)(PCtxtHandle handle, HANDLE *token);
};
struct package_desc {
    const WCHAR *name;
    const WCHAR *comment;
    ULONG capabilities;
    USHORT version;
    USHORT rpcid;
    ULONG max_token;
    const struct package_ops *ops;
};
const struct package_desc *package_find_w(const WCHAR *name);
ULONG package_count(void);
const struct package_desc *package_at(ULONG index);
const struct package_ops *package_owner(const SecHandle *handle);
const struct package_ops *package_owner_of_call(const struct context_request *r);

/* package_info.c: SecPkgInfoA/W for callers, in one FreeContextBuffer block. */
void *package_infos_alloc(const struct package_desc **pkgs, ULONG count, BOOL wide);
#endif
