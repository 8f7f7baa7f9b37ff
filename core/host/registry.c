#include "registry.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builtin.h"
#include "fd_io.h"
#include "teachkit/standalone.h"

#ifndef TK_INSTALL_PLUGIN_DIR
#define TK_INSTALL_PLUGIN_DIR "/usr/local/lib/teachkit/plugins"
#endif

#define MAX_DEPTH 4          /* directory levels below a search-path element */
#define MAX_ENTRIES 10000    /* directory entries examined per search-path element */
#define MAX_SO_FILES 1024    /* ".so" files per search-path element */
#define MAX_COMPONENTS 256   /* components per plugin file */
#define PROBE_SECONDS 10     /* a plugin file's loading, in the probe */

/* A plugin file loaded into this process. */
typedef struct loaded_file {
    char *path;
    void *handle;
    const tk_plugin_entry *entry;
} loaded_file;

/* A component found by the probe (or built in). */
typedef struct info {
    tk_plugin_info pub;
    size_t file;            /* index in files[], SIZE_MAX for built-ins */
    char *strings[6];       /* owned: id, name, version, description, config, features */
    char **features;        /* owned array of pointers into strings[5] */
} info;

struct tk_registry {
    char **files;           /* candidate plugin files (real paths, owned) */
    size_t n_files, cap_files;
    info *infos;
    size_t n_infos, cap_infos;
    loaded_file *loaded;
    size_t n_loaded, cap_loaded;
    tk_component **components;  /* loaded components, each allocated alone (stable) */
    size_t n_components, cap_components;
    tk_rejected *rejected;
    size_t n_rejected, cap_rejected;
    char search_path[4096];
};

#define GROW(arr, n, cap)                                                       \
    do {                                                                        \
        if ((n) == (cap)) {                                                     \
            size_t ncap_ = (cap) ? 2 * (cap) : 8;                               \
            void *p_ = realloc((arr), ncap_ * sizeof *(arr));                   \
            if (!p_)                                                            \
                abort(); /* out of memory while listing a handful of files */   \
            (arr) = p_;                                                         \
            (cap) = ncap_;                                                      \
        }                                                                       \
    } while (0)

const char *tk_kind_name(tk_kind kind)
{
    switch (kind) {
    case TK_KIND_TEACHER: return "teacher";
    case TK_KIND_ENV: return "env";
    case TK_KIND_STUDENT: return "student";
    }
    return "unknown";
}

static void reject(tk_registry *reg, const char *file, const char *fmt, ...) TK_PRINTF(3, 4);
static void reject(tk_registry *reg, const char *file, const char *fmt, ...)
{
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    GROW(reg->rejected, reg->n_rejected, reg->cap_rejected);
    reg->rejected[reg->n_rejected].file = strdup(file);
    reg->rejected[reg->n_rejected].reason = strdup(reason);
    reg->n_rejected++;
}

/* The reason `file` was rejected, or NULL. */
static const char *rejection_of(const tk_registry *reg, const char *file)
{
    for (size_t i = reg->n_rejected; i-- > 0;)
        if (strcmp(reg->rejected[i].file, file) == 0)
            return reg->rejected[i].reason;
    return NULL;
}

/* ------------------------------------------------------------ descriptors */

