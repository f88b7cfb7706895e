/* wininet_get PORT [ignore-ca]: one HTTPS GET to https://localhost:PORT/
 * through Wine's own WinINet (the HTTP stack of Internet Explorer-era
 * programs and installers), which uses whatever secur32.dll is loaded.
 * Prints "secur32: ours" or "secur32: other", then "status N, M bytes" or
 * "failed: ERROR". */
#include <stdlib.h>
#include "testutil.h"
#include <wininet.h>

static void who(void)
{
    char product[64];
    printf("secur32: %s\n", secur32_is_ours(product, sizeof(product)) ? "ours" : "other");
}

int main(int argc, char **argv)
{
    DWORD flags = INTERNET_FLAG_SECURE | INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE;
    DWORD status = 0, size = sizeof(status), got = 0, total = 0;
    HINTERNET session, connection, request;
    char buf[4096];

    if (argc < 2)
        return 2;
    if (argc > 2)
        flags |= INTERNET_FLAG_IGNORE_CERT_CN_INVALID | INTERNET_FLAG_IGNORE_CERT_DATE_INVALID;
    session = InternetOpenA("secur32-gnutls test", INTERNET_OPEN_TYPE_DIRECT, NULL, NULL, 0);
    connection = InternetConnectA(session, "localhost", (INTERNET_PORT)atoi(argv[1]), NULL, NULL,
                                  INTERNET_SERVICE_HTTP, 0, 0);
    request = HttpOpenRequestA(connection, "GET", "/", NULL, NULL, NULL, flags, 0);
    if (argc > 2)
    {
        /* An unknown CA is accepted only through the security flags option. */
        DWORD sec = 0, len = sizeof(sec);
        InternetQueryOptionA(request, INTERNET_OPTION_SECURITY_FLAGS, &sec, &len);
        sec |= SECURITY_FLAG_IGNORE_UNKNOWN_CA;
        InternetSetOptionA(request, INTERNET_OPTION_SECURITY_FLAGS, &sec, sizeof(sec));
    }
    if (!HttpSendRequestA(request, NULL, 0, NULL, 0))
    {
        who();
        printf("failed: %lu\n", GetLastError());
        return 1;
    }
    who();
    HttpQueryInfoA(request, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &status, &size, NULL);
    while (InternetReadFile(request, buf, sizeof(buf), &got) && got)
        total += got;
    printf("status %lu, %lu bytes\n", status, total);
    InternetCloseHandle(request);
    InternetCloseHandle(connection);
    InternetCloseHandle(session);
    return status == 200 ? 0 : 1;
}
