#!/bin/sh
# make-standin-certs.sh DIR CADIR: the RSA chain the test.winehq.org
# stand-in serves (Wine's schannel.c expects the server to send three
# certificates), under the build tree's test CA (CADIR/ca.{pem,key}, made
# by tests/make-certs.sh):
#   chain.pem   test.winehq.org leaf + intermediate CA + root CA
#   leaf.key    the leaf's RSA key
# Made fresh per build tree; nothing here is trusted by anything.
set -eu
dir=$1
ca=$(cd "$2" && pwd)
mkdir -p "$dir"
cd "$dir"
openssl=${OPENSSL:-openssl}

sign() {   # name issuer.pem issuer.key subject extensions
    "$openssl" req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$4" 2>/dev/null
    printf '%s\n' "$5" > "$1.ext"
    "$openssl" x509 -req -sha256 -in "$1.csr" -CA "$2" -CAkey "$3" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
        -out "$1.pem" -days 30 -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}
sign inter "$ca/ca.pem" "$ca/ca.key" "/CN=secur32-gnutls winetest stand-in intermediate" \
    "basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign"
sign leaf inter.pem inter.key "/CN=test.winehq.org" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:test.winehq.org"
cat leaf.pem inter.pem "$ca/ca.pem" > chain.pem
echo ok > stamp
