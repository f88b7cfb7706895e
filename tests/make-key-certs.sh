#!/bin/sh
# make-key-certs.sh DIR: self-signed certificates (CN=localhost) for the
# key-source test (tests/conformance/keysources.exe), one per key type:
#   rsa2048 rsa3072 rsa4096: NAME.pem + NAME.pfx (empty password)
#   p256 p384:               NAME.pem + NAME.eccblob (BCRYPT_ECCPRIVATE_BLOB:
#                            Wine 8 cannot import ECDSA keys from a PFX)
set -eu
dir=$1
openssl=${OPENSSL:-openssl}
python=${PYTHON:-python3}
mkdir -p "$dir"
cd "$dir"

cert() {   # name keyopts
    # shellcheck disable=SC2086
    "$openssl" req -x509 -newkey $2 -nodes -keyout "$1.key" -out "$1.pem" -days 30 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost" -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
        -addext "extendedKeyUsage=serverAuth,clientAuth" 2>/dev/null
}

for bits in 2048 3072 4096; do
    cert rsa$bits rsa:$bits
    "$openssl" pkcs12 -export -in rsa$bits.pem -inkey rsa$bits.key -out rsa$bits.pfx -passout pass: \
        -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 2>/dev/null
done
for curve in 256 384; do
    cert p$curve "ec -pkeyopt ec_paramgen_curve:P-$curve"
    "$openssl" ec -in p$curve.key -text -noout 2>/dev/null | "$python" -c '
import struct, sys
text, size = sys.stdin.read(), int(sys.argv[1])
def field(name):
    block = text.split(name + ":")[1]
    hexes = []
    for line in block.splitlines()[1:]:
        if not line.startswith("    "):
            break
        hexes += [h for h in line.strip().split(":") if h]
    return bytes(int(h, 16) for h in hexes)
priv, pub = field("priv"), field("pub")
priv = priv[-size:].rjust(size, b"\0")
x, y = pub[1:1 + size], pub[1 + size:]
magic = 0x32534345 if size == 32 else 0x34534345   # ECS2 / ECS4: ECDSA private P-256 / P-384
sys.stdout.buffer.write(struct.pack("<II", magic, size) + x + y + priv)
' $((curve / 8)) > p$curve.eccblob
done
echo ok > stamp
