/* The LSA-mode packages Wine ships (kerberos.dll, msv1_0.dll) hosted in
 * process, and a Negotiate package over them (lsa_packages.c). */
#ifndef LSA_PACKAGES_H
#define LSA_PACKAGES_H

#include "secur32_private.h"

/* The registry's view (package.c): the packages listed, and the one table
 * that answers for each of them (Negotiate, Kerberos and NTLM share it: the
 * hosted package's own SECPKG tables sit beneath). */
ULONG lsa_package_count(void);
const struct package_desc *lsa_package_at(ULONG index);
extern const struct package_ops lsa_package_ops;

/* For the LSA client calls (lsa_client.c). */
BOOL lsa_package_id(const char *auth_name, ULONG len, ULONG *id);
NTSTATUS lsa_package_call(ULONG id, void *submit, ULONG submit_len, void **ret, ULONG *ret_len, NTSTATUS *status);

#endif
