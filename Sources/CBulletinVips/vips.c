#include "bulletin_vips.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <vips/vips.h>

/// libvips' warnings (an odd EXIF field of a camera) are not the editor's business:
/// what Bulletin has to say of an image it says itself, as a diagnostic.
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {}

int bulletin_vips_start(void) {
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, quiet, NULL);
    if (VIPS_INIT("bulletin") != 0) return 0;
#ifdef __GLIBC__
    // A photo's pixels go back to the system once freed: with glibc's moving threshold,
    // buffers of a few megabytes freed by one image stayed in each thread's arena, and 100
    // photos of 5,120 × 2,880 peaked at 714 MiB instead of about 240.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    // Bulletin processes several images at once, one per core: libvips' own threads and
    // its cache of operations would only add memory.
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    return 1;
}

const char *bulletin_vips_version(void) {
    return vips_version_string();
}

int bulletin_vips_probe(const char *path, int *width, int *height, int *orientation, int *has_alpha, int *has_profile, char *loader, size_t loader_size) {
    const char *name = vips_foreign_find_load(path);
    if (name == NULL) return 0;
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (image == NULL) return 0;
    *width = vips_image_get_width(image);
    *height = vips_image_get_height(image);
    *orientation = vips_image_get_orientation(image);
    *has_alpha = vips_image_hasalpha(image);
    *has_profile = vips_image_get_typeof(image, VIPS_META_ICC_NAME) != 0;
    if (loader_size > 0) {
        VipsObjectClass *class = VIPS_OBJECT_CLASS(g_type_class_peek(g_type_from_name(name)));
        const char *nickname = class ? class->nickname : name;
        strncpy(loader, nickname, loader_size - 1);
        loader[loader_size - 1] = 0;
    }
    g_object_unref(image);
    return 1;
}

static void *in_memory(VipsImage *image) {
    if (image == NULL) return NULL;
    VipsImage *copy = vips_image_copy_memory(image);
    g_object_unref(image);
    return copy;
}

void *bulletin_vips_thumbnail(const char *path, int width, int to_srgb) {
    VipsImage *out = NULL;
    int failed = to_srgb
        ? vips_thumbnail(path, &out, width, "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, "export_profile", "srgb", NULL)
        : vips_thumbnail(path, &out, width, "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, NULL);
    return failed ? NULL : in_memory(out);
}

void *bulletin_vips_shrink(void *image, int width) {
    VipsImage *out = NULL;
    if (vips_thumbnail_image((VipsImage *)image, &out, width, "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, NULL) != 0) return NULL;
    return in_memory(out);
}

void *bulletin_vips_cover(void *image, int width, int height, int focus) {
    VipsInteresting interesting = focus == 1 ? VIPS_INTERESTING_ATTENTION
        : focus == 2 ? VIPS_INTERESTING_LOW
        : focus == 3 ? VIPS_INTERESTING_HIGH
        : VIPS_INTERESTING_CENTRE;
    VipsImage *out = NULL;
    if (vips_thumbnail_image((VipsImage *)image, &out, width, "height", height, "crop", interesting, NULL) != 0) return NULL;
    return in_memory(out);
}

int bulletin_vips_width(void *image) { return vips_image_get_width((VipsImage *)image); }
int bulletin_vips_height(void *image) { return vips_image_get_height((VipsImage *)image); }
int bulletin_vips_has_alpha(void *image) { return vips_image_hasalpha((VipsImage *)image); }

int bulletin_vips_encode(void *image, int format, int quality, void **bytes, size_t *length) {
    VipsImage *in = (VipsImage *)image;
    int failed;
    switch (format) {
    case 0:
        failed = vips_jpegsave_buffer(in, bytes, length, "Q", quality, "strip", TRUE, "interlace", TRUE, "optimize_coding", TRUE, NULL);
        break;
    case 1:
        failed = vips_pngsave_buffer(in, bytes, length, "strip", TRUE, "compression", 6, NULL);
        break;
    case 3:
        failed = vips_pngsave_buffer(in, bytes, length, "strip", TRUE, "compression", 9, "palette", TRUE, "Q", quality, NULL);
        break;
    default:
        failed = vips_webpsave_buffer(in, bytes, length, "Q", quality, "strip", TRUE, NULL);
        break;
    }
    return failed == 0;
}

void bulletin_vips_free(void *bytes) { g_free(bytes); }
void bulletin_vips_release(void *image) { g_object_unref((VipsImage *)image); }

void bulletin_vips_error(char *buffer, size_t size) {
    if (size == 0) return;
    strncpy(buffer, vips_error_buffer(), size - 1);
    buffer[size - 1] = 0;
    vips_error_clear();
}

int bulletin_vips_save_oriented_jpeg(void *image, const char *path, int orientation) {
    VipsImage *copy = NULL;
    if (vips_copy((VipsImage *)image, &copy, NULL) != 0) return 0;
    vips_image_set_int(copy, VIPS_META_ORIENTATION, orientation);
    int failed = vips_jpegsave(copy, path, "Q", 90, NULL);
    g_object_unref(copy);
    return failed == 0;
}
