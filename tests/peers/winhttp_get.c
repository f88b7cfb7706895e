/* winhttp_get PORT [ignore-ca]: one HTTPS GET to https://localhost:PORT/
 * through Wine's own WinHTTP, which uses whatever secur32.dll is loaded.
 * Prints "secur32: ours" or "secur32: other", then "status N, M bytes" or
 * "failed: ERROR". */
#include <stdlib.h>
#include "testutil.h"
#include <winhttp.h>

int main(int argc, char **argv)
{
    DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA, status = 0, size = sizeof(status), got = 0, total = 0;
    HINTERNET session, connection, request;
    char product[64], buf[4096];

    if (argc < 2)
        return 2;
    session = WinHttpOpen(L"secur32-gnutls test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    connection = WinHttpConnect(session, L"localhost", (INTERNET_PORT)atoi(argv[1]), 0);
    request = WinHttpOpenRequest(connection, L"GET", L"/", NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    if (argc > 2)
        WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    if (!WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0) || !WinHttpReceiveResponse(request, NULL))
    {
        printf("secur32: %s\n", secur32_is_ours(product, sizeof(product)) ? "ours" : "other");
        printf("failed: %lu\n", GetLastError());
        return 1;
    }
    printf("secur32: %s\n", secur32_is_ours(product, sizeof(product)) ? "ours" : "other");
    WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
    while (WinHttpReadData(request, buf, sizeof(buf), &got) && got)
        total += got;
    printf("status %lu, %lu bytes\n", status, total);
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connection);
    WinHttpCloseHandle(session);
    return status == 200 ? 0 : 1;
}
