// Caller: who makes a request — an API key, or no one in particular when
// authentication is off (the single local user, who sees everything).
// A key sees and acts only on what it created; to it, anything else does not
// exist (NotFound, so the ids of others never leak). An admin key sees all.
#ifndef SCRIBE_HOST_JOBS_CALLER_H_
#define SCRIBE_HOST_JOBS_CALLER_H_

#include <string>

namespace scribe::jobs {

struct Caller {
  std::string key_id;  // empty: authentication is off
  bool admin = false;
  bool SeesAll() const { return key_id.empty() || admin; }
};

}  // namespace scribe::jobs

#endif  // SCRIBE_HOST_JOBS_CALLER_H_