static int valid_id(const char *id)
{
    if (!id || !id[0] || strlen(id) > 64)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* Minimum vtable sizes: every required function lies inside them. */
static int vtable_ok(const tk_descriptor *d, const char **why)
{
    if (!d->vtable) {
        *why = "has no vtable";
        return 0;
    }
    switch (d->kind) {
    case TK_KIND_TEACHER: {
        const tk_teacher_vtable *v = d->vtable;
        if (!TK_HAS_MEMBER(v, create) || !TK_HAS_MEMBER(v, destroy) || !TK_HAS_MEMBER(v, sample) ||
            !TK_HAS_MEMBER(v, update)) {
            *why = "teacher vtable lacks create/destroy/sample/update";
            return 0;
        }
        return 1;
    }
    case TK_KIND_ENV: {
        const tk_env_vtable *v = d->vtable;
        if (!TK_HAS_MEMBER(v, create) || !TK_HAS_MEMBER(v, destroy) || !TK_HAS_MEMBER(v, info) ||
            !TK_HAS_MEMBER(v, set_task) || !TK_HAS_MEMBER(v, reset) || !TK_HAS_MEMBER(v, step)) {
            *why = "env vtable lacks create/destroy/info/set_task/reset/step";
            return 0;
        }
        return 1;
    }
    case TK_KIND_STUDENT: {
        const tk_student_vtable *v = d->vtable;
        if (!TK_HAS_MEMBER(v, create) || !TK_HAS_MEMBER(v, destroy) || !TK_HAS_MEMBER(v, act) ||
            !TK_HAS_MEMBER(v, observe) || !TK_HAS_MEMBER(v, end_episode)) {
            *why = "student vtable lacks create/destroy/act/observe/end_episode";
            return 0;
        }
        return 1;
    }
    }
    *why = "has an unknown kind";
    return 0;
}

static int descriptor_ok(const tk_descriptor *d, const char **why)
{
    if (!d) {
        *why = "returned a NULL descriptor";
        return 0;
    }
    if (!TK_HAS_MEMBER(d, vtable)) {
        *why = "descriptor struct_size is too small, or it has no vtable";
        return 0;
    }
    if (!valid_id(d->id)) {
        *why = "descriptor id must be 1-64 characters of [a-z0-9-_]";
        return 0;
    }
    if (!d->name || !d->version || !d->description) {
        *why = "descriptor lacks name, version or description";
        return 0;
    }
    json_t *defaults = json_loads(d->default_config ? d->default_config : "{}", 0, NULL);
    int is_object = json_is_object(defaults);
    json_decref(defaults);
    if (!is_object) {
        *why = "default_config is not a JSON object";
        return 0;
    }
    return vtable_ok(d, why);
}

/* dlopen `path` and check its entry and descriptors, calling init().
 * Returns the handle with *entry set, or NULL with why[size] (the file is
 * then closed). */
static void *open_plugin(const char *path, const tk_plugin_entry **entry, char *why, size_t size)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, size, "dlopen failed: %s", dlerror());
        return NULL;
    }
    const tk_plugin_entry *e = dlsym(h, TK_ENTRY_SYMBOL);
    if (!e) {
        dlclose(h);
        snprintf(why, size,
                 "no `%s` symbol: not a teachkit plugin (export it with TK_PLUGIN_DESCRIPTORS)",
                 TK_ENTRY_SYMBOL);
        return NULL;
    }
    /* The major version is the first field and is read before anything else. */
    if (e->abi_major != TK_ABI_MAJOR) {
        snprintf(why, size,
                 "built for plugin ABI %u.%u but this teachkit speaks ABI %u.%u; rebuild the "
                 "plugin against this teachkit's <teachkit/plugin.h>",
                 e->abi_major, e->abi_minor, TK_ABI_MAJOR, TK_ABI_MINOR);
        dlclose(h);
        return NULL;
    }
    if (!TK_HAS_MEMBER(e, count) || !TK_HAS_MEMBER(e, get)) {
        dlclose(h);
        snprintf(why, size, "malformed entry (struct_size or count/get missing)");
        return NULL;
    }
    if (TK_HAS_MEMBER(e, init) && e->init(path) != 0) {
        dlclose(h);
        snprintf(why, size, "the plugin's init() failed");
        return NULL;
    }
    uint32_t n = e->count();
    const char *bad = NULL;
    uint32_t i = 0;
    if (n > MAX_COMPONENTS)
        snprintf(why, size, "declares %u components; a plugin file may hold at most %d",
                 (unsigned)n, MAX_COMPONENTS);
    for (; n <= MAX_COMPONENTS && i < n && !bad; i++)
        if (!descriptor_ok(e->get(i), &bad))
            snprintf(why, size, "component %u %s", (unsigned)i, bad);
    if (n > MAX_COMPONENTS || bad) {
        if (TK_HAS_MEMBER(e, deinit))
            e->deinit();
        dlclose(h);
        return NULL;
    }
    *entry = e;
    return h;
}

