/*
 * sspicat: a TLS client and server on SSPI/Schannel.
 *
 *   sspicat [options] HOST PORT        connect, like openssl s_client
 *   sspicat -l [options] PORT          listen on 127.0.0.1, like openssl s_server
 *
 * What was negotiated goes to stderr, received data to stdout.  Exit codes:
 * 0 success, 1 TLS/SSPI failure (the message names the SEC_E_ code),
 * 2 usage, 3 network failure.
 */
#include <fcntl.h>
#include <io.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "sspicat.h"

static const char usage_text[] =
"usage: sspicat [options] HOST PORT       connect to HOST:PORT\n"
"       sspicat -l [options] PORT         listen on 127.0.0.1:PORT (0 = any free port)\n"
"options:\n"
"  --tls1.0 | --tls1.1 | --tls1.2 | --tls1.3   only this protocol version\n"
"  --min VER, --max VER      protocol range, VER = 1.0, 1.1, 1.2 or 1.3\n"
"  --schannel-cred           use SCHANNEL_CRED instead of SCH_CREDENTIALS (no TLS 1.3;\n"
"                            implied by a range of TLS 1.0/1.1 without TLS 1.3)\n"
"  --alpn LIST               offer / accept these ALPN protocols, e.g. h2,http/1.1\n"
"  --sni NAME                target name (SNI and name check; default HOST; \"\" = none)\n"
"  --cert FILE.pfx           our certificate and key (server: required)\n"
"  --pass PASSWORD           password of the PFX file (default empty)\n"
"  --request-cert            server: ask the client for a certificate\n"
"  --insecure                client: do not validate the server's certificate\n"
"  --cafile FILE.pem         client: validate the server's chain against this CA only\n"
"                            (default: Schannel's automatic validation)\n"
"  --send TEXT               send TEXT and a newline after the handshake\n"
"                            (client default: send standard input)\n"
"  --echo                    send back what is received\n"
"  --reconnect               client: connect a second time with the same credential\n"
"  -n N                      server: accept N connections (default 1)\n"
"  --wait MS                 close after MS ms without traffic (default 1000)\n"
"  -q, --quiet | -v, --verbose  (verbose adds the DLL's own schannel traces)\n"
"DTLS over UDP (client and server; data with --send and --echo only):\n"
"  --dtls | --dtls1.0 | --dtls1.2  DTLS, any version or only this one (SCHANNEL_CRED)\n"
"  --mtu N                   largest datagram (SECBUFFER_DTLS_MTU; default 1096)\n"
"  --srtp P1:P2              offer / accept these DTLS-SRTP profiles, e.g.\n"
"                            SRTP_AES128_CM_HMAC_SHA1_80:SRTP_AEAD_AES_128_GCM\n"
"  --keymat N                print N bytes of keying material \"EXTRACTOR-dtls_srtp\"\n";

static struct options options = { .count = 1, .min_ver = -1, .max_ver = -1, .verbosity = 1, .wait_ms = 1000,
                                  .accept_secs = 60 };
const struct options *opt = &options;

/* ---------------------------------------------------------------- messages */

static void vprint(const char *prefix, const char *fmt, va_list args)
{
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    fflush(stderr);
}

void info(const char *fmt, ...)
{
    va_list args;
    if (opt->verbosity < 1)
        return;
    va_start(args, fmt);
    vprint("", fmt, args);
    va_end(args);
}

void verbose(const char *fmt, ...)
{
    va_list args;
    if (opt->verbosity < 2)
        return;
    va_start(args, fmt);
    vprint("sspicat: ", fmt, args);
    va_end(args);
}

void error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vprint("sspicat: error: ", fmt, args);
    va_end(args);
}

