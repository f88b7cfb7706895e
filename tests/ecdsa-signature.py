#!/usr/bin/env python3
"""ecdsa-signature.py short CERT.pem: exit 0 when the certificate's ECDSA
signature has an r or s shorter than 32 bytes (what Wine 8's crypt32
rejects), else 1.
ecdsa-signature.py corrupt IN.pem OUT.pem: the same certificate with the
last byte of its signature changed (still well-formed DER, no longer valid)."""
import base64
import sys


def pem_to_der(path):
    lines = open(path).read().split("-----")[2]
    return bytearray(base64.b64decode("".join(lines.split())))


def der_to_pem(der):
    b64 = base64.b64encode(bytes(der)).decode()
    body = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
    return "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % body


def tlv(buf, pos):
    """(tag, content start, content end) of the DER element at pos."""
    tag, first = buf[pos], buf[pos + 1]
    if first < 0x80:
        return tag, pos + 2, pos + 2 + first
    n = first & 0x7F
    length = int.from_bytes(buf[pos + 2:pos + 2 + n], "big")
    return tag, pos + 2 + n, pos + 2 + n + length


def signature_integers(der):
    _, start, _ = tlv(der, 0)                    # Certificate
    _, _, pos = tlv(der, start)                  # tbsCertificate
    _, _, pos = tlv(der, pos)                    # signatureAlgorithm
    tag, bits, _ = tlv(der, pos)                 # signatureValue BIT STRING
    assert tag == 0x03
    _, seq, _ = tlv(der, bits + 1)               # ECDSA-Sig-Value
    ints, pos = [], seq
    for _ in range(2):
        _, s, e = tlv(der, pos)
        ints.append(bytes(der[s:e]).lstrip(b"\0"))
        pos = e
    return ints


if sys.argv[1] == "short":
    sys.exit(0 if min(len(i) for i in signature_integers(pem_to_der(sys.argv[2]))) < 32 else 1)
der = pem_to_der(sys.argv[2])
der[-1] ^= 0x01
open(sys.argv[3], "w").write(der_to_pem(der))