/* ------------------------------------------------------ ELF, without loading */

/* Whether the ELF file at `path` defines TK_ENTRY_SYMBOL in its dynamic
 * symbol table, read without running any of it: 1 yes, 0 no, -1 cannot
 * tell (not a 64-bit ELF file of this byte order, or no section headers:
 * dlopen, in the probe, decides), -2 not an ELF file. */
static int elf_defines_entry(const char *path)
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

/* ------------------------------------------------------------ candidates */

static int has_so_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int known_file(const tk_registry *reg, const char *real)
{
    for (size_t i = 0; i < reg->n_files; i++)
        if (strcmp(reg->files[i], real) == 0)
            return 1;
    return 0;
}

/* Consider the file at `path` for probing.  Returns 1 if it is (or already
 * was) a candidate, 0 if it was rejected (reason recorded). */
static int add_candidate(tk_registry *reg, const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        reject(reg, path, "cannot be resolved: %s", strerror(errno));
        return 0;
    }
    if (known_file(reg, real))
        return 1;
    if (rejection_of(reg, real))
        return 0;
    char why[PATH_MAX + 128];
    const char *unsafe = tk_plugin_file_unsafe(real, why, sizeof why);
    if (unsafe) {
        reject(reg, real, "refused: the file %s", unsafe);
        return 0;
    }
    int elf = elf_defines_entry(real);
    if (elf == 0) {
        reject(reg, real,
               "no `%s` symbol: not a teachkit plugin (export it with TK_PLUGIN_DESCRIPTORS)",
               TK_ENTRY_SYMBOL);
        return 0;
    }
    if (elf == -2) {
        reject(reg, real, "not a shared object (no ELF header)");
        return 0;
    }
    GROW(reg->files, reg->n_files, reg->cap_files);
    reg->files[reg->n_files++] = strdup(real);
    return 1;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ".so" files below a directory, in sorted order (so loading, and thus
 * error messages, do not depend on readdir order), each directory visited
 * once (symlink loops), within the bounds above. */
typedef struct scan {
    char **so;
    size_t n_so, cap_so;
    dev_t *dev;
    ino_t *ino;
    size_t n_dirs, cap_dirs, cap_ino;
    size_t entries;
    int overflow;           /* a bound was hit */
} scan;

static int visited(scan *sc, const struct stat *st)
{
    for (size_t i = 0; i < sc->n_dirs; i++)
        if (sc->dev[i] == st->st_dev && sc->ino[i] == st->st_ino)
            return 1;
    GROW(sc->dev, sc->n_dirs, sc->cap_dirs);
    GROW(sc->ino, sc->n_dirs, sc->cap_ino);
    sc->dev[sc->n_dirs] = st->st_dev;
    sc->ino[sc->n_dirs++] = st->st_ino;
    return 0;
}

static void scan_dir(scan *sc, const char *dir, int depth)
{
    struct stat st;
    if (depth > MAX_DEPTH || sc->overflow || stat(dir, &st) != 0 || visited(sc, &st))
        return;
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *ent;
    while ((ent = readdir(dh))) {
        if (ent->d_name[0] == '.')
            continue;
        if (++sc->entries > MAX_ENTRIES) {
            sc->overflow = 1;
            break;
        }
        GROW(names, n, cap);
        names[n++] = strdup(ent->d_name);
    }
    closedir(dh);
    if (n > 1)
        qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (!sc->overflow && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                scan_dir(sc, path, depth + 1);
            else if (S_ISREG(st.st_mode) && has_so_suffix(names[i])) {
                if (sc->n_so == MAX_SO_FILES)
                    sc->overflow = 1;
                else {
                    GROW(sc->so, sc->n_so, sc->cap_so);
                    sc->so[sc->n_so++] = strdup(path);
                }
            }
        }
        free(names[i]);
    }
    free(names);
}