static const struct { SECURITY_STATUS status; const char *name, *text; } statuses[] = {
#define S(code, text) { code, #code, text }
    S(SEC_E_OK, "success"),
    S(SEC_I_CONTINUE_NEEDED, "more handshake messages to come"),
    S(SEC_I_CONTEXT_EXPIRED, "the peer closed the connection (close_notify)"),
    S(SEC_I_INCOMPLETE_CREDENTIALS, "the server asked for a client certificate"),
    S(SEC_I_RENEGOTIATE, "a post-handshake message arrived"),
    S(SEC_I_MESSAGE_FRAGMENT, "more datagrams of this flight to send: call again"),
    S(SEC_E_INCOMPLETE_MESSAGE, "more input is needed"),
    S(SEC_E_INSUFFICIENT_MEMORY, "not enough memory or output space"),
    S(SEC_E_INVALID_HANDLE, "invalid handle"),
    S(SEC_E_UNSUPPORTED_FUNCTION, "unsupported function"),
    S(SEC_E_INTERNAL_ERROR, "internal error"),
    S(SEC_E_INVALID_TOKEN, "the token is invalid"),
    S(SEC_E_UNKNOWN_CREDENTIALS, "the credentials are not recognised"),
    S(SEC_E_NO_CREDENTIALS, "no credentials are available"),
    S(SEC_E_MESSAGE_ALTERED, "the message was altered"),
    S(SEC_E_OUT_OF_SEQUENCE, "message out of sequence"),
    S(SEC_E_CONTEXT_EXPIRED, "the context has expired"),
    S(SEC_E_BUFFER_TOO_SMALL, "buffer too small"),
    S(SEC_E_WRONG_PRINCIPAL, "the server's certificate does not match the target name"),
    S(SEC_E_UNTRUSTED_ROOT, "the certificate chain was issued by an authority that is not trusted"),
    S(SEC_E_ILLEGAL_MESSAGE, "the peer sent an illegal message or alert"),
    S(SEC_E_CERT_UNKNOWN, "unknown certificate problem"),
    S(SEC_E_CERT_EXPIRED, "the certificate has expired or is not yet valid"),
    S(SEC_E_ENCRYPT_FAILURE, "encryption failed"),
    S(SEC_E_DECRYPT_FAILURE, "decryption failed"),
    S(SEC_E_ALGORITHM_MISMATCH, "client and server have no protocol or cipher suite in common"),
    S(SEC_E_CERT_WRONG_USAGE, "the certificate is not valid for this use"),
    S(SEC_E_INVALID_PARAMETER, "invalid parameter"),
    S(SEC_E_APPLICATION_PROTOCOL_MISMATCH, "no application protocol in common"),
    S(CRYPT_E_REVOKED, "the certificate was revoked"),
    S(CRYPT_E_REVOCATION_OFFLINE, "the revocation server was offline"),
#undef S
};

const char *status_name(SECURITY_STATUS status)
{
    static char unknown[32];
    size_t i;

    for (i = 0; i < ARRAY_SIZE(statuses); i++)
        if (statuses[i].status == status)
            return statuses[i].name;
    snprintf(unknown, sizeof(unknown), "0x%08lx", (unsigned long)status);
    return unknown;
}

const char *status_text(SECURITY_STATUS status)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(statuses); i++)
        if (statuses[i].status == status)
            return statuses[i].text;
    return "unknown status";
}

void sspi_error(const char *call, SECURITY_STATUS status)
{
    error("%s failed: %s (0x%08lx): %s", call, status_name(status), (unsigned long)status, status_text(status));
}

/* ---------------------------------------------------------------- options */

static int version_index(const char *v)
{
    static const char *names[] = { "1.0", "1.1", "1.2", "1.3" };
    int i;

    for (i = 0; i < 4; i++)
        if (!strcmp(v, names[i]))
            return i;
    return -1;
}

static void usage_error(const char *fmt, const char *arg)
{
    fputs("sspicat: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(usage_text, stderr);
    exit(2);
}

static const char *need_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        usage_error("option %s needs an argument", argv[*i]);
    return argv[++*i];
}

