// The values Scribe stores: documents, jobs, their attempts and state
// history. Plain structs; no behaviour beyond naming states.
#ifndef SCRIBE_HOST_STORE_TYPES_H_
#define SCRIBE_HOST_STORE_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/common/status.h"

namespace scribe::store {

// DESIGN.md §5: queued -> running -> succeeded | failed | cancelled, plus
// interrupted (the host stopped while the job ran).
enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled, kInterrupted };

std::string_view ToString(JobState state);
std::optional<JobState> ParseJobState(std::string_view text);
// A comma-separated list of states ("failed,cancelled"; empty items are
// skipped); InvalidArgument("invalid_state") naming the first unknown one.
Result<std::vector<JobState>> ParseJobStates(std::string_view list);
// succeeded, failed or cancelled: nothing runs until someone continues it.
bool IsFinished(JobState state);
inline constexpr JobState kAllJobStates[] = {JobState::kQueued,    JobState::kRunning,
                                             JobState::kSucceeded, JobState::kFailed,
                                             JobState::kCancelled, JobState::kInterrupted};

struct Document {
  std::string id;
  std::string title;
  std::string content;  // empty in listings
  int64_t bytes = 0;
  int64_t created_ms = 0;
  std::string owner_key_id;  // the API key that stored it; empty: none
};

struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t thinking_tokens = 0;
};

// Token usage of every attempt a provider made, for /metrics.
struct ProviderUsage {
  std::string provider;
  int64_t attempts = 0;
  Usage usage;
};

struct JobError {
  std::string code;     // Scribe's class, e.g. "provider_unavailable"
  std::string message;  // for people
  std::string detail;   // the provider's own reason, e.g. "MAX_TOKENS"
  bool retryable = false;
};

// What a client asked for; fixed when the job is created.
struct JobSpec {
  std::string document_id;  // empty when the content came inline
  std::string title;
  std::string input;  // the document text, copied so the job stands alone
  std::string provider;
  std::string model;
  std::string prompt;
  std::optional<double> temperature;
  std::optional<int64_t> max_output_tokens;
  std::string params_json = "{}";    // a JSON object, passed to the plugin as is
  std::string fallback_json = "[]";  // a JSON array of {provider, model}
  std::string idempotency_key;       // empty: none
  std::string request_hash;          // what the key was first used with
  std::string parent_id;             // set on a retry
  std::string owner_key_id;          // the API key that submitted it; empty: none
};

struct Job {
  std::string id;
  JobSpec spec;  // spec.input is filled only by Store::GetJobInput
  int64_t input_bytes = 0;
  JobState state = JobState::kQueued;
  int attempts = 0;
  int64_t output_bytes = 0;
  std::string model_used;
  Usage usage;  // summed over every attempt
  std::optional<JobError> error;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::optional<int64_t> started_ms;
  std::optional<int64_t> finished_ms;
  // The host that claimed it last ("<hostname>:<pid>:<random>"), and until
  // when a running job stays that host's without a renewal.
  std::string lease_owner;
  std::optional<int64_t> lease_until_ms;
};

// One run of a provider for a job.
struct Attempt {
  int number = 0;
  std::string provider;
  std::string model;
  std::string model_used;
  JobState state = JobState::kRunning;  // how it ended, or running
  int64_t start_offset = 0;
  int64_t end_offset = 0;
  int64_t started_ms = 0;
  std::optional<int64_t> finished_ms;
  std::optional<JobError> error;
  Usage usage;
};

// One entry of a job's state history.
struct JobEvent {
  int64_t at_ms = 0;
  JobState state = JobState::kQueued;
  int attempt = 0;
  int64_t offset = 0;
  std::string note;
};

struct JobHistory {
  std::vector<Attempt> attempts;
  std::vector<JobEvent> events;
  std::vector<std::string> children;  // jobs retried from this one
};

// How an attempt ended, as the dispatcher reports it.
struct AttemptOutcome {
  JobState state = JobState::kSucceeded;  // succeeded, failed, cancelled, interrupted
  std::optional<JobError> error;
  Usage usage;
  std::string model_used;
  std::string note;
};