static void scan_free(scan *sc)
{
    for (size_t i = 0; i < sc->n_so; i++)
        free(sc->so[i]);
    free(sc->so);
    free(sc->dev);
    free(sc->ino);
}

static void append_search(tk_registry *reg, const char *p)
{
    size_t used = strlen(reg->search_path);
    snprintf(reg->search_path + used, sizeof reg->search_path - used, "%s%s", used ? ":" : "",
             p);
}

/* Adds the plugins of the directory `dir`.  A directory that holds ".so"
 * files none of which is a plugin (a system library directory), or more
 * entries than the bounds allow, is refused as a whole: 0, or -1 with
 * why[size]. */
static int add_directory(tk_registry *reg, const char *dir, char *why, size_t size)
{
    scan sc;
    memset(&sc, 0, sizeof sc);
    scan_dir(&sc, dir, 0);
    int rc = 0;
    if (sc.overflow) {
        snprintf(why, size, "not a plugin directory: it holds more than %d entries or %d .so "
                            "files (to depth %d); point the plugin path at the plugin's own "
                            "directory or file", MAX_ENTRIES, MAX_SO_FILES, MAX_DEPTH);
        rc = -1;
    } else {
        /* Judge the directory before recording any rejection: a refused
         * library directory would otherwise list hundreds of them. */
        size_t plugins = 0;
        for (size_t i = 0; i < sc.n_so; i++) {
            char real[PATH_MAX];
            int elf = realpath(sc.so[i], real) ? elf_defines_entry(real) : -2;
            plugins += known_file(reg, real) || elf == 1 || elf == -1;
        }
        if (sc.n_so > 0 && plugins == 0) {
            snprintf(why, size, "not a plugin directory: none of its %zu .so file%s exports "
                                "`%s`", sc.n_so, sc.n_so == 1 ? "" : "s", TK_ENTRY_SYMBOL);
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && i < sc.n_so; i++)
            add_candidate(reg, sc.so[i]);
    }
    scan_free(&sc);
    return rc;
}

/* Adds a search-path element (file or directory).  0, or -1 with
 * why[size] when it does not exist, or is a file that is not a plugin or a
 * directory that is not a plugin directory. */
static int add_path(tk_registry *reg, const char *p, char *why, size_t size)
{
    struct stat st;
    if (stat(p, &st) != 0) {
        snprintf(why, size, "does not exist");
        return -1;
    }
    append_search(reg, p);
    if (S_ISDIR(st.st_mode))
        return add_directory(reg, p, why, size);
    if (!add_candidate(reg, p)) {
        snprintf(why, size, "%s", reg->n_rejected ? reg->rejected[reg->n_rejected - 1].reason
                                                  : "rejected");
        return -1;
    }
    return 0;
}

static int default_dir(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            snprintf(slash, sizeof exe - (size_t)(slash - exe), "/plugins");
            struct stat st;
            if (stat(exe, &st) == 0 && S_ISDIR(st.st_mode)) {
                snprintf(out, size, "%s", exe);
                return 0;
            }
        }
    }
    snprintf(out, size, "%s", TK_INSTALL_PLUGIN_DIR);
    return 0;
}

/* ------------------------------------------------------------------ probe */

/* Records of the probe, child to parent: 'S' file (starting it), 'D' file
 * and a descriptor's strings, 'R' file and a reason (rejected), 'O' file
 * (its descriptors are complete), 'Z' (all done). */

static int put_head(int fd, char kind, uint32_t file)
{
    char buf[5];
    buf[0] = kind;
    memcpy(buf + 1, &file, 4);
    return tk_write_full(fd, buf, 5);
}

