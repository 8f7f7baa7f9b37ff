/* The host's reliability helpers: CRC-32C, directory locks, the check that
 * logs still hold what a checkpoint covers, terminal-safe printing and UTF-8,
 * reading user-named JSON files, and the recognition of study manifests. */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "checksum.h"
#include "dir_lock.h"
#include "json_file.h"
#include "run_files.h"
#include "study.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/tk-reliability-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_text(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(crc32c_known_values_and_chaining)
{
    /* The check value of CRC-32C (RFC 3720, appendix B.4). */
    ck_assert_uint_eq(tk_crc32c(0, "123456789", 9), 0xe3069283u);
    ck_assert_uint_eq(tk_crc32c(0, "", 0), 0);
    /* Over any split, and over lengths around the 8-byte inner loop. */
    char buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 37 + 11);
    uint32_t whole = tk_crc32c(0, buf, sizeof buf);
    for (size_t cut = 0; cut <= sizeof buf; cut += 13)
        ck_assert_uint_eq(tk_crc32c(tk_crc32c(0, buf, cut), buf + cut, sizeof buf - cut), whole);
    /* One flipped bit is seen. */
    buf[150] ^= 4;
    ck_assert_uint_ne(tk_crc32c(0, buf, sizeof buf), whole);
    char hex[17];
    tk_hash64_hex("a", 1, hex);
    ck_assert_str_eq(hex, "af63dc4c8601ec8c"); /* FNV-1a 64 of "a" */
}
END_TEST

START_TEST(a_second_writer_is_refused_with_the_pid)
{
    make_dir();
    tk_diag d;
    ck_assert_int_eq(tk_dir_lock_holder(dir), 0);
    int fd = tk_dir_lock(dir, "run", &d);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(tk_dir_lock_holder(dir), getpid());
    /* flock locks belong to open files: a second open is a second writer,
     * even in this process. */
    ck_assert_int_eq(tk_dir_lock(dir, "run", &d), -1);
    char pid[32];
    snprintf(pid, sizeof pid, "process %ld", (long)getpid());
    ck_assert_ptr_nonnull(strstr(d.message, pid));
    ck_assert_int_eq(tk_dir_lock_shared(dir, "study", &d), -1);
    tk_dir_unlock(fd);
    ck_assert_int_eq(tk_dir_lock_holder(dir), 0);
    /* Shared holders coexist and keep an exclusive one out. */
    int a = tk_dir_lock_shared(dir, "study", &d), b = tk_dir_lock_shared(dir, "study", &d);
    ck_assert_int_ge(a, 0);
    ck_assert_int_ge(b, 0);
    ck_assert_int_eq(tk_dir_lock(dir, "study", &d), -1);
    ck_assert_ptr_nonnull(strstr(d.message, "another teachkit process"));
    tk_dir_unlock(a);
    tk_dir_unlock(b);
    fd = tk_dir_lock(dir, "study", &d);
    ck_assert_int_ge(fd, 0);
    tk_dir_unlock(fd);
    remove_dir();
}
END_TEST

START_TEST(log_prefix_check_sees_loss_and_damage)
{
    make_dir();
    write_text("log.jsonl", "{\"a\":1}\n{\"a\":2}\n");
    uint32_t crc8 = tk_crc32c(0, "{\"a\":1}\n", 8);
    char why[512];
    ck_assert_int_eq(tk_log_prefix_check(dir, "log.jsonl", 8, crc8, why, sizeof why), 0);
    ck_assert_int_eq(tk_log_prefix_check(dir, "log.jsonl", 0, 0, why, sizeof why), 0);
    /* Longer than the file: lines the checkpoint covers were lost. */
    ck_assert_int_eq(tk_log_prefix_check(dir, "log.jsonl", 40, crc8, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "holds 16 bytes but the checkpoint covers 40"));
    /* Same length, other bytes. */
    write_text("log.jsonl", "{\"a\":7}\n{\"a\":2}\n");
    ck_assert_int_eq(tk_log_prefix_check(dir, "log.jsonl", 8, crc8, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "differ"));
    ck_assert_int_eq(tk_log_prefix_check(dir, "missing.jsonl", 0, 0, why, sizeof why), 0);
    ck_assert_int_eq(tk_log_prefix_check(dir, "missing.jsonl", 8, crc8, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "missing"));
    remove_dir();
}
END_TEST

