#!/bin/sh
# make-certs.sh DIR: a throwaway PKI for the tests, made fresh per build.
#   ca.pem                 test root CA (RSA 2048)
#   server-rsa.{pem,key,pfx}    CN=localhost, SAN localhost + 127.0.0.1, RSA 2048, signed by the CA
#   server-ecdsa.{pem,key,pfx}  the same with an ECDSA P-256 key
#   client-rsa.{pem,key,pfx}    a client certificate signed by the CA
# PFX files carry the chain (leaf + CA) and have an empty password.
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
openssl=${OPENSSL:-openssl}
days=30

"$openssl" req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days \
    -subj "/CN=secur32-gnutls test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

leaf() {   # name rsa|ecdsa subject ext
    name=$1; subj=$3; ext=$4
    case $2 in
        rsa) keyopt="-newkey rsa:2048" ;;
        ecdsa) keyopt="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
    esac
    # shellcheck disable=SC2086
    "$openssl" req -new $keyopt -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
    printf '%s\n' "$ext" > "$name.ext"
    "$openssl" x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" -days $days \
        -extfile "$name.ext" 2>/dev/null
    cat "$name.pem" ca.pem > "$name-chain.pem"
    "$openssl" pkcs12 -export -in "$name.pem" -inkey "$name.key" -certfile ca.pem -out "$name.pfx" \
        -passout pass: -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

server_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
leaf server-rsa rsa "/CN=localhost" "$server_ext"
leaf server-ecdsa ecdsa "/CN=localhost" "$server_ext"
leaf client-rsa rsa "/CN=secur32-gnutls test client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
echo ok > stamp