static int put_string(int fd, const char *s)
{
    uint32_t n = s ? (uint32_t)strnlen(s, 1 << 20) : 0;
    return tk_write_full(fd, &n, 4) || tk_write_full(fd, s ? s : "", n);
}

/* The child: loads every file from `start` on and reports what it finds. */
static int probe_child(const tk_registry *reg, size_t start, int fd)
{
    for (size_t i = start; i < reg->n_files; i++) {
        uint32_t f = (uint32_t)i;
        if (put_head(fd, 'S', f))
            return 1;
        const tk_plugin_entry *e = NULL;
        char why[1024];
        void *h = open_plugin(reg->files[i], &e, why, sizeof why);
        if (!h) {
            if (put_head(fd, 'R', f) || put_string(fd, why))
                return 1;
            continue;
        }
        for (uint32_t k = 0; k < e->count(); k++) {
            const tk_descriptor *d = e->get(k);
            char features[2048] = "";
            for (const char *const *ft = d->features; ft && *ft; ft++) {
                size_t used = strlen(features);
                snprintf(features + used, sizeof features - used, "%s%s", used ? "\n" : "", *ft);
            }
            uint32_t kind = (uint32_t)d->kind;
            if (put_head(fd, 'D', f) || tk_write_full(fd, &kind, 4) || put_string(fd, d->id) ||
                put_string(fd, d->name) || put_string(fd, d->version) ||
                put_string(fd, d->description) || put_string(fd, d->default_config) ||
                put_string(fd, features))
                return 1;
        }
        /* The file stays loaded: the child exits soon, without deinit. */
        if (put_head(fd, 'O', f))
            return 1;
    }
    return put_head(fd, 'Z', 0) ? 1 : 0;
}

static int get(int fd, void *p, size_t n)
{
    return tk_read_full(fd, p, n, PROBE_SECONDS * 1000);
}

