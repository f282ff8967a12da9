// libvips, loaded when the first image is read rather than when Bulletin starts: linked
// into the program, its hundred shared libraries (GLib, libheif, Poppler, ImageMagick…)
// took 40 ms to load and relocate at every start, half of a warm build, most of which
// read no image. Its functions are looked up by name in the library (soname
// libvips.so.42, stable across libvips 8.x), declared here as libvips 8.14's headers
// declare them, with the constants Bulletin passes.
#define _GNU_SOURCE
#include "bulletin_vips.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

typedef struct _VipsImage VipsImage;
typedef unsigned long GType;

// From libvips' enums and macros (image.h, resample.h, conversion.h, header.h).
enum { ACCESS_SEQUENTIAL = 1 };
enum { SIZE_DOWN = 2 };
enum { INTERESTING_CENTRE = 1, INTERESTING_ATTENTION = 3, INTERESTING_LOW = 4, INTERESTING_HIGH = 5 };
static const int MAX_COORD = 10000000;
static const char *const META_ICC_NAME = "icc-profile-data";
static const char *const META_ORIENTATION = "orientation";
// GLib's log levels: warning, message, info, debug.
static const int QUIET_LEVELS = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7);

static struct {
    int (*init)(const char *argv0);
    const char *(*version_string)(void);
    void (*concurrency_set)(int);
    void (*cache_set_max)(int);
    const char *(*foreign_find_load)(const char *filename);
    VipsImage *(*image_new_from_file)(const char *name, ...);
    int (*image_get_width)(const VipsImage *);
    int (*image_get_height)(const VipsImage *);
    int (*image_get_orientation)(VipsImage *);
    int (*image_hasalpha)(VipsImage *);
    GType (*image_get_typeof)(const VipsImage *, const char *);
    void (*image_set_int)(VipsImage *, const char *, int);
    VipsImage *(*image_copy_memory)(VipsImage *);
    const char *(*nickname_find)(GType);
    int (*thumbnail)(const char *filename, VipsImage **out, int width, ...);
    int (*thumbnail_image)(VipsImage *in, VipsImage **out, int width, ...);
    int (*copy)(VipsImage *in, VipsImage **out, ...);
    int (*jpegsave)(VipsImage *in, const char *filename, ...);
    int (*icc_transform)(VipsImage *in, VipsImage **out, const char *output_profile, ...);
    int (*getpoint)(VipsImage *in, double **vector, int *n, int x, int y, ...);
    int (*jpegsave_buffer)(VipsImage *in, void **buf, size_t *len, ...);
    int (*pngsave_buffer)(VipsImage *in, void **buf, size_t *len, ...);
    int (*webpsave_buffer)(VipsImage *in, void **buf, size_t *len, ...);
    const char *(*error_buffer)(void);
    void (*error_clear)(void);
    unsigned (*g_log_set_handler)(const char *domain, int levels, void (*handler)(const char *, int, const char *, void *), void *data);
    GType (*g_type_from_name)(const char *);
    void (*g_object_unref)(void *);
    void (*g_free)(void *);
} vips;

static char library_path[4096];

/// libvips' warnings (an odd EXIF field of a camera) are not the editor's business:
/// what Bulletin has to say of an image it says itself, as a diagnostic.
static void quiet(const char *domain, int level, const char *message, void *data) {}

static int fail(char *error, size_t size, const char *message) {
    if (size > 0) snprintf(error, size, "%s", message);
    return 0;
}

