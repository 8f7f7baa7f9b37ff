/*
 * Minimal image writers for `teachkit render`, with no dependency: PNG
 * (RGB, 8 bits, zlib stream of stored blocks: larger files than a real
 * compressor, but exact and tiny code) and animated GIF (a fixed 3-3-2 bit
 * RGB palette, LZW-compressed frames).  Single-threaded use per object.
 */
#ifndef TK_HOST_IMAGE_WRITE_H
#define TK_HOST_IMAGE_WRITE_H

#include <stdint.h>
#include <stdio.h>

/* Writes `rgb` (width * height * 3 bytes, rows top to bottom) as a PNG
 * file.  Returns 0, or -1 with errno set. */
int tk_write_png(const char *path, const uint8_t *rgb, int width, int height);

typedef struct tk_gif_writer {
    FILE *f;
    int width, height;
    int delay_cs;        /* display time of each frame, 1/100 s */
    uint8_t *indexed;    /* one frame in palette indices */
    uint16_t *dict;      /* LZW dictionary: (prefix code, byte) -> code */
} tk_gif_writer;

/* Opens `path` for an animation of width x height frames shown for
 * `delay_cs` hundredths of a second each, looping forever. */
int tk_gif_open(tk_gif_writer *g, const char *path, int width, int height, int delay_cs);
int tk_gif_add_frame(tk_gif_writer *g, const uint8_t *rgb);
/* Writes the trailer and closes; returns -1 if any write failed. */
int tk_gif_close(tk_gif_writer *g);

#endif
