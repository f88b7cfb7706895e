#!/bin/sh
# A short smoke of every libFuzzer target (seeds, regression inputs, then a
# few seconds of mutation each).  make fuzz runs them for longer.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec sh "$here/fuzz/run.sh" --tap "${FUZZ_SMOKE_SECONDS:-4}" handshake_client handshake_server decrypt session cred dtls
