/*
 * Debug output through ntdll's own channel machinery, so that WINEDEBUG
 * (+secur32, +schannel, warn+schannel, ...) controls our lines and they
 * interleave with Wine's.  ntdll exports the three entry points below; the
 * channel layout is Wine's public debug ABI: one flags byte (bit n = class n
 * enabled, bit 7 = not yet initialised) followed by the channel name.
 */
#include <stdarg.h>
#include <stdio.h>
#include "secur32_private.h"

struct wine_debug_channel {
    unsigned char flags;
    char name[15];
};

enum { WINE_DBCL_FIXME, WINE_DBCL_ERR, WINE_DBCL_WARN, WINE_DBCL_TRACE };

typedef unsigned char (__cdecl *get_channel_flags_fn)(struct wine_debug_channel *);
typedef int (__cdecl *dbg_header_fn)(int cls, struct wine_debug_channel *, const char *);
typedef int (__cdecl *dbg_output_fn)(const char *);

static struct wine_debug_channel channels[] = {
    { 0xff, "secur32" },
    { 0xff, "schannel" },
};
static get_channel_flags_fn get_channel_flags;
static dbg_header_fn dbg_header;
static dbg_output_fn dbg_output;
static INIT_ONCE dbg_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK dbg_resolve(INIT_ONCE *once, void *param, void **ctx)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    (void)once; (void)param; (void)ctx;
    if (!ntdll)
        return TRUE;
    get_channel_flags = (get_channel_flags_fn)(void *)GetProcAddress(ntdll, "__wine_dbg_get_channel_flags");
    dbg_header = (dbg_header_fn)(void *)GetProcAddress(ntdll, "__wine_dbg_header");
    dbg_output = (dbg_output_fn)(void *)GetProcAddress(ntdll, "__wine_dbg_output");
    return TRUE;
}

static int wine_class(enum dbg_class cls)
{
    switch (cls)
    {
    case DBG_ERR:   return WINE_DBCL_ERR;
    case DBG_WARN:  return WINE_DBCL_WARN;
    case DBG_FIXME: return WINE_DBCL_FIXME;
    default:        return WINE_DBCL_TRACE;
    }
}

BOOL dbg_enabled(enum dbg_channel channel, enum dbg_class cls)
{
    struct wine_debug_channel *ch = &channels[channel];
    unsigned char flags;

    InitOnceExecuteOnce(&dbg_once, dbg_resolve, NULL, NULL);
    if (!get_channel_flags)  /* not under Wine: errors only */
        return cls == DBG_ERR;
    flags = ch->flags;
    if (flags & 0x80)
        flags = get_channel_flags(ch);
    return (flags >> wine_class(cls)) & 1;
}

void dbg_printf(enum dbg_channel channel, enum dbg_class cls, const char *func,
                const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    size_t len;

    if (!dbg_enabled(channel, cls))
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line) - 2, fmt, ap);
    va_end(ap);
    len = strlen(line);
    if (!len || line[len - 1] != '\n')
        strcpy(line + len, "\n");
    if (dbg_header && dbg_output && dbg_header(wine_class(cls), &channels[channel], func) != -1)
        dbg_output(line);
    else if (!dbg_output)
        fprintf(stderr, "%s:%s:%s %s", cls == DBG_ERR ? "err" : cls == DBG_WARN ? "warn" : "trace",
                channels[channel].name, func, line);
}

static const char *buffer_type_name(ULONG type)
{
    static const char *const names[] = {
        "EMPTY", "DATA", "TOKEN", "PKG_PARAMS", "MISSING", "EXTRA", "STREAM_TRAILER", "STREAM_HEADER",
        "NEGOTIATION_INFO", "PADDING", "STREAM", "MECHLIST", "MECHLIST_SIGNATURE", "TARGET", "CHANNEL_BINDINGS",
        "CHANGE_PASS_RESPONSE", "TARGET_HOST", "ALERT", "APPLICATION_PROTOCOLS",
    };
    return type < ARRAY_SIZE(names) ? names[type] : "?";
}

const char *dbg_secbuffers(const SecBufferDesc *desc, char *buf, size_t size)
{
    size_t len;
    ULONG i;

    if (!desc)
        return "(null)";
    if (!desc->pBuffers)
        return "{no buffers}";
    snprintf(buf, size, "{");
    for (i = 0; i < desc->cBuffers && (len = strlen(buf)) + 48 < size; i++)
    {
        const SecBuffer *b = &desc->pBuffers[i];
        ULONG type = b->BufferType & ~SECBUFFER_ATTRMASK;

        if (type < 19)
            snprintf(buf + len, size - len, "%s%s %lu %p", i ? ", " : "", buffer_type_name(type), b->cbBuffer,
                     b->pvBuffer);
        else
            snprintf(buf + len, size - len, "%s%#lx %lu %p", i ? ", " : "", b->BufferType, b->cbBuffer, b->pvBuffer);
    }
    len = strlen(buf);
    snprintf(buf + len, size - len, i < desc->cBuffers ? ", ...}" : "}");
    return buf;
}