static void parse_options(int argc, char **argv)
{
    const char *pos[2];
    int i, npos = 0;

    for (i = 1; i < argc; i++)
    {
        const char *a = argv[i];
        if (!strcmp(a, "-l") || !strcmp(a, "--listen")) options.listen = TRUE;
        else if (!strcmp(a, "-n")) options.count = atoi(need_arg(argc, argv, &i));
        else if (!strncmp(a, "--tls", 5) && version_index(a + 5) >= 0)
            options.min_ver = options.max_ver = version_index(a + 5);
        else if (!strcmp(a, "--min") && (options.min_ver = version_index(need_arg(argc, argv, &i))) < 0)
            usage_error("bad version %s (1.0, 1.1, 1.2 or 1.3)", argv[i]);
        else if (!strcmp(a, "--max") && (options.max_ver = version_index(need_arg(argc, argv, &i))) < 0)
            usage_error("bad version %s (1.0, 1.1, 1.2 or 1.3)", argv[i]);
        else if (!strcmp(a, "--min") || !strcmp(a, "--max")) continue;
        else if (!strcmp(a, "--schannel-cred")) options.schannel_cred = TRUE;
        else if (!strcmp(a, "--dtls")) options.dtls = TRUE;
        else if (!strcmp(a, "--dtls1.0")) { options.dtls = TRUE; options.dtls_bits = SP_PROT_DTLS1_0_CLIENT; }
        else if (!strcmp(a, "--dtls1.2")) { options.dtls = TRUE; options.dtls_bits = SP_PROT_DTLS1_2_CLIENT; }
        else if (!strcmp(a, "--mtu")) options.mtu = strtoul(need_arg(argc, argv, &i), NULL, 10);
        else if (!strcmp(a, "--srtp")) options.srtp = need_arg(argc, argv, &i);
        else if (!strcmp(a, "--keymat")) options.keymat = strtoul(need_arg(argc, argv, &i), NULL, 10);
        else if (!strcmp(a, "--alpn")) options.alpn = need_arg(argc, argv, &i);
        else if (!strcmp(a, "--sni")) options.sni = need_arg(argc, argv, &i);
        else if (!strcmp(a, "--cert")) options.cert = need_arg(argc, argv, &i);
        else if (!strcmp(a, "--pass")) options.cert_pass = need_arg(argc, argv, &i);
        else if (!strcmp(a, "--request-cert")) options.request_cert = TRUE;
        else if (!strcmp(a, "--insecure")) options.validation = VALIDATE_NONE;
        else if (!strcmp(a, "--cafile"))
        {
            options.cafile = need_arg(argc, argv, &i);
            options.validation = VALIDATE_CAFILE;
        }
        else if (!strcmp(a, "--send")) options.send = need_arg(argc, argv, &i);
        else if (!strcmp(a, "--echo")) options.echo = TRUE;
        else if (!strcmp(a, "--reconnect")) options.reconnect = TRUE;
        else if (!strcmp(a, "--wait")) options.wait_ms = strtoul(need_arg(argc, argv, &i), NULL, 10);
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) options.verbosity = 0;
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) options.verbosity = 2;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage_text, stdout); exit(0); }
        else if (a[0] == '-' && a[1]) usage_error("unknown option %s", a);
        else if (npos < 2) pos[npos++] = a;
        else usage_error("unexpected argument %s", a);
    }
    if (options.listen ? npos != 1 : npos != 2)
        usage_error("%s", options.listen ? "-l needs exactly one PORT" : "need HOST and PORT");
    if (options.listen)
        options.port = pos[0];
    else
    {
        options.host = pos[0];
        options.port = pos[1];
    }
    if (options.listen && !options.cert)
        usage_error("%s", "a server needs --cert FILE.pfx");
    if (options.count < 1)
        options.count = 1;
    if (options.min_ver > options.max_ver && options.max_ver >= 0)
        usage_error("%s", "--min is above --max");
    if (options.dtls && !dtls_check_options())
        usage_error("bad SRTP profile list %s", options.srtp);
}

/* ---------------------------------------------------------------- credentials */

static DWORD protocol_bits(BOOL server)
{
    static const DWORD client_bits[] = { SP_PROT_TLS1_0_CLIENT, SP_PROT_TLS1_1_CLIENT, SP_PROT_TLS1_2_CLIENT,
                                         SP_PROT_TLS1_3_CLIENT };
    int lo = opt->min_ver < 0 ? 0 : opt->min_ver, hi = opt->max_ver < 0 ? 3 : opt->max_ver, i;
    DWORD bits = 0;

    for (i = lo; i <= hi; i++)
        bits |= server ? client_bits[i] >> 1 : client_bits[i];
    return bits;
}

