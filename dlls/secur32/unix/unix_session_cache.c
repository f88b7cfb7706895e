/*
 * The server's session cache: TLS 1.0-1.2 resumption by session ID
 * (RFC 5246 7.4.1.2) for clients that send no ticket, as Windows' Schannel
 * server does.  Like Windows' cache it is one per process, bounded
 * (SERVER_CACHE_MAX entries, the oldest goes first) and each entry expires
 * with its credential's session lifespan.  GnuTLS reaches it through its
 * gnutls_db_set_* callbacks and does every check of a resumption itself
 * (cipher suite, version, extended master secret per RFC 7627 5.3), so a
 * resumption behaves exactly as a native GnuTLS server's.
 *
 * Entries are keyed by credential and session ID: a session made under one
 * credential never resumes under another one's certificate.  A credential
 * takes its entries with it when it is freed.
 */
#include <stdlib.h>
#include <string.h>

#include "unix_private.h"

/* Windows' default limit (the MaximumCacheSize of the SCHANNEL registry key). */
#define SERVER_CACHE_MAX     20000
#define SERVER_CACHE_BUCKETS 4096
#define SESSION_ID_MAX       32      /* TLS session IDs are 0-32 bytes */

struct server_entry {
    struct server_entry *hash_next;
    struct server_entry *older, *newer;   /* age list, for eviction */
    const struct schan_cred *cred;
    uint8_t id[SESSION_ID_MAX];
    unsigned int id_len;
    gnutls_datum_t data;
    time_t expires;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct server_entry *buckets[SERVER_CACHE_BUCKETS];
static struct server_entry *oldest, *newest;
static unsigned int entry_count;
static unsigned int entry_limit = SERVER_CACHE_MAX;

static unsigned int bucket_of(const struct schan_cred *cred, const uint8_t *id, unsigned int len)
{
    uint32_t h = 2166136261u ^ (uint32_t)((uintptr_t)cred >> 4);   /* FNV-1a */

    for (unsigned int i = 0; i < len; i++)
        h = (h ^ id[i]) * 16777619u;
    return h % SERVER_CACHE_BUCKETS;
}

static int key_usable(const gnutls_datum_t *key)
{
    return key->data && key->size && key->size <= SESSION_ID_MAX;
}

static struct server_entry **find_link(const struct schan_cred *cred, const gnutls_datum_t *key)
{
    struct server_entry **link = &buckets[bucket_of(cred, key->data, key->size)];

    for (; *link; link = &(*link)->hash_next)
        if ((*link)->cred == cred && (*link)->id_len == key->size && !memcmp((*link)->id, key->data, key->size))
            return link;
    return link;
}

/* Takes e out of its bucket and the age list and frees it (lock held). */
static void unlink_entry(struct server_entry **link)
{
    struct server_entry *e = *link;

    *link = e->hash_next;
    if (e->older) e->older->newer = e->newer; else oldest = e->newer;
    if (e->newer) e->newer->older = e->older; else newest = e->older;
    entry_count--;
    gnutls_memset(e->data.data, 0, e->data.size);   /* it holds the master secret */
    free(e->data.data);
    free(e);
}

static void remove_entry(struct server_entry *e)
{
    gnutls_datum_t key = { e->id, e->id_len };

    unlink_entry(find_link(e->cred, &key));
}

/* Drops expired entries from the old end, and the oldest while full. */
static void make_room(time_t now)
{
    while (oldest && (oldest->expires <= now || entry_count >= entry_limit))
        remove_entry(oldest);
}

static int cache_store(void *ptr, gnutls_datum_t key, gnutls_datum_t data)
{
    const struct schan_cred *cred = ptr;
    struct server_entry *e, **link;
    time_t now = time(NULL);

    if (!key_usable(&key) || !data.size || !(e = calloc(1, sizeof(*e))))
        return -1;
    if (!(e->data.data = malloc(data.size)))
    {
        free(e);
        return -1;
    }
    memcpy(e->data.data, data.data, data.size);
    e->data.size = data.size;
    memcpy(e->id, key.data, key.size);
    e->id_len = key.size;
    e->cred = cred;
    e->expires = now + cred->lifespan_s;
    pthread_mutex_lock(&cache_lock);
    if (*(link = find_link(cred, &key)))
        unlink_entry(link);
    make_room(now);
    link = find_link(cred, &key);
    *link = e;
    e->older = newest;
    if (newest) newest->newer = e; else oldest = e;
    newest = e;
    entry_count++;
    pthread_mutex_unlock(&cache_lock);
    return 0;
}

static gnutls_datum_t cache_retrieve(void *ptr, gnutls_datum_t key)
{
    gnutls_datum_t copy = { NULL, 0 };
    struct server_entry *e;

    if (!key_usable(&key))
        return copy;
    pthread_mutex_lock(&cache_lock);
    if ((e = *find_link(ptr, &key)) && e->expires > time(NULL) && (copy.data = gnutls_malloc(e->data.size)))
    {
        memcpy(copy.data, e->data.data, e->data.size);
        copy.size = e->data.size;
    }
    pthread_mutex_unlock(&cache_lock);
    return copy;
}

static int cache_remove(void *ptr, gnutls_datum_t key)
{
    struct server_entry **link;
    int ret = -1;

    if (!key_usable(&key))
        return -1;
    pthread_mutex_lock(&cache_lock);
    if (*(link = find_link(ptr, &key)))
    {
        unlink_entry(link);
        ret = 0;
    }
    pthread_mutex_unlock(&cache_lock);
    return ret;
}

void schan_server_cache_attach(gnutls_session_t s, struct schan_cred *cred)
{
    gnutls_db_set_ptr(s, cred);
    gnutls_db_set_store_function(s, cache_store);
    gnutls_db_set_retrieve_function(s, cache_retrieve);
    gnutls_db_set_remove_function(s, cache_remove);
    gnutls_db_set_cache_expiration(s, (int)cred->lifespan_s);
}

void schan_server_cache_forget(const struct schan_cred *cred)
{
    struct server_entry *e, *next;

    pthread_mutex_lock(&cache_lock);
    for (e = oldest; e; e = next)
    {
        next = e->newer;
        if (e->cred == cred)
            remove_entry(e);
    }
    pthread_mutex_unlock(&cache_lock);
}

void schan_server_cache_set_limit(unsigned int limit)
{
    pthread_mutex_lock(&cache_lock);
    entry_limit = limit ? limit : SERVER_CACHE_MAX;
    pthread_mutex_unlock(&cache_lock);
}

unsigned int schan_server_cache_size(void)
{
    unsigned int n;

    pthread_mutex_lock(&cache_lock);
    n = entry_count;
    pthread_mutex_unlock(&cache_lock);
    return n;
}
