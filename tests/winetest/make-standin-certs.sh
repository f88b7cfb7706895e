#!/bin/sh
# make-standin-certs.sh DIR: the RSA chain the test.winehq.org stand-in
# serves (Wine's schannel.c expects the server to send three certificates):
#   chain.pem   test.winehq.org leaf + intermediate CA + root CA
#   leaf.key    the leaf's RSA key
# Made fresh per build tree; nothing here is trusted by anything.
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
openssl=${OPENSSL:-openssl}
days=30

"$openssl" req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days $days \
    -subj "/CN=secur32-gnutls winetest stand-in root" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

sign() {   # name issuer subject extensions
    "$openssl" req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
    printf '%s\n' "$4" > "$1.ext"
    "$openssl" x509 -req -sha256 -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" \
        -days $days -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}
sign inter root "/CN=secur32-gnutls winetest stand-in intermediate" "basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign"
sign leaf inter "/CN=test.winehq.org" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:test.winehq.org"
cat leaf.pem inter.pem root.pem > chain.pem
echo ok > stamp
