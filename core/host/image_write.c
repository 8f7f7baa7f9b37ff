#include "image_write.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ PNG */

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

static int write_chunk(FILE *f, const char type[4], const uint8_t *data, size_t n)
{
    uint8_t head[8];
    put_be32(head, (uint32_t)n);
    memcpy(head + 4, type, 4);
    uint32_t crc = crc_update(0xffffffffu, (const uint8_t *)type, 4);
    crc = crc_update(crc, data, n) ^ 0xffffffffu;
    uint8_t tail[4];
    put_be32(tail, crc);
    return fwrite(head, 1, 8, f) == 8 && (n == 0 || fwrite(data, 1, n, f) == n) &&
                   fwrite(tail, 1, 4, f) == 4
               ? 0
               : -1;
}

int tk_write_png(const char *path, const uint8_t *rgb, int width, int height)
{
    if (!crc_table[1])
        crc_init();
    size_t row = (size_t)width * 3 + 1, raw_size = row * (size_t)height;
    size_t blocks = (raw_size + 65534) / 65535;
    size_t z_size = 2 + blocks * 5 + raw_size + 4;
    uint8_t *raw = malloc(raw_size), *z = malloc(z_size);
    FILE *f = fopen(path, "wb");
    int rc = -1;
    if (!raw || !z || !f)
        goto done;
    for (int y = 0; y < height; y++) {
        raw[(size_t)y * row] = 0; /* filter: none */
        memcpy(raw + (size_t)y * row + 1, rgb + (size_t)y * width * 3, (size_t)width * 3);
    }
    /* zlib stream: header, stored deflate blocks, Adler-32 of the data. */
    size_t o = 0;
    z[o++] = 0x78, z[o++] = 0x01;
    uint32_t a = 1, b = 0;
    for (size_t done = 0; done < raw_size;) {
        size_t n = raw_size - done > 65535 ? 65535 : raw_size - done;
        z[o++] = done + n == raw_size; /* BFINAL, BTYPE 00 */
        z[o++] = (uint8_t)n, z[o++] = (uint8_t)(n >> 8);
        z[o++] = (uint8_t)~n, z[o++] = (uint8_t)(~n >> 8);
        memcpy(z + o, raw + done, n);
        for (size_t i = 0; i < n; i++) {
            a = (a + raw[done + i]) % 65521;
            b = (b + a) % 65521;
        }
        o += n;
        done += n;
    }
    put_be32(z + o, (b << 16) | a);
    o += 4;
    static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)width);
    put_be32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8, ihdr[9] = 2, ihdr[10] = ihdr[11] = ihdr[12] = 0; /* 8-bit RGB */
    if (fwrite(signature, 1, 8, f) == 8 && write_chunk(f, "IHDR", ihdr, 13) == 0 &&
        write_chunk(f, "IDAT", z, o) == 0 && write_chunk(f, "IEND", NULL, 0) == 0)
        rc = 0;
done:
    if (f && fclose(f) != 0)
        rc = -1;
    free(raw);
    free(z);
    return rc;
}

/* ------------------------------------------------------------------ GIF */

#define GIF_MAX_CODES 4096

static void put_le16(FILE *f, int v)
{
    fputc(v & 0xff, f);
    fputc((v >> 8) & 0xff, f);
}

int tk_gif_open(tk_gif_writer *g, const char *path, int width, int height, int delay_cs)
{
    memset(g, 0, sizeof *g);
    g->width = width;
    g->height = height;
    g->indexed = malloc((size_t)width * (size_t)height);
    g->dict = malloc(sizeof(uint16_t) * GIF_MAX_CODES * 256);
    g->f = fopen(path, "wb");
    if (!g->indexed || !g->dict || !g->f) {
        if (g->f)
            fclose(g->f);
        free(g->indexed);
        free(g->dict);
        return -1;
    }
    FILE *f = g->f;
    fwrite("GIF89a", 1, 6, f);
    put_le16(f, width);
    put_le16(f, height);
    fputc(0xf7, f); /* global palette of 256 entries */
    fputc(0, f);
    fputc(0, f);
    for (int i = 0; i < 256; i++) { /* 3-3-2 bit RGB */
        fputc(((i >> 5) & 7) * 255 / 7, f);
        fputc(((i >> 2) & 7) * 255 / 7, f);
        fputc((i & 3) * 255 / 3, f);
    }
    /* Loop forever (NETSCAPE2.0 extension). */
    static const uint8_t loop[19] = {0x21, 0xff, 0x0b, 'N', 'E', 'T', 'S', 'C', 'A', 'P',
                                     'E', '2', '.', '0', 0x03, 0x01, 0x00, 0x00, 0x00};
    fwrite(loop, 1, sizeof loop, f);
    g->delay_cs = delay_cs;
    return 0;
}

