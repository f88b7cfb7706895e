#!/bin/sh
# Wine's own WinINet (installers and Internet Explorer-era programs use it)
# fetching a page from openssl s_server -www over our Schannel.
STACK=WinINet GET_EXE=wininet_get.exe
. "$(dirname "$0")/http-stack.sh"
