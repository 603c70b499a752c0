// The prompts every model provider uses unless a job brings its own: the
// education-audio script prompt, and the request to continue a partial
// script from exactly where it stops.
#ifndef SCRIBE_PLUGINS_COMMON_SCRIPT_PROMPTS_H_
#define SCRIBE_PLUGINS_COMMON_SCRIPT_PROMPTS_H_

namespace scribe::plugin_common {

inline constexpr char kDefaultScriptPrompt[] =
    "You write the script of an educational audio lesson from the knowledge document the user "
    "gives you. Write plain spoken prose for a single narrator: no markdown, no headings, no "
    "bullet points, no stage directions, no emojis. Open with one sentence that welcomes the "
    "listener and names the topic. Then explain the material section by section in short, clear "
    "sentences with natural spoken transitions, explain terms a listener may not know, and "
    "describe tables, figures and code instead of reading them out. Close with a brief summary of "
    "the key points. Stay faithful to the document and do not invent facts.";

inline constexpr char kContinuePrompt[] =
    "Your previous answer was cut off. Continue the script from exactly where it stops: do not "
    "repeat any of it, do not start over, and do not add any preamble. Begin with the very next "
    "character.";

}  // namespace scribe::plugin_common

#endif  // SCRIBE_PLUGINS_COMMON_SCRIPT_PROMPTS_H_
