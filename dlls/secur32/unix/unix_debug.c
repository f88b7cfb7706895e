/*
 * Debug output of the Unix half on Wine's channel "schannel".
 *
 * Under Wine, ntdll.so exports the same three debug entry points to Unix
 * libraries that ntdll.dll exports to PE code; using them makes WINEDEBUG
 * decide what is printed and gives our lines Wine's "0024:trace:schannel:fn"
 * prefix, so they interleave with the PE half's and Wine's own.  Outside Wine
 * (the native unit tests) a small reader of WINEDEBUG stands in, printing
 * the same "class:schannel:fn message" lines without the thread prefix.
 *
 * Wine's functions are called only from a thread inside one of our Unix
 * calls (a thread Wine made: they read its per-thread state), in the calling
 * convention the running Wine uses (unix_wine_dbg.c).  Any other thread
 * writes the same lines to stderr itself.
 *
 * GnuTLS's own log goes to trace:schannel too, but only when trace is on and
 * SECUR32_GNUTLS_LOG_LEVEL is 1..8: level 9 and up print key material.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unix_private.h"
#include "unix_wine_dbg.h"

#define MAX_GNUTLS_LOG_LEVEL 8

/* ntdll.so's exports (NULL outside Wine) and the convention they use, found
 * on the first call from a Wine thread (unix_wine_dbg.c). */
static void *wine_get_flags, *wine_header, *wine_output, *wine_strdup;
static int dbg_abi = WINE_DBG_ABI_UNKNOWN;     /* enum wine_dbg_abi, atomic */
static struct wine_debug_channel channel = { 0xff, "schannel" };
static unsigned char fallback_flags;
static pthread_once_t dbg_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t abi_lock = PTHREAD_MUTEX_INITIALIZER;
/* Set while this thread is inside one of our Unix calls: such a thread was
 * made by Wine and has the per-thread state Wine's debug functions use.  A
 * pthread of our own never has it, and never calls into Wine. */
static __thread int in_wine_call;

/* ---- outside Wine: WINEDEBUG read the way Wine reads it ---- */

static int class_bit(const char *name, size_t len)
{
    static const char *const names[] = { "fixme", "err", "warn", "trace" };

    for (int i = 0; i < 4; i++)
        if (strlen(names[i]) == len && !strncmp(names[i], name, len))
            return 1 << i;
    return 0;
}

/* One item: [class]+name or [class]-name, name "all" or a channel. */
static void apply_item(const char *item, size_t len, unsigned char *flags)
{
    const char *op = memchr(item, '+', len);
    const char *minus = memchr(item, '-', len);
    unsigned char bits;
    size_t name_len;

    if (!op || (minus && minus < op))
        op = minus;
    if (!op)
        return;
    bits = op == item ? 0x0f : (unsigned char)class_bit(item, (size_t)(op - item));
    name_len = len - (size_t)(op - item) - 1;
    if (!(name_len == 3 && !strncmp(op + 1, "all", 3))
        && !(name_len == strlen(channel.name) && !strncmp(op + 1, channel.name, name_len)))
        return;
    if (*op == '+')
        *flags |= bits;
    else
        *flags &= (unsigned char)~bits;
}

static unsigned char parse_winedebug(const char *spec)
{
    unsigned char flags = 1 << SCHAN_DBG_ERR | 1 << SCHAN_DBG_FIXME;   /* Wine's default */

    while (spec && *spec)
    {
        size_t len = strcspn(spec, ",");

        apply_item(spec, len, &flags);
        spec += len + (spec[len] == ',');
    }
    return flags;
}

/* ---- under Wine ---- */

static int find_ntdll(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *name = info->dlpi_name, *slash;

    (void)size;
    slash = name ? strrchr(name, '/') : NULL;
    if (slash && !strcmp(slash + 1, "ntdll.so"))
    {
        *(void **)data = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
        return 1;
    }
    return 0;
}

static void *wine_symbol(void *ntdll, const char *name)
{
    void *sym = dlsym(RTLD_DEFAULT, name);

    return sym ? sym : ntdll ? dlsym(ntdll, name) : NULL;
}

static void resolve(void)
{
    void *ntdll = NULL;

    if (!dlsym(RTLD_DEFAULT, "__wine_dbg_output"))
        dl_iterate_phdr(find_ntdll, &ntdll);
    wine_get_flags = wine_symbol(ntdll, "__wine_dbg_get_channel_flags");
    wine_header = wine_symbol(ntdll, "__wine_dbg_header");
    wine_output = wine_symbol(ntdll, "__wine_dbg_output");
    wine_strdup = wine_symbol(ntdll, "__wine_dbg_strdup");
    if (!wine_get_flags || !wine_header || !wine_output || !wine_strdup)
        wine_get_flags = NULL;
    /* Also under Wine: threads Wine did not make read WINEDEBUG themselves. */
    fallback_flags = parse_winedebug(getenv("WINEDEBUG"));
    /* ntdll.so stays loaded for the life of the process: no dlclose. */
}

static void dbg_init(void)
{
    pthread_once(&dbg_once, resolve);
}

/* A line asked for outside a call Wine made on its own thread: such a
 * thread may not use Wine's debug functions.  With SECUR32_DEBUG_STRICT=1
 * (the tests) the process aborts there, so the mistake cannot go unseen. */