static DWORD dtls_protocol_bits(BOOL server)
{
    DWORD bits = opt->dtls_bits ? opt->dtls_bits : SP_PROT_DTLS1_0_CLIENT | SP_PROT_DTLS1_2_CLIENT;
    return server ? bits >> 1 : bits;
}

static SECURITY_STATUS acquire(CredHandle *cred, PCCERT_CONTEXT cert)
{
    BOOL server = opt->listen, limited = opt->min_ver >= 0 || opt->max_ver >= 0;
    DWORD all = protocol_bits(server) | (server ? SP_PROT_TLS1_SERVER | SP_PROT_TLS1_1_SERVER
                                                      | SP_PROT_TLS1_2_SERVER | SP_PROT_TLS1_3_SERVER
                                                : SP_PROT_TLS1_CLIENT | SP_PROT_TLS1_1_CLIENT
                                                      | SP_PROT_TLS1_2_CLIENT | SP_PROT_TLS1_3_CLIENT);
    SCHANNEL_CRED v4 = { .dwVersion = SCHANNEL_CRED_VERSION };
    SCH_CREDENTIALS v5 = { .dwVersion = SCH_CREDENTIALS_VERSION };
    TLS_PARAMETERS params = { 0 };
    DWORD flags = 0;
    TimeStamp expiry;
    SECURITY_STATUS status;

    /* SCH_CREDENTIALS can only disable protocols of the system default set,
     * which no longer has TLS 1.0 and 1.1; asking for them without TLS 1.3
     * takes SCHANNEL_CRED's grbitEnabledProtocols, as Windows programs do. */
    if (!opt->schannel_cred && opt->min_ver >= 0 && opt->min_ver < 2 && opt->max_ver >= 0 && opt->max_ver < 3)
    {
        verbose("TLS 1.0/1.1 requested without TLS 1.3: using SCHANNEL_CRED");
        options.schannel_cred = TRUE;
    }
    if (!server)
    {
        flags |= SCH_CRED_NO_DEFAULT_CREDS;
        flags |= opt->validation == VALIDATE_AUTO ? SCH_CRED_AUTO_CRED_VALIDATION : SCH_CRED_MANUAL_CRED_VALIDATION;
    }
    if (opt->dtls)
    {
        /* DTLS bits go in SCHANNEL_CRED's grbitEnabledProtocols */
        options.schannel_cred = TRUE;
        limited = TRUE;
    }
    if (opt->schannel_cred)
    {
        v4.cCreds = cert ? 1 : 0;
        v4.paCred = cert ? &cert : NULL;
        v4.grbitEnabledProtocols = !limited ? 0 : opt->dtls ? dtls_protocol_bits(server) : protocol_bits(server);
        v4.dwFlags = flags;
    }
    else
    {
        v5.cCreds = cert ? 1 : 0;
        v5.paCred = cert ? &cert : NULL;
        v5.dwFlags = flags;
        params.grbitDisabledProtocols = all & ~protocol_bits(server);
        v5.cTlsParameters = limited ? 1 : 0;
        v5.pTlsParameters = limited ? &params : NULL;
    }
    status = AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)UNISP_NAME_W,
                                       server ? SECPKG_CRED_INBOUND : SECPKG_CRED_OUTBOUND, NULL,
                                       opt->schannel_cred ? (void *)&v4 : (void *)&v5, NULL, NULL, cred, &expiry);
    if (status)
        sspi_error("AcquireCredentialsHandle", status);
    else
        verbose("credential: %s, protocols %s%#lx", opt->schannel_cred ? "SCHANNEL_CRED" : "SCH_CREDENTIALS",
                limited ? (opt->schannel_cred ? "enabled " : "disabled ") : "system default ",
                limited ? (opt->schannel_cred ? protocol_bits(server) : params.grbitDisabledProtocols) : 0ul);
    return status;
}

/* ---------------------------------------------------------------- connections */