static int get_string(int fd, char **out)
{
    uint32_t n;
    int rc = get(fd, &n, 4);
    if (rc)
        return rc;
    if (n > (1 << 20))
        return -1;
    *out = malloc((size_t)n + 1);
    if (!*out)
        return -1;
    rc = get(fd, *out, n);
    (*out)[n] = '\0';
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

static void info_free(info *in)
{
    for (int k = 0; k < 6; k++)
        free(in->strings[k]);
    free(in->features);
}

/* Fills the public view of an info from its strings. */
static void info_publish(info *in, const char *file)
{
    size_t nf = 0;
    for (const char *c = in->strings[5]; c && *c; c++)
        nf += *c == '\n';
    nf += in->strings[5] && in->strings[5][0] ? 1 : 0;
    in->features = calloc(nf + 1, sizeof *in->features);
    size_t k = 0;
    for (char *c = in->strings[5]; in->features && c && *c && k < nf;) {
        in->features[k++] = c;
        c = strchr(c, '\n');
        if (c)
            *c++ = '\0';
    }
    in->pub.id = in->strings[0];
    in->pub.name = in->strings[1];
    in->pub.version = in->strings[2];
    in->pub.description = in->strings[3];
    in->pub.default_config = in->strings[4];
    in->pub.features = (const char *const *)in->features;
    in->pub.file = file;
}

/* Reads the probe's records until 'Z', its end or a time-out.  Returns 0
 * when all files were probed, else the index of the file being probed
 * (cur) with *timed_out set or not. */
static int read_probe(tk_registry *reg, int fd, size_t *cur, int *timed_out)
{
    info pending[MAX_COMPONENTS];
    size_t n_pending = 0;
    int rc = 0;
    *timed_out = 0;
    for (;;) {
        char head[5];
        rc = get(fd, head, 5);
        if (rc)
            break;
        uint32_t f;
        memcpy(&f, head + 1, 4);
        if (head[0] == 'Z')
            break;
        if (f >= reg->n_files) {
            rc = -1;
            break;
        }
        *cur = f;
        if (head[0] == 'S') {
            n_pending = 0;
        } else if (head[0] == 'R') {
            char *why = NULL;
            if ((rc = get_string(fd, &why)) != 0)
                break;
            reject(reg, reg->files[f], "%s", why);
            free(why);
        } else if (head[0] == 'D') {
            if (n_pending == MAX_COMPONENTS) {
                rc = -1;
                break;
            }
            info *in = &pending[n_pending];
            memset(in, 0, sizeof *in);
            uint32_t kind;
            rc = get(fd, &kind, 4);
            for (int k = 0; rc == 0 && k < 6; k++)
                rc = get_string(fd, &in->strings[k]);
            if (rc) {
                info_free(in);
                break;
            }
            in->pub.kind = (tk_kind)kind;
            in->file = f;
            n_pending++;
        } else if (head[0] == 'O') {
            for (size_t k = 0; k < n_pending; k++) {
                GROW(reg->infos, reg->n_infos, reg->cap_infos);
                reg->infos[reg->n_infos] = pending[k];
                info_publish(&reg->infos[reg->n_infos], reg->files[f]);
                reg->n_infos++;
            }
            n_pending = 0;
        } else {
            rc = -1;
            break;
        }
    }
    for (size_t k = 0; k < n_pending; k++)
        info_free(&pending[k]);
    *timed_out = rc == -2;
    return rc;
}

/* Probes the candidate files in child processes; a file during whose
 * loading the child dies or hangs is rejected and the next child goes on
 * after it. */
static void probe(tk_registry *reg)
{
    size_t start = 0;
    while (start < reg->n_files) {
        int fds[2];
        if (pipe(fds) != 0) {
            for (size_t i = start; i < reg->n_files; i++)
                reject(reg, reg->files[i], "cannot be probed: pipe: %s", strerror(errno));
            return;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            /* Plugins print what they like, and a sanitizer reports a crash
             * at length; the probe's output is the pipe, and a rejection
             * records what went wrong. */
            int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
            if (null >= 0) {
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
            }
            int rc = probe_child(reg, start, fds[1]);
            /* Nothing of this process's registry is loaded yet: closing it
             * frees what the child inherited, the files it probed stay
             * loaded until _exit. */
            tk_registry_close(reg);
            _exit(rc);
        }
        close(fds[1]);
        if (pid < 0) {
            close(fds[0]);
            for (size_t i = start; i < reg->n_files; i++)
                reject(reg, reg->files[i], "cannot be probed: fork: %s", strerror(errno));
            return;
        }
        size_t cur = start;
        int timed_out;
        int rc = read_probe(reg, fds[0], &cur, &timed_out);
        if (rc)
            kill(pid, SIGKILL);
        close(fds[0]);
        int status = tk_wait_child(pid);
        if (rc == 0)
            return;
        if (timed_out)
            reject(reg, reg->files[cur], "did not finish loading in %d s (a plugin hanging in "
                                         "a constructor or init()?)", PROBE_SECONDS);
        else if (WIFSIGNALED(status))
            reject(reg, reg->files[cur], "crashed while loading (%s, in a constructor, init(), "
                                         "count() or get()?)", strsignal(WTERMSIG(status)));
        else
            reject(reg, reg->files[cur], "ended the process while loading (exit status %d: "
                                         "a plugin calling exit()?)",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        start = cur + 1;
    }
}

/* ------------------------------------------------------------------- open */

static void add_builtins(tk_registry *reg)
{
    for (size_t i = 0; i < tk_builtin_count(); i++) {
        const tk_descriptor *d = tk_builtin_at(i);
        GROW(reg->infos, reg->n_infos, reg->cap_infos);
        info *in = &reg->infos[reg->n_infos++];
        memset(in, 0, sizeof *in);
        in->file = SIZE_MAX;
        in->pub.kind = d->kind;
        in->pub.id = d->id;
        in->pub.name = d->name;
        in->pub.version = d->version;
        in->pub.description = d->description;
        in->pub.default_config = d->default_config ? d->default_config : "{}";
        static const char *const none[] = {NULL};
        in->pub.features = d->features ? d->features : none;
        in->pub.file = "(built-in)";
        tk_component *c = malloc(sizeof *c);
        if (!c)
            abort();
        c->desc = d;
        c->file = "(built-in)";
        GROW(reg->components, reg->n_components, reg->cap_components);
        reg->components[reg->n_components++] = c;
    }
}

tk_registry *tk_registry_open(const char *const *extra, size_t n_extra, tk_diag *d)
{
    tk_registry *reg = calloc(1, sizeof *reg);
    if (!reg) {
        tk_diag_set(d, NULL, NULL, "out of memory");
        return NULL;
    }
    add_builtins(reg);
    char why[1024];
    int failed = 0;
    for (size_t i = 0; i < n_extra && !failed; i++)
        if (add_path(reg, extra[i], why, sizeof why) != 0) {
            char path[64];
            tk_path_index(path, sizeof path, "plugin_paths", i);
            tk_diag_set(d, NULL, path, "%s: %s", extra[i], why);
            failed = 1;
        }
    if (failed) {
        tk_registry_close(reg);
        return NULL;
    }
    const char *env = getenv("TEACHKIT_PLUGIN_PATH");
    if (env && env[0]) {
        char *copy = strdup(env), *save = NULL;
        for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
            if (add_path(reg, p, why, sizeof why) != 0)
                reject(reg, p, "listed in TEACHKIT_PLUGIN_PATH but %s", why);
        free(copy);
    }
    char dir[PATH_MAX];
    default_dir(dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0)
        append_search(reg, dir);
    else if (add_path(reg, dir, why, sizeof why) != 0)
        reject(reg, dir, "the bundled plugin directory is %s", why);
    probe(reg);
    /* A listed file that turned out not to load is an error, as before. */
    for (size_t i = 0; i < n_extra; i++) {
        char real[PATH_MAX];
        const char *bad = stat(extra[i], &st) == 0 && !S_ISDIR(st.st_mode) &&
                                  realpath(extra[i], real)
                              ? rejection_of(reg, real)
                              : NULL;
        if (bad) {
            char path[64];
            tk_path_index(path, sizeof path, "plugin_paths", i);
            tk_diag_set(d, NULL, path, "%s: %s", extra[i], bad);
            tk_registry_close(reg);
            return NULL;
        }
    }
    return reg;
}

void tk_registry_close(tk_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = reg->n_loaded; i-- > 0;) {
        if (TK_HAS_MEMBER(reg->loaded[i].entry, deinit))
            reg->loaded[i].entry->deinit();
        dlclose(reg->loaded[i].handle);
    }
    for (size_t i = 0; i < reg->n_infos; i++)
        info_free(&reg->infos[i]);
    for (size_t i = 0; i < reg->n_components; i++)
        free(reg->components[i]);
    for (size_t i = 0; i < reg->n_files; i++)
        free(reg->files[i]);
    for (size_t i = 0; i < reg->n_rejected; i++) {
        free(reg->rejected[i].file);
        free(reg->rejected[i].reason);
    }
    free(reg->loaded);
    free(reg->infos);
    free(reg->components);
    free(reg->files);
    free(reg->rejected);
    free(reg);
}

/* ------------------------------------------------------------------- find */

static size_t describe_rejections(const tk_registry *reg, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < reg->n_rejected && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "; rejected %s: %s",
                                 reg->rejected[i].file, reg->rejected[i].reason);
    return used;
}

