// Post-processing of a finished script for the `complete` event: what a
// listener should hear, without the markdown and whitespace artefacts models
// leave behind. The job's log itself is never changed (it stays byte-exact,
// and offsets keep their meaning); only the `script` field is cleaned.
#ifndef SCRIBE_HOST_STREAM_SCRIPT_TEXT_H_
#define SCRIBE_HOST_STREAM_SCRIPT_TEXT_H_

#include <string>
#include <string_view>

namespace scribe::stream {

// Removes heading marks, list bullets, emphasis markers, inline code ticks
// and link targets; turns CRLF into LF, collapses runs of spaces and of
// blank lines, trims each line and the whole text. Valid UTF-8 stays valid.
std::string PostProcessScript(std::string_view raw);

}  // namespace scribe::stream

#endif  // SCRIBE_HOST_STREAM_SCRIPT_TEXT_H_