typedef struct bit_writer {
    FILE *f;
    uint32_t acc;
    int bits;
    uint8_t block[255];
    int used;
} bit_writer;

static void flush_block(bit_writer *w)
{
    if (!w->used)
        return;
    fputc(w->used, w->f);
    fwrite(w->block, 1, (size_t)w->used, w->f);
    w->used = 0;
}

static void put_code(bit_writer *w, int code, int width)
{
    w->acc |= (uint32_t)code << w->bits;
    w->bits += width;
    while (w->bits >= 8) {
        w->block[w->used++] = (uint8_t)w->acc;
        if (w->used == 255)
            flush_block(w);
        w->acc >>= 8;
        w->bits -= 8;
    }
}

/* LZW with 8-bit symbols: clear = 256, end = 257, codes up to 12 bits. */
static void lzw_encode(tk_gif_writer *g, size_t n)
{
    bit_writer w = {g->f, 0, 0, {0}, 0};
    const int clear = 256, end = 257;
    int width = 9, next = 258;
    memset(g->dict, 0xff, sizeof(uint16_t) * GIF_MAX_CODES * 256);
    put_code(&w, clear, width);
    int prefix = g->indexed[0];
    for (size_t i = 1; i < n; i++) {
        uint8_t c = g->indexed[i];
        uint16_t *slot = &g->dict[(size_t)prefix * 256 + c];
        if (*slot != 0xffff) {
            prefix = *slot;
            continue;
        }
        put_code(&w, prefix, width);
        /* As giflib: the table is cleared when code 4095 would be next. */
        if (next < GIF_MAX_CODES - 1) {
            *slot = (uint16_t)next;
            if (next == (1 << width) && width < 12)
                width++;
            next++;
        } else {
            put_code(&w, clear, width);
            memset(g->dict, 0xff, sizeof(uint16_t) * GIF_MAX_CODES * 256);
            width = 9;
            next = 258;
        }
        prefix = c;
    }
    put_code(&w, prefix, width);
    put_code(&w, end, width);
    if (w.bits > 0)
        put_code(&w, 0, 8 - w.bits);
    flush_block(&w);
    fputc(0, g->f); /* block terminator */
}

int tk_gif_add_frame(tk_gif_writer *g, const uint8_t *rgb)
{
    size_t n = (size_t)g->width * (size_t)g->height;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = rgb + 3 * i;
        /* Round to the nearest palette level of each channel. */
        int r = (p[0] * 7 + 127) / 255, gr = (p[1] * 7 + 127) / 255, b = (p[2] * 3 + 127) / 255;
        g->indexed[i] = (uint8_t)((r << 5) | (gr << 2) | b);
    }
    FILE *f = g->f;
    static const uint8_t gce_head[4] = {0x21, 0xf9, 0x04, 0x00};
    fwrite(gce_head, 1, 4, f);
    put_le16(f, g->delay_cs);
    fputc(0, f);
    fputc(0, f);
    fputc(0x2c, f); /* image descriptor */
    put_le16(f, 0);
    put_le16(f, 0);
    put_le16(f, g->width);
    put_le16(f, g->height);
    fputc(0, f);
    fputc(8, f); /* LZW minimum code size */
    lzw_encode(g, n);
    return ferror(f) ? -1 : 0;
}

int tk_gif_close(tk_gif_writer *g)
{
    int rc = 0;
    if (g->f) {
        fputc(0x3b, g->f);
        rc = ferror(g->f) || fclose(g->f) != 0 ? -1 : 0;
    }
    free(g->indexed);
    free(g->dict);
    memset(g, 0, sizeof *g);
    return rc;
}
