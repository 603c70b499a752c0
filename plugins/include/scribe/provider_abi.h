/*
 * provider_abi.h — the C ABI between the Scribe host and provider plugins.
 *
 * A provider plugin is a shared library that exports one function,
 * SCRIBE_PROVIDER_ENTRY_SYMBOL, returning a pointer to a static, immutable
 * scribe_provider table. The host loads every plugin of its plugin directory
 * at start-up, reads abi_major / abi_minor / struct_size before touching any
 * other field, and refuses a plugin whose major differs from its own or whose
 * minor is newer. A loaded plugin is never unloaded while a job uses it.
 *
 * Why C: the layout of a C struct is fixed by the platform ABI, so a plugin
 * built by another compiler or standard library still loads. Only UTF-8 byte
 * buffers with lengths, fixed-width integers, explicit-valued enums, opaque
 * context pointers and function pointers cross this boundary. No exception
 * may cross it: a C++ plugin catches everything at the edge (see
 * provider_cpp.h). Each side frees what it allocated; text that one side
 * hands back to the other is copied through a scribe_sink.
 *
 * Versioning: fields are only ever appended to the structs below, and the
 * minor version grows when they are. Each struct starts with struct_size so
 * the reader can tell which fields the writer knew about.
 *
 * This header includes only <stdint.h> and <stddef.h>, and compiles as C11
 * and as C++.
 */
#ifndef SCRIBE_PROVIDER_ABI_H_
#define SCRIBE_PROVIDER_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCRIBE_PROVIDER_ABI_MAJOR 1
#define SCRIBE_PROVIDER_ABI_MINOR 0
#define SCRIBE_PROVIDER_ENTRY_SYMBOL "scribe_provider_entry"

/* What went wrong, in classes the host acts on (DESIGN.md §5). */
typedef enum scribe_error_class {
  SCRIBE_ERROR_NONE = 0,
  SCRIBE_ERROR_NOT_CONFIGURED = 1, /* a key or setting is missing: fail at once */
  SCRIBE_ERROR_AUTH = 2,           /* the provider rejected the credentials */
  SCRIBE_ERROR_BAD_REQUEST = 3,    /* the request can never succeed as sent */
  SCRIBE_ERROR_MODEL_NOT_FOUND = 4,
  SCRIBE_ERROR_RATE_LIMITED = 5, /* retryable after retry_after_ms */
  SCRIBE_ERROR_QUOTA = 6,        /* quota or billing exhausted: not retryable */
  SCRIBE_ERROR_UNAVAILABLE = 7,  /* 5xx, connect or network error: retryable */
  SCRIBE_ERROR_TIMEOUT = 8,      /* connect, first-byte or idle timeout: retryable */
  SCRIBE_ERROR_TRUNCATED = 9,    /* the stream ended without its end marker */
  SCRIBE_ERROR_BLOCKED = 10,     /* safety, recitation, blocked prompt */
  SCRIBE_ERROR_INCOMPLETE = 11,  /* stopped by a provider limit (max tokens) */
  SCRIBE_ERROR_INTERNAL = 12     /* a fault inside the plugin */
} scribe_error_class;

typedef enum scribe_log_level {
  SCRIBE_LOG_DEBUG = 0,
  SCRIBE_LOG_INFO = 1,
  SCRIBE_LOG_WARNING = 2,
  SCRIBE_LOG_ERROR = 3
} scribe_log_level;

/* What generate() returns. */
typedef enum scribe_generate_status {
  SCRIBE_GENERATE_DONE = 0,     /* the provider finished normally */
  SCRIBE_GENERATE_FAILED = 1,   /* set_error() was called with the reason */
  SCRIBE_GENERATE_CANCELLED = 2 /* is_cancelled() or emit() asked to stop */
} scribe_generate_status;

/* What emit() returns. */
typedef enum scribe_emit_status {
  SCRIBE_EMIT_CONTINUE = 0,
  SCRIBE_EMIT_STOP = 1 /* cancelled, or the text was refused: return at once */
} scribe_emit_status;

/* A place to copy bytes to. The receiver owns the copy; write() may be
 * called several times and appends. */
typedef struct scribe_sink {
  void* ctx;
  void (*write)(void* ctx, const char* data, size_t len);
} scribe_sink;

/* Process-wide services of the host, valid from init() until shutdown()
 * returns. Callable from any thread. */
