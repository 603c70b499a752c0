// Test clients that talk to a real host over loopback: a plain HTTP client
// and an SSE client written from the SSE specification, independent of the
// host's own framing code, that can drop its connection at any moment.
#ifndef SCRIBE_TESTS_SUPPORT_CLIENTS_H_
#define SCRIBE_TESTS_SUPPORT_CLIENTS_H_

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPClientSession;
}

namespace scribe::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  nlohmann::json Json() const;
  std::string Header(const std::string& lower_name) const;
};

// One request on a fresh connection. `raw_body` is sent as is.
HttpResponse Http(int port, const std::string& method, const std::string& path,
                  const std::string& raw_body = "",
                  const std::string& content_type = "application/json",
                  const std::map<std::string, std::string>& headers = {});
// The same on a session the caller made (HTTPS, say).
HttpResponse Http(Poco::Net::HTTPClientSession& session, const std::string& method,
                  const std::string& path, const std::string& raw_body = "",
                  const std::string& content_type = "application/json",
                  const std::map<std::string, std::string>& headers = {});

// What a normal client cannot send: writes `pieces` on one fresh connection,
// `gap` apart (stopping once the host answers or closes), closes its sending
// side once all are sent, and reads one response until the host closes the connection or `timeout`
// passes. `elapsed` (optional) receives the time from connecting to the answer.
HttpResponse RawHttp(int port, const std::vector<std::string>& pieces,
                     std::chrono::milliseconds gap = std::chrono::milliseconds(0),
                     std::chrono::milliseconds timeout = std::chrono::seconds(30),
                     std::chrono::milliseconds* elapsed = nullptr);

// Submits a job with the offline provider; returns its id ("" on failure).
std::string SubmitOffline(int port, const std::string& content, double chunks_per_second,
                          const nlohmann::json& extra_params = nlohmann::json::object());
// Waits until the job's state is one of `states`; returns the job JSON.
nlohmann::json WaitForState(int port, const std::string& job_id,
                            const std::vector<std::string>& states,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
  nlohmann::json Json() const;
};

class SseClient {
 public:
  SseClient() = default;
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // Connects and sends GET `path` (Accept: text/event-stream, and
  // Last-Event-ID when given), then reads the response head.
  bool Open(int port, const std::string& path,
            const std::optional<std::string>& last_event_id = std::nullopt);
  int status() const { return status_; }
  const std::string& head() const { return head_; }

  // Reads events until `stop` returns true for one, the server closes the
  // stream (returns true then too) or `timeout` passes (false).
  bool ReadUntil(const std::function<bool(const SseEvent&)>& stop,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Reads until a terminal event (complete, error, cancelled) or close.
  bool ReadToEnd(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Drops the connection without reading further.
  void Close();
  // Parses stream bytes that arrived some other way (over TLS, say).
  void Feed(const std::string& bytes);

  const std::vector<SseEvent>& events() const { return events_; }
  const std::vector<std::string>& comments() const { return comments_; }
  const std::string& retry() const { return retry_; }
  // The id of the last event received ("" if none).
  const std::string& last_id() const { return last_id_; }
  // Concatenated `content` of every token event.
  std::string Text() const;
  bool server_closed() const { return server_closed_; }
  // The body of a non-200 response.
  const std::string& error_body() const { return pending_; }

 private:
  // Parses complete lines of pending_; returns true when `stop` matched.
  bool Parse(const std::function<bool(const SseEvent&)>& stop);

  int fd_ = -1;
  int status_ = 0;
  std::string head_;
  std::string pending_;
  SseEvent current_;
  bool has_data_ = false;
  std::vector<SseEvent> events_;
  std::vector<std::string> comments_;
  std::string retry_;
  std::string last_id_;
  bool server_closed_ = false;
};

bool IsTerminal(const SseEvent& event);

// Watches a job to its end across dropped connections and host restarts,
// reconnecting with Last-Event-ID after every drop, as an EventSource does.
struct ResumingViewer {
  std::string text;       // every token's text, in order
  std::string end_event;  // complete, error or cancelled; "" if it never ended
  int connections = 0;
  std::vector<int> ports_used;  // one per connection

  void Run(int port, const std::string& job_id, std::chrono::steady_clock::time_point deadline) {
    Run(std::vector<int>{port}, job_id, deadline);
  }
  // The same behind a load balancer: each connection goes to the first of
  // `ports` that answers, starting from the one that served the last.
  void Run(const std::vector<int>& ports, const std::string& job_id,
           std::chrono::steady_clock::time_point deadline);
};

}  // namespace scribe::testing

#endif  // SCRIBE_TESTS_SUPPORT_CLIENTS_H_
