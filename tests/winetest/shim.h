/* shim.h: force-included (-include) ahead of each of Wine's secur32 test
 * files when they are built standalone against the MinGW-w64 headers.
 * Wine's own headers pull these in implicitly; MinGW's need them named,
 * and winsock2.h must come before windows.h. */
#ifndef SECUR32_WINETEST_SHIM_H
#define SECUR32_WINETEST_SHIM_H
#include <winsock2.h>
#include <windows.h>
#include <wincon.h>
#endif
