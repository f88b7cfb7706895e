/*
 * The layout of every ABI parameter struct, checked at compile time in both
 * halves (the Unix half with gcc, -m64 or -m32; the PE half with MinGW,
 * x86_64 or i686).  The numbers are the x86_64 layout; a 32-bit build that
 * lays a struct out differently (i386 System V aligns uint64_t to 4 inside
 * structs, MinGW to 8) fails here instead of corrupting calls at run time.
 * Update the numbers together with schan_unix_abi.h.
 */
#ifndef SCHAN_ABI_LAYOUT_H
#define SCHAN_ABI_LAYOUT_H

#include <stddef.h>
#include "schan_unix_abi.h"

#define SCHAN_ABI_SIZE(s, n) \
    _Static_assert(sizeof(struct s) == (n), "ABI: sizeof(struct " #s ") differs between the halves")
#define SCHAN_ABI_OFFSET(s, f, n) \
    _Static_assert(offsetof(struct s, f) == (n), "ABI: offset of " #s "." #f " differs between the halves")

SCHAN_ABI_SIZE(schan_blob, 16);
SCHAN_ABI_OFFSET(schan_blob, data, 0);
SCHAN_ABI_SIZE(schan_private_key, 88);
SCHAN_ABI_OFFSET(schan_private_key, parts, 8);
SCHAN_ABI_SIZE(schan_get_info_params, 40);
SCHAN_ABI_SIZE(schan_cred_create_params, 144);
SCHAN_ABI_OFFSET(schan_cred_create_params, certs, 32);
SCHAN_ABI_OFFSET(schan_cred_create_params, key, 40);
SCHAN_ABI_OFFSET(schan_cred_create_params, cred, 128);
SCHAN_ABI_SIZE(schan_cred_free_params, 8);
SCHAN_ABI_OFFSET(schan_cred_free_params, cred, 0);
SCHAN_ABI_SIZE(schan_session_create_params, 80);
SCHAN_ABI_OFFSET(schan_session_create_params, srtp_mki, 64);
SCHAN_ABI_OFFSET(schan_session_create_params, srtp_profiles, 48);
SCHAN_ABI_OFFSET(schan_session_create_params, cred, 0);
SCHAN_ABI_OFFSET(schan_session_create_params, target, 8);
SCHAN_ABI_OFFSET(schan_session_create_params, alpn, 16);
SCHAN_ABI_OFFSET(schan_session_create_params, session, 32);
SCHAN_ABI_SIZE(schan_session_free_params, 8);
SCHAN_ABI_OFFSET(schan_session_free_params, session, 0);
SCHAN_ABI_SIZE(schan_handshake_params, 80);
SCHAN_ABI_OFFSET(schan_handshake_params, info, 72);
SCHAN_ABI_OFFSET(schan_handshake_params, session, 0);
SCHAN_ABI_OFFSET(schan_handshake_params, input, 8);
SCHAN_ABI_OFFSET(schan_handshake_params, output, 24);
SCHAN_ABI_OFFSET(schan_handshake_params, state, 56);
SCHAN_ABI_OFFSET(schan_handshake_params, client_cred, 64);
SCHAN_ABI_SIZE(schan_take_output_params, 24);
SCHAN_ABI_OFFSET(schan_take_output_params, session, 0);
SCHAN_ABI_OFFSET(schan_take_output_params, output, 8);
SCHAN_ABI_SIZE(schan_encrypt_params, 56);
SCHAN_ABI_OFFSET(schan_encrypt_params, session, 0);
SCHAN_ABI_OFFSET(schan_encrypt_params, header, 8);
SCHAN_ABI_OFFSET(schan_encrypt_params, data, 16);
SCHAN_ABI_OFFSET(schan_encrypt_params, trailer, 24);
SCHAN_ABI_SIZE(schan_decrypt_params, 48);
SCHAN_ABI_OFFSET(schan_decrypt_params, state, 40);
SCHAN_ABI_OFFSET(schan_decrypt_params, session, 0);
SCHAN_ABI_OFFSET(schan_decrypt_params, buffer, 8);
SCHAN_ABI_SIZE(schan_connection_info, 680);
SCHAN_ABI_SIZE(schan_get_connection_info_params, 24);
SCHAN_ABI_OFFSET(schan_get_connection_info_params, session, 0);
SCHAN_ABI_OFFSET(schan_get_connection_info_params, info, 8);
SCHAN_ABI_SIZE(schan_get_peer_certs_params, 32);
SCHAN_ABI_OFFSET(schan_get_peer_certs_params, session, 0);
SCHAN_ABI_OFFSET(schan_get_peer_certs_params, buffer, 8);
SCHAN_ABI_SIZE(schan_get_channel_binding_params, 32);
SCHAN_ABI_OFFSET(schan_get_channel_binding_params, session, 0);
SCHAN_ABI_OFFSET(schan_get_channel_binding_params, buffer, 8);
SCHAN_ABI_SIZE(schan_export_keying_material_params, 48);
SCHAN_ABI_OFFSET(schan_export_keying_material_params, session, 0);
SCHAN_ABI_OFFSET(schan_export_keying_material_params, label, 8);
SCHAN_ABI_OFFSET(schan_export_keying_material_params, context, 16);
SCHAN_ABI_OFFSET(schan_export_keying_material_params, output, 24);
SCHAN_ABI_SIZE(schan_control_params, 32);
SCHAN_ABI_OFFSET(schan_control_params, state, 24);
SCHAN_ABI_OFFSET(schan_control_params, session, 0);

SCHAN_ABI_SIZE(schan_dtls_mtu_params, 24);
SCHAN_ABI_OFFSET(schan_dtls_mtu_params, mtu, 12);
SCHAN_ABI_SIZE(schan_get_srtp_params, 280);
SCHAN_ABI_OFFSET(schan_get_srtp_params, status, 272);
SCHAN_ABI_SIZE(schan_verify_signature_params, 40);
SCHAN_ABI_OFFSET(schan_verify_signature_params, issuer, 16);
SCHAN_ABI_OFFSET(schan_verify_signature_params, status, 32);

/* The SCHAN_DISABLE_* bit ranges of schan_cred_create_params.disabled_algs:
 * each enum must fit its range, or one kind's bit would disable another's. */
_Static_assert(SCHAN_CIPHER_UNKNOWN < 16, "ABI: enum schan_cipher outgrows SCHAN_DISABLE_CIPHER's 16 bits");
_Static_assert(SCHAN_MAC_UNKNOWN < 8, "ABI: enum schan_mac outgrows SCHAN_DISABLE_MAC's 8 bits");
_Static_assert(SCHAN_KX_UNKNOWN < 8, "ABI: enum schan_kx outgrows SCHAN_DISABLE_KX's 8 bits");

/* The connection state travels as a uint32_t, and the PE half tells "the
 * handshake has not completed yet" by the states numbered below DONE. */
#define SCHAN_ABI_STATE_FIELD(s) \
    _Static_assert(sizeof(((struct s *)0)->state) == 4, "ABI: " #s ".state is not a uint32_t")
SCHAN_ABI_STATE_FIELD(schan_handshake_params);
SCHAN_ABI_STATE_FIELD(schan_decrypt_params);
SCHAN_ABI_STATE_FIELD(schan_control_params);
_Static_assert(SCHAN_STATE_NEW < SCHAN_STATE_DONE && SCHAN_STATE_HANDSHAKE < SCHAN_STATE_DONE
               && SCHAN_STATE_NEED_CREDS < SCHAN_STATE_DONE && SCHAN_STATE_FAILED > SCHAN_STATE_DONE
               && SCHAN_STATE_RENEGOTIATE > SCHAN_STATE_DONE && SCHAN_STATE_REHANDSHAKE > SCHAN_STATE_DONE
               && SCHAN_STATE_CONTROL > SCHAN_STATE_DONE && SCHAN_STATE_SHUTDOWN > SCHAN_STATE_DONE
               && SCHAN_STATE_CLOSED > SCHAN_STATE_DONE, "ABI: the states before DONE must be numbered below it");

#endif /* SCHAN_ABI_LAYOUT_H */
