#!/bin/sh
# Stands in for the 32-bit conformance tests when they cannot run here:
# says why in the test log (configure printed the same).
build=${SECUR32_BUILDDIR:-$PWD}
if [ ! -f "$build/i386/secur32.dll" ]; then
    echo "1..0 # SKIP the 32-bit pair is not built (configure --disable-i386, or its tools are missing: run tools/install-deps)"
else
    echo "1..0 # SKIP wine32 is not installed (Debian: wine32:i386), so 32-bit programs cannot run"
fi
