# Writes OUTPUT, a C++ file defining `extern const char SYMBOL[]` in
# namespace NAMESPACE with the contents of INPUT.
file(READ ${INPUT} text)
file(WRITE ${OUTPUT}.tmp
"// Generated from ${INPUT} by cmake/embed_file.cmake. Do not edit.
namespace ${NAMESPACE} {
extern const char ${SYMBOL}[];
const char ${SYMBOL}[] = R\"scribe_embed(${text})scribe_embed\";
}  // namespace ${NAMESPACE}
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
