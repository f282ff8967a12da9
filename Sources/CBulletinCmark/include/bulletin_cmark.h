// What cmark-gfm's HTML renderer reads of footnotes and its API has no accessor for.
// The node is opaque here, as in cmark-gfm's public header.
struct cmark_node;

/// The label of a footnote definition, as written (not NUL-terminated).
const unsigned char *bulletin_footnote_label(struct cmark_node *definition, int *length);

/// How many references a footnote definition has.
int bulletin_footnote_reference_count(struct cmark_node *definition);

/// The definition a footnote reference leads to.
struct cmark_node *bulletin_footnote_definition(struct cmark_node *reference);

/// Which reference to its definition this one is, from 1.
int bulletin_footnote_occurrence(struct cmark_node *reference);
