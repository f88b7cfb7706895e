#!/bin/sh
# make-validation-certs.sh DIR CRL_PORT DEAD_PORT: the PKI of the validation
# matrix (tests/validation.sh), made with certtool.  Only that test uses it.
#   root.pem     "validation root": trusted while the test runs (CurrentUser\Root)
#   inter.pem    an intermediate CA under root
#   other.pem    a CA nobody trusts;  added.pem  a CA the test adds and removes
#   <case>.pem / <case>-chain.pem (leaf [+ intermediate]) / key.pem (all leaves)
#   root.crl     served on 127.0.0.1:CRL_PORT, lists revoked.pem
# DEAD_PORT is a port where nothing answers (revocation server offline).
set -eu
dir=$1; crl_port=$2; dead_port=$3
certtool=${CERTTOOL:-certtool}
mkdir -p "$dir"
cd "$dir"

key() { "$certtool" --generate-privkey --key-type ecdsa --curve secp256r1 --outfile "$1" >/dev/null 2>&1; }
# These CAs sign with RSA, so that each verdict below is about what it
# names: Wine 8's crypt32 rejects an ECDSA signature whose r or s is shorter
# than 32 bytes (about 1 in 128), which the ECDSA cases at the end test.
ca_key() { "$certtool" --generate-privkey --key-type rsa --bits 2048 --outfile "$1" >/dev/null 2>&1; }

# template NAME LINES...: writes NAME.tmpl
template() {
    name=$1; shift
    : > "$name.tmpl"
    for line in "$@"; do printf '%s\n' "$line" >> "$name.tmpl"; done
}

ca() {   # name cn [issuer]
    ca_key "$1.key"
    template "$1" "cn = \"$2\"" "ca" "cert_signing_key" "crl_signing_key" "expiration_days = 30"
    if [ $# -ge 3 ]; then
        "$certtool" --generate-certificate --load-privkey "$1.key" --load-ca-certificate "$3.pem" \
            --load-ca-privkey "$3.key" --template "$1.tmpl" --outfile "$1.pem" >/dev/null 2>&1
    else
        "$certtool" --generate-self-signed --load-privkey "$1.key" --template "$1.tmpl" \
            --outfile "$1.pem" >/dev/null 2>&1
    fi
}

leaf() {   # name issuer template-lines...
    name=$1; issuer=$2; shift 2
    template "$name" \
        "tls_www_server" "signing_key" "encryption_key" "$@"
    grep -q "_date" "$name.tmpl" || echo "expiration_days = 30" >> "$name.tmpl"
    if [ "$issuer" = self ]; then
        "$certtool" --generate-self-signed --load-privkey key.pem --template "$name.tmpl" \
            --outfile "$name.pem" >/dev/null 2>&1
    else
        "$certtool" --generate-certificate --load-privkey key.pem --load-ca-certificate "$issuer.pem" \
            --load-ca-privkey "$issuer.key" --template "$name.tmpl" --outfile "$name.pem" >/dev/null 2>&1
    fi
    cp "$name.pem" "$name-chain.pem"
    [ "$issuer" = inter ] && cat inter.pem >> "$name-chain.pem"
    return 0
}

# Each PKI's CA names carry a tag of their own: tests that share a Wine
# prefix (or an overlay of it) must never meet a root of the same name from
# another run, which Wine's chain engine may pick instead of ours.
tag=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
ca root "secur32-gnutls validation root $tag"
ca inter "secur32-gnutls validation intermediate $tag" root
ca other "secur32-gnutls untrusted CA $tag"
ca added "secur32-gnutls CA added at test time $tag"
key key.pem

leaf valid root 'cn = "valid.test"' 'dns_name = "valid.test"'
leaf inter-leaf inter 'cn = "inter.test"' 'dns_name = "inter.test"'
leaf expired root 'cn = "valid.test"' 'dns_name = "valid.test"' \
    'activation_date = "2010-01-01 00:00:00"' 'expiration_date = "2011-01-01 00:00:00"'
leaf notyet root 'cn = "valid.test"' 'dns_name = "valid.test"' \
    'activation_date = "2090-01-01 00:00:00"' 'expiration_date = "2091-01-01 00:00:00"'
leaf ip root 'cn = "ip.test"' 'ip_address = "127.0.0.1"'
leaf wildcard root 'cn = "wildcard.test"' 'dns_name = "*.example.test"'
leaf cn-only root 'cn = "cn.test"'
leaf selfsigned self 'cn = "valid.test"' 'dns_name = "valid.test"'
leaf unknown-ca other 'cn = "valid.test"' 'dns_name = "valid.test"'
leaf added-leaf added 'cn = "valid.test"' 'dns_name = "valid.test"'
leaf revoked root 'cn = "valid.test"' 'dns_name = "valid.test"' \
    "crl_dist_points = \"http://127.0.0.1:$crl_port/root.crl\""
leaf not-revoked root 'cn = "valid.test"' 'dns_name = "valid.test"' \
    "crl_dist_points = \"http://127.0.0.1:$crl_port/root.crl\""
leaf offline root 'cn = "valid.test"' 'dns_name = "valid.test"' \
    "crl_dist_points = \"http://127.0.0.1:$dead_port/root.crl\""

# An ECDSA CA, and a leaf whose signature has an r or s shorter than 32
# bytes (signed again until one has; 1 in 128 does), which Wine 8's crypt32
# calls badly signed: the DLL must still accept it.  And the same kind of
# leaf with its signature broken, which must still be refused.
"$certtool" --generate-privkey --key-type ecdsa --curve secp256r1 --outfile ecroot.key >/dev/null 2>&1
template ecroot "cn = \"secur32-gnutls ECDSA root $tag\"" "ca" "cert_signing_key" "expiration_days = 30"
"$certtool" --generate-self-signed --load-privkey ecroot.key --template ecroot.tmpl --outfile ecroot.pem >/dev/null 2>&1
here=$(cd "$(dirname "$0")" && pwd)
tries=0
while :; do
    leaf ec-short ecroot 'cn = "valid.test"' 'dns_name = "valid.test"'
    python3 "$here/ecdsa-signature.py" short ec-short.pem && break
    tries=$((tries + 1))
    [ $tries -lt 3000 ] || { echo "no short ECDSA signature in $tries tries" >&2; exit 1; }
done
python3 "$here/ecdsa-signature.py" corrupt ec-short.pem ec-bad.pem
cp ec-bad.pem ec-bad-chain.pem

template crl "crl_next_update = 30" "crl_number = 1"
"$certtool" --generate-crl --load-ca-privkey root.key --load-ca-certificate root.pem \
    --load-certificate revoked.pem --template crl.tmpl --outder --outfile root.crl >/dev/null 2>&1
rm -f ./*.tmpl
echo ok > stamp
