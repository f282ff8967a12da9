// The part of libvips Bulletin uses, without its variadic options (which Swift cannot
// call), loaded when first started (see vips.c). Images are `VipsImage *` passed as
// opaque pointers; each one returned is the caller's, released with bulletin_vips_release.
#include <stddef.h>

/// Loads and starts libvips, once per process: 1 when it started, else 0 with why in
/// `error` (cut to `error_size`). Every other call needs it started.
int bulletin_vips_start(char *error, size_t error_size);

/// libvips' version, as "8.14.1".
const char *bulletin_vips_version(void);

/// The file libvips was loaded from (as "/lib/x86_64-linux-gnu/libvips.so.42"); empty
/// when the loader did not say.
const char *bulletin_vips_library_path(void);

/// What a file's header says, without decoding its pixels: its size as stored, its EXIF
/// orientation (1 to 8; 1 when none), whether it has an alpha channel and a colour profile,
/// and the loader that reads it (as "jpegload"). 0 when libvips cannot read it as an image.
int bulletin_vips_probe(const char *path, int *width, int *height, int *orientation, int *has_alpha, int *has_profile, char *loader, size_t loader_size);

/// The image in the file, turned upright by its EXIF orientation, shrunk to at most
/// `width` pixels wide (never enlarged), held in memory; with `to_srgb`, its pixels
/// transformed by its colour profile (a phone's Display P3) to sRGB. NULL on failure.
void *bulletin_vips_thumbnail(const char *path, int width, int to_srgb);

/// The same from an image already made by bulletin_vips_thumbnail.
void *bulletin_vips_shrink(void *image, int width);

/// An image made by bulletin_vips_thumbnail, filling exactly `width` × `height`, the
/// excess cropped around `focus`: 0 the centre, 1 what libvips finds most interesting
/// (the "attention" strategy), 2 the top, 3 the bottom. NULL on failure.
void *bulletin_vips_cover(void *image, int width, int height, int focus);

int bulletin_vips_width(void *image);
int bulletin_vips_height(void *image);
int bulletin_vips_has_alpha(void *image);

/// Encodes the image with no metadata: `format` 0 JPEG (progressive), 1 PNG, 2 WebP,
/// 3 PNG of at most 256 colours (lighter, for the e-mail); `quality` for all but 1. 1 on success, the bytes freed with bulletin_vips_free.
int bulletin_vips_encode(void *image, int format, int quality, void **bytes, size_t *length);

void bulletin_vips_free(void *bytes);
void bulletin_vips_release(void *image);

/// libvips' last error message (into `buffer`, cut to `size`), cleared.
void bulletin_vips_error(char *buffer, size_t size);

/// Saves the image as a JPEG that says it is to be shown turned (EXIF `orientation`, 1
/// to 8), as a phone does: what the tests make a portrait photo with. 1 on success.
int bulletin_vips_save_oriented_jpeg(void *image, const char *path, int orientation);

/// Saves the image as a JPEG in the colour space of `profile` (one of libvips' own:
/// "p3", "cmyk"), the profile embedded, as a recent phone does: what the tests make a
/// photo that needs converting to sRGB with. 1 on success.
int bulletin_vips_save_in_profile(void *image, const char *path, const char *profile);

/// The values of the pixel at `x`, `y` of the image in the file (into `values`, at most
/// `count`), as stored; how many bands it has, 0 on failure.
int bulletin_vips_point(const char *path, int x, int y, double *values, int count);