/* Loads file `f` into this process (once) and returns its component `id`
 * of `kind`, or NULL with `d`. */
static const tk_component *load_component(tk_registry *reg, size_t f, tk_kind kind,
                                          const char *id, tk_diag *d)
{
    const char *file = reg->files[f];
    const tk_plugin_entry *e = NULL;
    for (size_t i = 0; i < reg->n_loaded && !e; i++)
        if (strcmp(reg->loaded[i].path, file) == 0)
            e = reg->loaded[i].entry;
    if (!e) {
        char why[1024];
        void *h = open_plugin(file, &e, why, sizeof why);
        if (!h) {
            tk_diag_set(d, file, NULL, "%s %s: %s (it loaded when the plugins were listed; "
                                       "was the file replaced since?)",
                        tk_kind_name(kind), id, why);
            return NULL;
        }
        GROW(reg->loaded, reg->n_loaded, reg->cap_loaded);
        reg->loaded[reg->n_loaded++] = (loaded_file){reg->files[f], h, e};
    }
    for (size_t i = 0; i < reg->n_components; i++)
        if (reg->components[i]->file == file && reg->components[i]->desc->kind == kind &&
            strcmp(reg->components[i]->desc->id, id) == 0)
            return reg->components[i];
    uint32_t n = e->count();
    for (uint32_t i = 0; i < n && i < MAX_COMPONENTS; i++) {
        const tk_descriptor *desc = e->get(i);
        if (desc->kind == kind && strcmp(desc->id, id) == 0) {
            tk_component *c = malloc(sizeof *c);
            if (!c)
                abort();
            c->desc = desc;
            c->file = file;
            GROW(reg->components, reg->n_components, reg->cap_components);
            reg->components[reg->n_components++] = c;
            return c;
        }
    }
    tk_diag_set(d, file, NULL, "%s \"%s\" is no longer in this file (was it replaced since the "
                               "plugins were listed?)", tk_kind_name(kind), id);
    return NULL;
}