static void outside_wine_call(void)
{
    static const char msg[] = "secur32.so: debug output outside a call from a Wine thread\n";
    const char *strict = getenv("SECUR32_DEBUG_STRICT");

    if (strict && *strict == '1')
    {
        fputs(msg, stderr);
        abort();
    }
}

void schan_dbg_enter_wine_call(int *saved)
{
    *saved = in_wine_call;
    in_wine_call = 1;
}

void schan_dbg_leave_wine_call(int saved)
{
    in_wine_call = saved;
}

/* The convention of Wine's debug exports, or NONE when this thread may not
 * or cannot call them (outside Wine, or a thread Wine did not make). */
static enum wine_dbg_abi wine_abi(void)
{
    int abi;

    dbg_init();
    if (!wine_get_flags)
        return WINE_DBG_ABI_NONE;
    if (!in_wine_call)
    {
        outside_wine_call();
        return WINE_DBG_ABI_NONE;
    }
    abi = __atomic_load_n(&dbg_abi, __ATOMIC_ACQUIRE);
    if (abi != WINE_DBG_ABI_UNKNOWN)
        return (enum wine_dbg_abi)abi;
    pthread_mutex_lock(&abi_lock);
    abi = __atomic_load_n(&dbg_abi, __ATOMIC_ACQUIRE);
    if (abi == WINE_DBG_ABI_UNKNOWN)
    {
        abi = wine_dbg_probe_abi(wine_strdup);
        __atomic_store_n(&dbg_abi, abi, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&abi_lock);
    return (enum wine_dbg_abi)abi;
}

int schan_dbg_enabled(enum schan_dbg_class cls)
{
    enum wine_dbg_abi abi = wine_abi();
    unsigned char flags;

    if (abi == WINE_DBG_ABI_NONE)
    {
        /* Wine's cached answer when it has one, else WINEDEBUG's. */
        flags = wine_get_flags ? __atomic_load_n(&channel.flags, __ATOMIC_RELAXED) : 0x80;
        if (flags & 0x80)
            flags = fallback_flags;
        return (flags >> cls) & 1;
    }
    flags = channel.flags;
    if (flags & 0x80)
        flags = abi == WINE_DBG_ABI_MS ? wine_dbg_flags_ms(wine_get_flags, &channel)
                                       : wine_dbg_flags_sysv(wine_get_flags, &channel);
    return (flags >> cls) & 1;
}

static void emit(enum schan_dbg_class cls, const char *func, const char *line)
{
    static const char *const names[] = { "fixme", "err", "warn", "trace" };
    enum wine_dbg_abi abi = wine_abi();

    if (abi == WINE_DBG_ABI_MS)
    {
        if (wine_dbg_header_ms(wine_header, cls, &channel, func) != -1)
            wine_dbg_output_ms(wine_output, line);
        return;
    }
    if (abi == WINE_DBG_ABI_SYSV)
    {
        if (wine_dbg_header_sysv(wine_header, cls, &channel, func) != -1)
            wine_dbg_output_sysv(wine_output, line);
        return;
    }
    fprintf(stderr, "%s:%s:%s %s", names[cls], channel.name, func, line);
}

void schan_dbg_printf(enum schan_dbg_class cls, const char *func, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    size_t len;

    if (!schan_dbg_enabled(cls))
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    len = strlen(line);
    if (!len || line[len - 1] != '\n')
        memcpy(line + len, "\n", 2);
    emit(cls, func, line);
}

/* ---- GnuTLS's own log ---- */

static void gnutls_log(int level, const char *text)
{
    char line[1024];
    size_t len;

    snprintf(line, sizeof(line), "gnutls%d: %s", level, text);
    len = strlen(line);
    if (!len || line[len - 1] != '\n')
    {
        if (len + 1 >= sizeof(line))
            len = sizeof(line) - 2;
        memcpy(line + len, "\n", 2);
    }
    emit(SCHAN_DBG_TRACE, "gnutls", line);
}

void schan_dbg_gnutls_log_init(void)
{
    const char *env = getenv("SECUR32_GNUTLS_LOG_LEVEL");
    long level = env ? strtol(env, NULL, 10) : 0;

    if (level <= 0 || !schan_dbg_enabled(SCHAN_DBG_TRACE))
        return;
    if (level > MAX_GNUTLS_LOG_LEVEL)
    {
        WARN("SECUR32_GNUTLS_LOG_LEVEL=%ld lowered to %d: higher GnuTLS levels print secrets\n",
             level, MAX_GNUTLS_LOG_LEVEL);
        level = MAX_GNUTLS_LOG_LEVEL;
    }
    gnutls_global_set_log_function(gnutls_log);
    gnutls_global_set_log_level((int)level);
    TRACE("GnuTLS %s log at level %ld\n", gnutls_check_version(NULL), level);
}

const char *schan_dbg_hex(const void *data, size_t size, char *buf, size_t buf_size)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = data;
    size_t i;

    for (i = 0; i < size && 3 * i + 3 <= buf_size; i++)
    {
        buf[3 * i] = digits[p[i] >> 4];
        buf[3 * i + 1] = digits[p[i] & 15];
        buf[3 * i + 2] = ' ';
    }
    buf[i ? 3 * i - 1 : 0] = 0;
    return buf;
}
