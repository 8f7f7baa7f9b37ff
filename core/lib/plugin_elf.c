/*
 * Reading an ELF file's dynamic symbol table without loading it, so that
 * the registry never runs code of a file that is not a plugin.
 */
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry_internal.h"

int tk_elf_defines_entry(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    const unsigned char *p = size >= SELFMAG ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0)
                                             : MAP_FAILED;
    close(fd);
    if (p == MAP_FAILED)
        return size < SELFMAG ? -2 : -1;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const unsigned char native = ELFDATA2LSB;
#else
    const unsigned char native = ELFDATA2MSB;
#endif
    int rc = -1;
    Elf64_Ehdr eh;
    if (memcmp(p, ELFMAG, SELFMAG) != 0)
        rc = -2;
    else if (size < sizeof eh || p[EI_CLASS] != ELFCLASS64 || p[EI_DATA] != native)
        rc = -1;
    else {
        memcpy(&eh, p, sizeof eh);
        uint64_t shoff = eh.e_shoff, shnum = eh.e_shnum;
        if (shoff && eh.e_shentsize == sizeof(Elf64_Shdr) && shoff < size &&
            shnum <= (size - shoff) / sizeof(Elf64_Shdr)) {
            rc = 0;
            for (uint64_t i = 0; i < shnum && rc == 0; i++) {
                Elf64_Shdr sh, strs;
                memcpy(&sh, p + shoff + i * sizeof sh, sizeof sh);
                if (sh.sh_type != SHT_DYNSYM || sh.sh_link >= shnum ||
                    sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_offset > size ||
                    sh.sh_size > size - sh.sh_offset)
                    continue;
                memcpy(&strs, p + shoff + sh.sh_link * sizeof strs, sizeof strs);
                if (strs.sh_offset > size || strs.sh_size > size - strs.sh_offset)
                    continue;
                const char *names = (const char *)p + strs.sh_offset;
                for (uint64_t k = 0; k < sh.sh_size / sizeof(Elf64_Sym); k++) {
                    Elf64_Sym sym;
                    memcpy(&sym, p + sh.sh_offset + k * sizeof sym, sizeof sym);
                    size_t left = sym.st_name < strs.sh_size ? strs.sh_size - sym.st_name : 0;
                    if (sym.st_shndx != SHN_UNDEF && left > strlen(TK_ENTRY_SYMBOL) &&
                        memcmp(names + sym.st_name, TK_ENTRY_SYMBOL,
                               sizeof TK_ENTRY_SYMBOL) == 0) {
                        rc = 1;
                        break;
                    }
                }
            }
        }
    }
    munmap((void *)p, size);
    return rc;
}
