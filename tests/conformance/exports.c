/* The built secur32.dll exports exactly the names of the design list. */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static BOOL module_exports(HMODULE module, const char *name)
{
    BYTE *base = (BYTE *)module;
    IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
    IMAGE_DATA_DIRECTORY *dir = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
    IMAGE_EXPORT_DIRECTORY *exp = (IMAGE_EXPORT_DIRECTORY *)(base + dir->VirtualAddress);
    DWORD *names = (DWORD *)(base + exp->AddressOfNames), i;

    for (i = 0; i < exp->NumberOfNames; i++)
        if (!strcmp((const char *)base + names[i], name))
            return TRUE;
    return FALSE;
}

static DWORD module_export_count(HMODULE module)
{
    BYTE *base = (BYTE *)module;
    IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
    IMAGE_DATA_DIRECTORY *dir = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
    return ((IMAGE_EXPORT_DIRECTORY *)(base + dir->VirtualAddress))->NumberOfNames;
}

int main(void)
{
    HMODULE module = LoadLibraryA("secur32.dll");
    char path[MAX_PATH], product[64], *list, *line, *save;
    int listed = 0, missing = 0;

    ok(secur32_is_ours(product, sizeof(product)), "testing secur32-gnutls, not Wine's secur32");
    if (!source_path("tests/conformance/secur32-exports.txt", path, sizeof(path)) || !(list = read_file(path, NULL)))
        return bail_out("cannot read tests/conformance/secur32-exports.txt (SECUR32_SRCDIR unset?)");

    for (line = strtok_r(list, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
    {
        const char *name = strchr(line, ' ');
        if (!name)
            continue;
        name++;
        listed++;
        if (!module_exports(module, name))
        {
            missing++;
            diag("missing export %s", name);
        }
        else if (!GetProcAddress(module, name))
        {
            missing++;
            diag("export %s does not resolve", name);
        }
    }
    ok(listed == 80, "the design list has 80 names (got %d)", listed);
    ok(missing == 0, "every listed name is exported and resolves (%d missing)", missing);
    ok(module_export_count(module) == (DWORD)listed, "no exports beyond the list (%lu exported)",
       module_export_count(module));
    ok(GetProcAddress(module, "SealMessage") == GetProcAddress(module, "EncryptMessage"),
       "SealMessage is EncryptMessage, as on Windows");
    ok(GetProcAddress(module, "UnsealMessage") == GetProcAddress(module, "DecryptMessage"),
       "UnsealMessage is DecryptMessage, as on Windows");
    free(list);
    return tap_done();
}