typedef struct scribe_host {
  uint32_t struct_size;
  uint32_t reserved; /* zero */
  void* ctx;
  void (*log)(void* ctx, int32_t level, const char* message, size_t len);
  /* Looks a setting up (host config file, then environment), e.g.
   * "GOOGLE_API_KEY". Returns 1 and writes the value to `out` when it is set,
   * 0 otherwise. Secrets read this way must never be logged by the plugin. */
  int32_t (*get_config)(void* ctx, const char* key, size_t key_len, scribe_sink out);
} scribe_host;

/* One generation: the job's request and the host's callbacks for it. Valid
 * only during the generate() call that received it; every callback must be
 * called from the thread that called generate() (or one it waits for). */
typedef struct scribe_generation {
  uint32_t struct_size;
  uint32_t attempt; /* 1 for the first run of a job, 2 after one continue… */
  void* ctx;
  /* The job as JSON text: {"job_id","model","prompt","document":{"title",
   * "content"},"temperature","max_output_tokens","params":{…}}. `prompt` and
   * `model` may be empty (use the plugin's defaults); `params` is the job's
   * params object, passed through as the client sent it. */
  const char* request_json;
  size_t request_json_len;
  /* The text this job produced before this attempt (empty on a fresh job).
   * Generate exactly what follows it, without repeating any of it. */
  const char* continuation;
  size_t continuation_len;
  /* Appends UTF-8 text to the job's output. A character may be split across
   * two calls; invalid UTF-8 is refused with SCRIBE_EMIT_STOP. */
  int32_t (*emit)(void* ctx, const char* text, size_t len);
  /* Non-zero once the job was cancelled or the host is shutting down; poll it
   * at least every 100 ms while waiting on anything. */
  int32_t (*is_cancelled)(void* ctx);
  void (*log)(void* ctx, int32_t level, const char* message, size_t len);
  /* Records why the generation failed; call before returning
   * SCRIBE_GENERATE_FAILED. `code` is the provider's own reason (for example
   * "API_KEY_INVALID" or "MAX_TOKENS"), `retry_after_ms` a hint (-1: none). */
  void (*set_error)(void* ctx, int32_t error_class, const char* code, size_t code_len,
                    const char* message, size_t message_len, int64_t retry_after_ms);
  /* Token usage of this attempt as the provider reported it so far
   * (cumulative; -1 = not reported). May be called any number of times. */
  void (*report_usage)(void* ctx, int64_t input_tokens, int64_t output_tokens,
                       int64_t thinking_tokens);
  /* The model that actually answered (e.g. Gemini's modelVersion). */
  void (*report_model)(void* ctx, const char* model, size_t len);
} scribe_generation;

/* The plugin's table, returned by the entry symbol. Static and immutable for
 * the life of the library. */
typedef struct scribe_provider {
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t struct_size; /* sizeof(scribe_provider) as the plugin saw it */
  uint32_t reserved;    /* zero */
  const char* name;     /* the job's `provider`: [a-z0-9_-], at most 32 bytes */
  const char* version;  /* the plugin's own version, free text */

  /* Creates the plugin's instance. Called once, before anything else, on the
   * host's start-up thread. Returns 0 on success; anything else refuses the
   * plugin (say why through host->log first). `host` outlives the instance. */
  int32_t (*init)(const scribe_host* host, void** instance);
  /* Destroys the instance. Called once, when no other call is in flight. */
  void (*shutdown)(void* instance);
  /* Writes a JSON object to `out`: {"description","default_model",
   * "models":[{"id","label"}],"accepts_any_model":bool,"configured":bool,
   * "configuration_hint"}. Any thread, concurrently. */
  void (*describe)(void* instance, scribe_sink out);
  /* Checks a job's request (the same JSON as scribe_generation's) before the
   * job is created: returns SCRIBE_ERROR_NONE, or an error class with a
   * message for the client written to `message`. No network. Any thread. */
  int32_t (*validate)(void* instance, const char* request_json, size_t len, scribe_sink message);
  /* Runs one generation to its end; returns a scribe_generate_status. Blocks
   * the calling worker thread; many generations run concurrently. */
  int32_t (*generate)(void* instance, const scribe_generation* generation);
} scribe_provider;

/* The type of the exported entry symbol. */
typedef const scribe_provider* (*scribe_provider_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SCRIBE_PROVIDER_ABI_H_ */