/* A socket of `type` (SOCK_STREAM, or SOCK_DGRAM for DTLS) connected to HOST:PORT. */
SOCKET connect_to(const char *host, const char *port, int type)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = type }, *res, *ai;
    SOCKET s = INVALID_SOCKET;
    int err;

    if ((err = getaddrinfo(host, port, &hints, &res)))
    {
        error("cannot resolve %s port %s (error %d)", host, port, err);
        return INVALID_SOCKET;
    }
    for (ai = res; ai && s == INVALID_SOCKET; ai = ai->ai_next)
    {
        s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s != INVALID_SOCKET && connect(s, ai->ai_addr, (int)ai->ai_addrlen))
        {
            closesocket(s);
            s = INVALID_SOCKET;
        }
    }
    freeaddrinfo(res);
    if (s == INVALID_SOCKET)
        error("cannot connect to %s port %s (WSA error %d)", host, port, WSAGetLastError());
    return s;
}

/* A socket bound to 127.0.0.1:PORT: listening (SOCK_STREAM) or waiting for
 * datagrams (SOCK_DGRAM, DTLS). */
SOCKET listen_on(const char *port, int type)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((u_short)atoi(port)) };
    int len = sizeof(addr);
    SOCKET s = socket(AF_INET, type, 0);

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)&addr, sizeof(addr))
        || (type == SOCK_STREAM && listen(s, 4))
        || getsockname(s, (struct sockaddr *)&addr, &len))
    {
        error("cannot listen on 127.0.0.1 port %s (WSA error %d)", port, WSAGetLastError());
        if (s != INVALID_SOCKET)
            closesocket(s);
        return INVALID_SOCKET;
    }
    /* Printed even with --quiet: scripts wait for this line. */
    fprintf(stderr, "sspicat: listening on 127.0.0.1:%u%s\n", ntohs(addr.sin_port),
            type == SOCK_DGRAM ? " (UDP, DTLS)" : "");
    fflush(stderr);
    return s;
}

static SOCKET accept_one(SOCKET listener)
{
    struct timeval tv = { .tv_sec = opt->accept_secs };
    fd_set readable;
    SOCKET s;

    FD_ZERO(&readable);
    FD_SET(listener, &readable);
    if (select(0, &readable, NULL, NULL, &tv) <= 0)
    {
        error("no connection within %lu seconds", opt->accept_secs);
        return INVALID_SOCKET;
    }
    if ((s = accept(listener, NULL, NULL)) == INVALID_SOCKET)
        error("accept failed (WSA error %d)", WSAGetLastError());
    return s;
}

static WCHAR *widen(const char *s)
{
    int len = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    WCHAR *w = malloc(len * sizeof(WCHAR));

    if (w)
        MultiByteToWideChar(CP_UTF8, 0, s, -1, w, len);
    return w;
}

/* One TLS connection on a connected socket; returns an exit code. */
static int run_connection(struct conn *c, const char *peer, HCERTSTORE roots)
{
    SECURITY_STATUS status;
    int rc;

    if ((status = tls_handshake(c)))
    {
        if (c->have_ctx)
            DeleteSecurityContext(&c->ctx);
        closesocket(c->sock);
        return 1;
    }
    print_negotiated(c, peer);
    if (!c->server && opt->validation == VALIDATE_CAFILE)
    {
        if ((status = validate_server(&c->ctx, roots, c->target)))
        {
            error("certificate validation against %s failed: %s (0x%08lx): %s", opt->cafile, status_name(status),
                  (unsigned long)status, status_text(status));
            tls_close(c);
            return 1;
        }
        info("  %-15s%s", "validation:", "ok (chain to --cafile root, name matches)");
    }
    else if (!c->server)
        info("  %-15s%s", "validation:", opt->validation == VALIDATE_NONE ? "skipped (--insecure)"
                                                                         : "ok (Schannel automatic)");
    rc = tls_session(c);
    if (c->close_notify_received)
        info("sspicat: the peer closed the connection (close_notify received)");
    tls_close(c);
    return rc;
}

static int run_client(CredHandle *cred, HCERTSTORE roots)
{
    const char *name = opt->sni ? opt->sni : opt->host;
    WCHAR *target = name[0] ? widen(name) : NULL;
    char peer[300];
    int round, rc = 0;

    snprintf(peer, sizeof(peer), "%s:%s", opt->host, opt->port);
    for (round = 0; round < (opt->reconnect ? 2 : 1) && !rc; round++)
    {
        struct conn c = { .cred = cred, .target = target };

        if (opt->alpn)
            c.alpn = build_alpn(opt->alpn, &c.alpn_size);
        if (round)
            info("sspicat: reconnecting with the same credential");
        if ((c.sock = connect_to(opt->host, opt->port, SOCK_STREAM)) == INVALID_SOCKET)
            rc = 3;
        else
            rc = run_connection(&c, peer, roots);
        free(c.buf);
        free(c.alpn);
    }
    free(target);
    return rc;
}

