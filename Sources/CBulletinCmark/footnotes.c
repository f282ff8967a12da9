#include <cmark-gfm/node.h>
#include "bulletin_cmark.h"

const unsigned char *bulletin_footnote_label(struct cmark_node *definition, int *length) {
    *length = definition->as.literal.len;
    return definition->as.literal.data;
}

int bulletin_footnote_reference_count(struct cmark_node *definition) {
    return definition->footnote.def_count;
}

struct cmark_node *bulletin_footnote_definition(struct cmark_node *reference) {
    return reference->parent_footnote_def;
}

int bulletin_footnote_occurrence(struct cmark_node *reference) {
    return reference->footnote.ref_ix;
}
