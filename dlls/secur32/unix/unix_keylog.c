/*
 * SSLKEYLOGFILE: session secrets in the NSS key log format that Wireshark
 * reads ("LABEL <client random hex> <secret hex>" per line), for client and
 * server sessions of every protocol version: CLIENT_RANDOM for TLS 1.0-1.2,
 * the handshake/traffic/exporter secrets for TLS 1.3.
 *
 * GnuTLS 3.7 writes SSLKEYLOGFILE by itself when no keylog function is set.
 * Every session gets ours, so each secret is written exactly once, by us,
 * and nothing at all when the variable is unset.  Each line is one write()
 * under an exclusive flock on an O_APPEND descriptor, so concurrent sessions
 * and processes never interleave within a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "unix_private.h"

#define CLIENT_RANDOM_SIZE 32
#define MAX_SECRET_SIZE 64
#define MAX_LABEL_SIZE 64

static pthread_once_t path_once = PTHREAD_ONCE_INIT;
static char *keylog_path;
static int open_failed_reported;

static void read_path(void)
{
    const char *env = getenv("SSLKEYLOGFILE");

    if (env && *env)
        keylog_path = strdup(env);
    if (keylog_path)
        WARN("SSLKEYLOGFILE is set: TLS session secrets are appended to %s\n", keylog_path);
}

static char *put_hex(char *out, const uint8_t *data, size_t size)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < size; i++)
    {
        *out++ = digits[data[i] >> 4];
        *out++ = digits[data[i] & 15];
    }
    return out;
}

/* "LABEL <client random> <secret>\n" into line; returns its length or 0. */
static size_t format_line(char *line, const char *label, const gnutls_datum_t *random,
                          const gnutls_datum_t *secret)
{
    size_t label_len = strlen(label);
    char *p = line;

    if (label_len > MAX_LABEL_SIZE || random->size != CLIENT_RANDOM_SIZE || secret->size > MAX_SECRET_SIZE)
        return 0;
    memcpy(p, label, label_len);
    p += label_len;
    *p++ = ' ';
    p = put_hex(p, random->data, random->size);
    *p++ = ' ';
    p = put_hex(p, secret->data, secret->size);
    *p++ = '\n';
    return (size_t)(p - line);
}

static int append_line(const char *line, size_t len)
{
    int fd = open(keylog_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    ssize_t done = 0;

    if (fd < 0)
        return -errno;
    while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
        ;
    while ((size_t)done < len)
    {
        ssize_t n = write(fd, line + done, len - (size_t)done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += n;
    }
    flock(fd, LOCK_UN);
    close(fd);
    return (size_t)done == len ? 0 : -EIO;
}

static int keylog_secret(gnutls_session_t s, const char *label, const gnutls_datum_t *secret)
{
    char line[MAX_LABEL_SIZE + 3 + 2 * (CLIENT_RANDOM_SIZE + MAX_SECRET_SIZE)];
    gnutls_datum_t client_random, server_random;
    size_t len;
    int err;

    pthread_once(&path_once, read_path);
    if (!keylog_path)
        return 0;
    gnutls_session_get_random(s, &client_random, &server_random);
    if (!(len = format_line(line, label, &client_random, secret)))
    {
        WARN("secret %s (%u bytes) not logged: unexpected size\n", label, secret->size);
        return 0;
    }
    err = append_line(line, len);
    gnutls_memset(line, 0, sizeof(line));
    if (err && !__atomic_exchange_n(&open_failed_reported, 1, __ATOMIC_RELAXED))
        ERR("cannot append to SSLKEYLOGFILE %s: %s; check the path and its permissions\n",
            keylog_path, strerror(-err));
    else if (!err)
        TRACE("session %p: %s appended to the key log\n", (void *)s, label);
    return 0;
}

void schan_keylog_attach(gnutls_session_t s)
{
    gnutls_session_set_keylog_function(s, keylog_secret);
}
