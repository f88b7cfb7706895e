/* shim.c: what Wine's include/wine/test.h needs at link time that MinGW's
 * import libraries do not provide.  Under Wine, ntdll exports
 * __wine_dbg_strdup; MinGW's libntdll.a does not know it, so the test
 * programs carry their own: a copy in a per-thread ring of slots, which
 * lives long enough for the printf that uses it (as Wine's does). */
#include <stdlib.h>
#include <string.h>

#define SLOTS 32

const char *__cdecl __wine_dbg_strdup(const char *str)
{
    static _Thread_local char *ring[SLOTS];
    static _Thread_local unsigned next;
    size_t len = strlen(str) + 1;
    char **slot = &ring[next++ % SLOTS];
    char *copy = realloc(*slot, len);

    if (!copy) return "(out of memory)";
    *slot = copy;
    return memcpy(copy, str, len);
}