static int run_server(CredHandle *cred)
{
    SOCKET listener = listen_on(opt->port, SOCK_STREAM);
    int i, rc = 0;

    if (listener == INVALID_SOCKET)
        return 3;
    for (i = 0; i < opt->count && !rc; i++)
    {
        struct conn c = { .cred = cred, .server = TRUE };

        if (opt->alpn)
            c.alpn = build_alpn(opt->alpn, &c.alpn_size);
        if ((c.sock = accept_one(listener)) == INVALID_SOCKET)
            rc = 3;
        else
            rc = run_connection(&c, "the client", NULL);
        free(c.buf);
        free(c.alpn);
    }
    closesocket(listener);
    return rc;
}

/* DTLS: one association over UDP (dtls.c). */
static int run_dtls(CredHandle *cred, HCERTSTORE roots)
{
    const char *name = opt->listen ? "" : opt->sni ? opt->sni : opt->host;
    WCHAR *target = name[0] ? widen(name) : NULL;
    int rc = dtls_run(cred, target, roots);

    free(target);
    return rc;
}

/* Wine reads WINEDEBUG when a process starts, so verbose mode turns on the
 * DLL's own diagnostics (the schannel and secur32 channels: handshake steps,
 * negotiated parameters, alerts, the reason for every error) by starting
 * itself again with them enabled.  Returns -1 when no relaunch was needed. */
static int relaunch_with_traces(void)
{
    STARTUPINFOW si = { .cb = sizeof(si) };
    PROCESS_INFORMATION pi;
    char current[1024] = "";
    char wanted[1200];
    DWORD code = 3;

    if (opt->verbosity < 2 || GetEnvironmentVariableA("SSPICAT_TRACED", NULL, 0))
        return -1;
    /* Later WINEDEBUG entries win, so appending keeps the user's other choices. */
    GetEnvironmentVariableA("WINEDEBUG", current, sizeof(current));
    snprintf(wanted, sizeof(wanted), "%s%swarn+secur32,trace+schannel", current, current[0] ? "," : "");
    SetEnvironmentVariableA("WINEDEBUG", wanted);
    SetEnvironmentVariableA("SSPICAT_TRACED", "1");
    if (!CreateProcessW(NULL, GetCommandLineW(), NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
        return -1;   /* carry on without the DLL's traces */
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return (int)code;
}

int main(int argc, char **argv)
{
    PCCERT_CONTEXT cert = NULL;
    HCERTSTORE roots = NULL;
    CredHandle cred;
    WSADATA wsa;
    int rc;

    /* Received data goes out byte for byte, and messages end in \n alone. */
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
    parse_options(argc, argv);
    if ((rc = relaunch_with_traces()) != -1)
        return rc;
    if (opt->alpn)
    {
        DWORD size;
        BYTE *alpn = build_alpn(opt->alpn, &size);
        if (!alpn)
            usage_error("bad ALPN list %s (comma-separated names of 1 to 255 bytes)", opt->alpn);
        free(alpn);
    }
    if (WSAStartup(MAKEWORD(2, 2), &wsa))
    {
        error("WSAStartup failed");
        return 3;
    }
    if (opt->cert && !(cert = load_pfx(opt->cert, opt->cert_pass)))
        return 1;
    if (opt->validation == VALIDATE_CAFILE && !(roots = load_ca_file(opt->cafile)))
        return 1;
    if (acquire(&cred, cert))
        return 1;
    if (opt->dtls)
        rc = run_dtls(&cred, roots);
    else
        rc = opt->listen ? run_server(&cred) : run_client(&cred, roots);
    FreeCredentialsHandle(&cred);
    if (cert)
        CertFreeCertificateContext(cert);
    if (roots)
        CertCloseStore(roots, 0);
    WSACleanup();
    return rc;
}