const tk_component *tk_registry_find(tk_registry *reg, tk_kind kind, const char *id,
                                     tk_diag *d)
{
    const info *found = NULL;
    for (size_t i = 0; i < reg->n_infos; i++) {
        const info *in = &reg->infos[i];
        if (in->pub.kind != kind || strcmp(in->pub.id, id) != 0)
            continue;
        if (found) {
            tk_diag_set(d, NULL, NULL,
                        "%s \"%s\" is provided by two files, %s and %s; remove one of them or "
                        "take one out of the plugin search path",
                        tk_kind_name(kind), id, found->pub.file, in->pub.file);
            return NULL;
        }
        found = in;
    }
    if (found && found->file == SIZE_MAX) {
        for (size_t i = 0; i < reg->n_components; i++)
            if (reg->components[i]->desc->kind == kind &&
                strcmp(reg->components[i]->desc->id, id) == 0)
                return reg->components[i];
    }
    if (found)
        return load_component(reg, found->file, kind, id, d);
    const char *ids[256];
    size_t n = 0;
    for (size_t i = 0; i < reg->n_infos && n < 255; i++)
        if (reg->infos[i].pub.kind == kind)
            ids[n++] = reg->infos[i].pub.id;
    ids[n] = NULL;
    const char *near = tk_closest_word(id, ids);
    char rejected[1024] = "";
    describe_rejections(reg, rejected, sizeof rejected);
    char hint[128] = "";
    if (near)
        snprintf(hint, sizeof hint, "did you mean \"%s\"? ", near);
    tk_diag_set(d, NULL, NULL,
                "no %s plugin \"%s\" found; %s`teachkit list` shows the available ones; add the "
                "plugin's .so to \"plugin_paths\" or TEACHKIT_PLUGIN_PATH (searched: %s)%s",
                tk_kind_name(kind), id, hint, reg->search_path, rejected);
    return NULL;
}

size_t tk_registry_info_count(const tk_registry *reg) { return reg->n_infos; }
const tk_plugin_info *tk_registry_info_at(const tk_registry *reg, size_t i) { return &reg->infos[i].pub; }
size_t tk_registry_rejected_count(const tk_registry *reg) { return reg->n_rejected; }
const tk_rejected *tk_registry_rejected_at(const tk_registry *reg, size_t i) { return &reg->rejected[i]; }
const char *tk_registry_search_path(const tk_registry *reg) { return reg->search_path; }
