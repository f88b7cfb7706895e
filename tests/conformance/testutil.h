/* Shared helpers of the conformance tests (Windows programs run under Wine). */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#define SECURITY_WIN32
#include <windows.h>
#include <winternl.h>
#include <sspi.h>
#define SCHANNEL_USE_BLACKLISTS
#include <schannel.h>
#include <stdio.h>
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The loaded secur32.dll is this project's (its version resource says so). */
BOOL secur32_is_ours(char *product, size_t size);

/* A Windows path ("Z:\...") for a file under the source tree, from the
 * SECUR32_SRCDIR environment variable the test harness sets. */
BOOL source_path(const char *relative, char *out, size_t size);

/* Reads a whole file; caller frees with free(). */
char *read_file(const char *path, size_t *size);

#endif