START_TEST(line_log_crc_follows_the_file)
{
    make_dir();
    tk_diag d;
    tk_line_log log;
    ck_assert_int_eq(tk_line_log_open(&log, dir, "l.jsonl", UINT64_MAX, 0, &d), 0);
    ck_assert_int_eq(tk_line_log_append(&log, "{\"x\":1}", 7, &d), 0);
    ck_assert_int_eq(tk_line_log_sync(&log, &d), 0);
    uint32_t crc = log.crc;
    uint64_t bytes = log.bytes_on_disk;
    ck_assert_uint_eq(bytes, 8);
    ck_assert_uint_eq(crc, tk_crc32c(0, "{\"x\":1}\n", 8));
    ck_assert_int_eq(tk_line_log_append(&log, "{\"x\":2}", 7, &d), 0);
    ck_assert_int_eq(tk_line_log_close(&log, &d), 0);
    /* Reopened whole, the CRC is read back; cut to a checkpoint, it is the
     * checkpoint's. */
    ck_assert_int_eq(tk_line_log_open(&log, dir, "l.jsonl", UINT64_MAX, 0, &d), 0);
    ck_assert_uint_eq(log.bytes_on_disk, 16);
    ck_assert_uint_eq(log.crc, tk_crc32c(0, "{\"x\":1}\n{\"x\":2}\n", 16));
    ck_assert_int_eq(tk_line_log_close(&log, &d), 0);
    ck_assert_int_eq(tk_line_log_open(&log, dir, "l.jsonl", bytes, crc, &d), 0);
    ck_assert_uint_eq(log.bytes_on_disk, 8);
    ck_assert_uint_eq(log.crc, crc);
    ck_assert_int_eq(tk_line_log_close(&log, &d), 0);
    remove_dir();
}
END_TEST

static char *printed_safe(const char *text)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    tk_fputs_safe(text, f);
    fclose(f);
    return buf;
}

START_TEST(terminal_controls_are_escaped)
{
    char *s = printed_safe("key \x1b[2J\x07 \xc2\x9b" "31m caf\xc3\xa9 \xff end");
    /* ESC, BEL and the C1 CSI become text; é stays; a stray byte is shown. */
    ck_assert_str_eq(s, "key \\x1b[2J\\x07 \\xc2\\x9b31m caf\xc3\xa9 \\xff end");
    free(s);
    ck_assert_uint_eq(tk_utf8_sequence((const unsigned char *)"\xe2\x82\xac", 3), 3);
    ck_assert_uint_eq(tk_utf8_sequence((const unsigned char *)"\xe2\x82\xac", 2), 0);
    ck_assert_uint_eq(tk_utf8_sequence((const unsigned char *)"\xc0\xaf", 2), 0);  /* overlong */
    ck_assert_uint_eq(tk_utf8_sequence((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
    ck_assert_uint_eq(tk_utf8_sequence((const unsigned char *)"\xa9", 1), 0);
}
END_TEST

START_TEST(json_files_are_regular_and_bounded)
{
    make_dir();
    tk_diag d;
    char path[256];
    snprintf(path, sizeof path, "%s/fifo.json", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    /* Returns at once, with no writer on the FIFO. */
    ck_assert_ptr_null(tk_json_read_file(path, "the manifest", 1024, 0, &d));
    ck_assert_ptr_nonnull(strstr(d.message, "not a regular file"));
    ck_assert_ptr_null(tk_json_read_file(dir, "the manifest", 1024, 0, &d));
    ck_assert_ptr_nonnull(strstr(d.message, "not a regular file"));
    write_text("big.json", "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]");
    snprintf(path, sizeof path, "%s/big.json", dir);
    ck_assert_ptr_null(tk_json_read_file(path, "the manifest", 32, 0, &d));
    ck_assert_ptr_nonnull(strstr(d.message, "at most"));
    json_t *j = tk_json_read_file(path, "the manifest", 1024, 0, &d);
    ck_assert_ptr_nonnull(j);
    ck_assert_uint_eq(json_array_size(j), 20);
    json_decref(j);
    write_text("empty.json", "");
    snprintf(path, sizeof path, "%s/empty.json", dir);
    ck_assert_ptr_null(tk_json_read_file(path, "the manifest", 1024, 0, &d));
    ck_assert_ptr_nonnull(strstr(d.message, "is empty"));
    remove_dir();
}
END_TEST

static int sweeps(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(j);
    int rc = tk_study_has_sweeps(j);
    json_decref(j);
    return rc;
}

START_TEST(study_manifests_are_recognised_before_expansion)
{
    ck_assert_int_eq(sweeps("{\"seed\": 3, \"teacher\": {\"plugin\": \"random\"}}"), 0);
    ck_assert_int_eq(sweeps("{\"seed\": [1, 2]}"), 1);
    /* A range that cannot expand is still a study's. */
    ck_assert_int_eq(sweeps("{\"seed\": {\"range\": [5, 1]}}"), 1);
    ck_assert_int_eq(sweeps("{\"teacher\": [{\"plugin\": \"random\"}]}"), 1);
    ck_assert_int_eq(sweeps("{\"teacher\": {\"plugin\": \"riac\", \"config\": "
                            "{\"max_region_size\": {\"sweep\": []}}}}"),
                     1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reliability");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, crc32c_known_values_and_chaining);
    tcase_add_test(tc, a_second_writer_is_refused_with_the_pid);
    tcase_add_test(tc, log_prefix_check_sees_loss_and_damage);
    tcase_add_test(tc, line_log_crc_follows_the_file);
    tcase_add_test(tc, terminal_controls_are_escaped);
    tcase_add_test(tc, json_files_are_regular_and_bounded);
    tcase_add_test(tc, study_manifests_are_recognised_before_expansion);
    return tk_check_run(s);
}
