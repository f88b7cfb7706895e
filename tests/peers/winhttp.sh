#!/bin/sh
# Wine's own WinHTTP (which every HTTPS request in a prefix may go through)
# fetching a page from openssl s_server -www over our Schannel.
STACK=WinHTTP GET_EXE=winhttp_get.exe
. "$(dirname "$0")/http-stack.sh"