int bulletin_vips_start(char *error, size_t error_size) {
    void *library = dlopen("libvips.so.42", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return fail(error, error_size, dlerror());
    // Each function by its name; GLib's are found through libvips' own dependencies.
#define FIND(field, symbol) \
    if ((*(void **)&vips.field = dlsym(library, symbol)) == NULL) return fail(error, error_size, "libvips lacks " symbol);
    FIND(init, "vips_init")
    FIND(version_string, "vips_version_string")
    FIND(concurrency_set, "vips_concurrency_set")
    FIND(cache_set_max, "vips_cache_set_max")
    FIND(foreign_find_load, "vips_foreign_find_load")
    FIND(image_new_from_file, "vips_image_new_from_file")
    FIND(image_get_width, "vips_image_get_width")
    FIND(image_get_height, "vips_image_get_height")
    FIND(image_get_orientation, "vips_image_get_orientation")
    FIND(image_hasalpha, "vips_image_hasalpha")
    FIND(image_get_typeof, "vips_image_get_typeof")
    FIND(image_set_int, "vips_image_set_int")
    FIND(image_copy_memory, "vips_image_copy_memory")
    FIND(nickname_find, "vips_nickname_find")
    FIND(thumbnail, "vips_thumbnail")
    FIND(thumbnail_image, "vips_thumbnail_image")
    FIND(copy, "vips_copy")
    FIND(jpegsave, "vips_jpegsave")
    FIND(icc_transform, "vips_icc_transform")
    FIND(getpoint, "vips_getpoint")
    FIND(jpegsave_buffer, "vips_jpegsave_buffer")
    FIND(pngsave_buffer, "vips_pngsave_buffer")
    FIND(webpsave_buffer, "vips_webpsave_buffer")
    FIND(error_buffer, "vips_error_buffer")
    FIND(error_clear, "vips_error_clear")
    FIND(g_log_set_handler, "g_log_set_handler")
    FIND(g_type_from_name, "g_type_from_name")
    FIND(g_object_unref, "g_object_unref")
    FIND(g_free, "g_free")
#undef FIND
    Dl_info info;
    if (dladdr(*(void **)&vips.init, &info) != 0 && info.dli_fname != NULL) {
        snprintf(library_path, sizeof library_path, "%s", info.dli_fname);
    }
    vips.g_log_set_handler("VIPS", QUIET_LEVELS, quiet, NULL);
    if (vips.init("bulletin") != 0) return fail(error, error_size, vips.error_buffer());
#ifdef __GLIBC__
    // A photo's pixels go back to the system once freed: with glibc's moving threshold,
    // buffers of a few megabytes freed by one image stayed in each thread's arena, and 100
    // photos of 5,120 × 2,880 peaked at 714 MiB instead of about 240.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    // Bulletin processes several images at once, one per core: libvips' own threads and
    // its cache of operations would only add memory.
    vips.concurrency_set(1);
    vips.cache_set_max(0);
    return 1;
}

const char *bulletin_vips_version(void) { return vips.version_string(); }

const char *bulletin_vips_library_path(void) { return library_path; }

int bulletin_vips_probe(const char *path, int *width, int *height, int *orientation, int *has_alpha, int *has_profile, char *loader, size_t loader_size) {
    const char *name = vips.foreign_find_load(path);
    if (name == NULL) return 0;
    VipsImage *image = vips.image_new_from_file(path, "access", ACCESS_SEQUENTIAL, NULL);
    if (image == NULL) return 0;
    *width = vips.image_get_width(image);
    *height = vips.image_get_height(image);
    *orientation = vips.image_get_orientation(image);
    *has_alpha = vips.image_hasalpha(image);
    *has_profile = vips.image_get_typeof(image, META_ICC_NAME) != 0;
    if (loader_size > 0) {
        const char *nickname = vips.nickname_find(vips.g_type_from_name(name));
        snprintf(loader, loader_size, "%s", nickname ? nickname : name);
    }
    vips.g_object_unref(image);
    return 1;
}

static void *in_memory(VipsImage *image) {
    if (image == NULL) return NULL;
    VipsImage *copy = vips.image_copy_memory(image);
    vips.g_object_unref(image);
    return copy;
}

void *bulletin_vips_thumbnail(const char *path, int width, int to_srgb) {
    VipsImage *out = NULL;
    int failed = to_srgb
        ? vips.thumbnail(path, &out, width, "height", MAX_COORD, "size", SIZE_DOWN, "export_profile", "srgb", NULL)
        : vips.thumbnail(path, &out, width, "height", MAX_COORD, "size", SIZE_DOWN, NULL);
    return failed ? NULL : in_memory(out);
}

void *bulletin_vips_shrink(void *image, int width) {
    VipsImage *out = NULL;
    if (vips.thumbnail_image((VipsImage *)image, &out, width, "height", MAX_COORD, "size", SIZE_DOWN, NULL) != 0) return NULL;
    return in_memory(out);
}

void *bulletin_vips_cover(void *image, int width, int height, int focus) {
    int interesting = focus == 1 ? INTERESTING_ATTENTION
        : focus == 2 ? INTERESTING_LOW
        : focus == 3 ? INTERESTING_HIGH
        : INTERESTING_CENTRE;
    VipsImage *out = NULL;
    if (vips.thumbnail_image((VipsImage *)image, &out, width, "height", height, "crop", interesting, NULL) != 0) return NULL;
    return in_memory(out);
}

int bulletin_vips_width(void *image) { return vips.image_get_width((VipsImage *)image); }
int bulletin_vips_height(void *image) { return vips.image_get_height((VipsImage *)image); }
int bulletin_vips_has_alpha(void *image) { return vips.image_hasalpha((VipsImage *)image); }

int bulletin_vips_encode(void *image, int format, int quality, void **bytes, size_t *length) {
    VipsImage *in = (VipsImage *)image;
    int failed;
    switch (format) {
    case 0:
        failed = vips.jpegsave_buffer(in, bytes, length, "Q", quality, "strip", 1, "interlace", 1, "optimize_coding", 1, NULL);
        break;
    case 1:
        failed = vips.pngsave_buffer(in, bytes, length, "strip", 1, "compression", 6, NULL);
        break;
    case 3:
        failed = vips.pngsave_buffer(in, bytes, length, "strip", 1, "compression", 9, "palette", 1, "Q", quality, NULL);
        break;
    default:
        // libvips 8.14's WebP keeps the colour profile despite `strip`: 6.9 KB of sRGB on
        // every copy of a phone's photo (and its EXIF: see webpWithoutMetadata in Swift).
        failed = vips.webpsave_buffer(in, bytes, length, "Q", quality, "strip", 1, "profile", "none", NULL);
        break;
    }
    return failed == 0;
}

void bulletin_vips_free(void *bytes) { vips.g_free(bytes); }
void bulletin_vips_release(void *image) { vips.g_object_unref(image); }

void bulletin_vips_error(char *buffer, size_t size) {
    if (size == 0) return;
    snprintf(buffer, size, "%s", vips.error_buffer());
    vips.error_clear();
}

int bulletin_vips_save_oriented_jpeg(void *image, const char *path, int orientation) {
    VipsImage *copy = NULL;
    if (vips.copy((VipsImage *)image, &copy, NULL) != 0) return 0;
    vips.image_set_int(copy, META_ORIENTATION, orientation);
    int failed = vips.jpegsave(copy, path, "Q", 90, NULL);
    vips.g_object_unref(copy);
    return failed == 0;
}

int bulletin_vips_save_in_profile(void *image, const char *path, const char *profile) {
    VipsImage *out = NULL;
    if (vips.icc_transform((VipsImage *)image, &out, profile, "input_profile", "srgb", NULL) != 0) return 0;
    int failed = vips.jpegsave(out, path, "Q", 95, NULL);
    vips.g_object_unref(out);
    return failed == 0;
}

int bulletin_vips_point(const char *path, int x, int y, double *values, int count) {
    VipsImage *image = vips.image_new_from_file(path, NULL);
    if (image == NULL) return 0;
    double *vector = NULL;
    int n = 0;
    int failed = vips.getpoint(image, &vector, &n, x, y, NULL);
    vips.g_object_unref(image);
    if (failed) return 0;
    for (int index = 0; index < n && index < count; index++) values[index] = vector[index];
    vips.g_free(vector);
    return n;
}