struct JobFilter {
  std::vector<JobState> states;  // empty: any
  std::string provider;          // empty: any
  std::optional<int64_t> since_ms;
  std::string owner_key_id;  // empty: any owner
  int limit = 50;
  std::string cursor;  // from a previous page; empty: newest first
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty: no more
};

struct PageRequest {
  int limit = 50;
  std::string cursor;
  std::string owner_key_id;  // empty: any owner
};

// An API key as stored: never its secret, only the secret's hash.
struct ApiKey {
  std::string id;  // key_…
  std::string name;
  std::string prefix;  // the secret's first characters
  bool admin = false;
  int64_t created_ms = 0;
  std::optional<int64_t> revoked_ms;
};

struct CreatedJob {
  Job job;
  bool replayed = false;  // an earlier submit with the same idempotency key
};

// ---- Durable Streams: append-only logs named by URL path

// Whether a stream's content type is JSON ("application/json", any case,
// parameters allowed): its bytes are then messages, one per line.
bool IsJsonContentType(std::string_view content_type);

// A stream as stored.
struct StreamInfo {
  int64_t id = 0;
  std::string path;
  std::string content_type;
  std::optional<int64_t> ttl_seconds;    // sliding, renewed by reads and appends
  std::optional<int64_t> expires_at_ms;  // absolute
  bool closed = false;
  int64_t tail = 0;         // the next offset: where the next append lands
  int64_t fork_offset = 0;  // a fork: where its own bytes begin; below, its source's
  int64_t fork_sub = 0;     // the sub-offset it was forked with
  std::string fork_source;  // a fork: its source's path
  int64_t created_ms = 0;
  int64_t accessed_ms = 0;

  bool json() const { return IsJsonContentType(content_type); }
  // When the stream stops existing, if ever.
  std::optional<int64_t> ExpiryMs() const;
};

// What a PUT asks for.
struct StreamCreate {
  std::string path;
  std::string content_type;  // empty: the fork source's, else application/octet-stream
  std::optional<int64_t> ttl_seconds;
  std::optional<int64_t> expires_at_ms;
  bool closed = false;
  std::string data;  // initial bytes, framed (JSON: one message per line)
  // A fork of `fork_source` at `fork_offset` (absent: its tail), plus the
  // first `fork_sub` bytes (JSON: messages) of the append found there.
  std::string fork_source;
  std::optional<int64_t> fork_offset;
  int64_t fork_sub = 0;
};

struct CreatedStream {
  StreamInfo stream;
  bool created = false;  // false: it existed with the same settings
};

// An idempotent producer's identity and position (Producer-Id/Epoch/Seq).
struct StreamProducer {
  std::string id;
  int64_t epoch = 0;
  int64_t seq = 0;
};

// What a POST asks for.
struct StreamAppend {
  std::string path;
  std::string content_type;  // the body's; empty when the request named none
  std::string data;          // framed; empty: only close
  bool close = false;
  std::optional<StreamProducer> producer;
  std::optional<std::string> stream_seq;  // Stream-Seq: must grow, compared as bytes
};

// What an append came to, on success and on failure alike (the protocol's
// answers carry the stream's tail and the producer's state either way).
struct StreamAppendResult {
  StreamInfo stream;       // after the append (or as found, when refused)
  bool duplicate = false;  // a producer's retry of what is stored already
  // The producer's state for the answer's headers: current epoch and the
  // last accepted seq; on a gap, the seq expected and the one received.
  int64_t producer_epoch = 0;
  int64_t producer_seq = -1;
  int64_t expected_seq = -1;
  int64_t received_seq = -1;
};

// A Durable Streams subscription as stored: its id and its whole state, a
// JSON document only the subscription service reads
// (host/streams/subscriptions.h).
struct StoredSubscription {
  std::string id;
  std::string state;
};

// Bytes of a stream read from an offset.
struct StreamRead {
  std::string data;
  int64_t next = 0;  // the offset after `data`
};

}  // namespace scribe::store

#endif  // SCRIBE_HOST_STORE_TYPES_H_
