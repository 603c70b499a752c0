// The host's HTTPS listener (--tls-cert/--tls-key) with a self-signed
// certificate: the API, a live viewer, scribectl trusting the certificate through --cacert, and
// refusals of plain HTTP, untrusted clients and bad certificate settings.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

#include <sstream>

#include "tests/e2e/host_fixture.h"
#include "tests/support/subprocess.h"

namespace scribe::testing {
namespace {

class TlsTest : public HostTest {
 protected:
  static void SetUpTestSuite() { Poco::Net::initializeSSL(); }
  static void TearDownTestSuite() { Poco::Net::uninitializeSSL(); }

  std::vector<std::string> HostArgs() override {
    return {"--tls-cert", cert_, "--tls-key", dir_.File("key.pem")};
  }

  // A session that trusts only the test's certificate.
  std::unique_ptr<Poco::Net::HTTPSClientSession> Session() {
    auto session = std::make_unique<Poco::Net::HTTPSClientSession>(
        "127.0.0.1", static_cast<Poco::UInt16>(port()), trust_);
    session->setTimeout(Poco::Timespan(30, 0));
    return session;
  }

  HttpResponse Https(const std::string& method, const std::string& path,
                     const std::string& body = "") {
    return Http(*Session(), method, path, body);
  }

  std::vector<std::string> Scribectl(std::vector<std::string> args) {
    args.insert(args.begin(), {BinDir() + "/scribectl", "--url", host_->base_url()});
    return args;
  }

  std::string cert_ = MakeCertificate(dir_);
  Poco::Net::Context::Ptr trust_ = new Poco::Net::Context(
      Poco::Net::Context::TLS_CLIENT_USE, cert_, Poco::Net::Context::VERIFY_RELAXED, 9, false);
};

TEST_F(TlsTest, ServesTheApiAndLiveEventsOverHttps) {
  EXPECT_EQ(host_->base_url().rfind("https://", 0), 0u);
  EXPECT_EQ(Https("GET", "/healthz").status, 200);
  EXPECT_NE(Http(port(), "GET", "/healthz").status, 200) << "plain HTTP on the HTTPS port";

  nlohmann::json job = {
      {"content", Document(600)}, {"provider", "offline"}, {"params", {{"chunks_per_second", 0}}}};
  HttpResponse created = Https("POST", "/api/jobs", job.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json()["id"];

  // A viewer attached while the job runs. (A viewer whose socket fills up
  // is in tests/stream/sse_hub_tls_test.cc, where the host's buffer is small.)
  SseClient parser;
  auto session = Session();
  Poco::Net::HTTPRequest request("GET", "/api/jobs/" + id + "/events",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Accept", "text/event-stream");
  session->sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& in = session->receiveResponse(response);
  ASSERT_EQ(response.getStatus(), 200);
  std::ostringstream stream;
  Poco::StreamCopier::copyStream(in, stream);  // to the end: the host closes after `complete`
  parser.Feed(stream.str());

  HttpResponse output = Https("GET", "/api/jobs/" + id + "/output");
  ASSERT_EQ(output.status, 200);
  EXPECT_GT(output.body.size(), 200'000u);
  EXPECT_EQ(parser.Text(), output.body);
  ASSERT_FALSE(parser.events().empty());
  EXPECT_EQ(parser.events().back().event, "complete");
}

TEST_F(TlsTest, ALargeAnswerIsWholeAndTheConnectionGoesOn) {
  // A catch-up answer this large skips the stream buffer (Exchange): its
  // bytes, and the next request on the same connection, are as they should be.
  auto session = Session();
  session->setKeepAlive(true);
  std::string text;
  for (int i = 0; text.size() < 300'000; ++i) text += "line " + std::to_string(i) + "\n";
  ASSERT_EQ(Http(*session, "PUT", "/v1/stream/big", text, "text/plain").status, 201);
  for (int round = 0; round < 2; ++round) {
    HttpResponse read = Http(*session, "GET", "/v1/stream/big?offset=-1");
    ASSERT_EQ(read.status, 200);
    EXPECT_EQ(read.body, text);
  }
  EXPECT_EQ(Http(*session, "GET", "/healthz").status, 200);
}

TEST_F(TlsTest, ScribectlTrustsTheCertificateGivenWithCacert) {
  nlohmann::json job = {
      {"content", Document(3)}, {"provider", "offline"}, {"params", {{"chunks_per_second", 400}}}};
  HttpResponse created = Https("POST", "/api/jobs", job.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json()["id"];

  ProcessResult tail = RunProcess(Scribectl({"--cacert", cert_, "tail", "-f", id}));
  EXPECT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(tail.out, Https("GET", "/api/jobs/" + id + "/output").body);

  ProcessResult from_env = RunProcess(Scribectl({"jobs"}), "", {"SCRIBE_CA_FILE=" + cert_});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_NE(from_env.out.find(id), std::string::npos);

  // The system's CAs do not know this certificate.
  ProcessResult untrusted = RunProcess(Scribectl({"jobs"}), "", {"-SCRIBE_CA_FILE"});
  EXPECT_EQ(untrusted.exit_code, 3) << untrusted.err;
  EXPECT_NE(untrusted.err.find("cannot reach the host"), std::string::npos) << untrusted.err;
}

TEST_F(TlsTest, TheSessionCookieIsSecureOverHttps) {
  HttpResponse signed_out = Https("DELETE", "/api/session");
  EXPECT_EQ(signed_out.status, 204);
  EXPECT_NE(signed_out.Header("set-cookie").find("; Secure"), std::string::npos)
      << signed_out.Header("set-cookie");
}

TEST(TlsConfigTest, BadCertificateSettingsStopTheHostWithAClearError) {
  TempDir dir;
  const std::string cert = MakeCertificate(dir);
  auto scribed = [&](std::vector<std::string> tls) {
    std::vector<std::string> args = {BinDir() + "/scribed",
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--db",
                                     dir.File("scribe.db"),
                                     "--auth",
                                     "off",
                                     "--plugins",
                                     PluginDir()};
    args.insert(args.end(), tls.begin(), tls.end());
    return RunProcess(args, "", {}, 30);
  };
  ProcessResult alone = scribed({"--tls-cert", cert});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("give both files or neither"), std::string::npos) << alone.err;

  ProcessResult missing = scribed({"--tls-cert", dir.File("none.pem"), "--tls-key", cert});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("cannot use the TLS certificate"), std::string::npos) << missing.err;

  // A key that is not the certificate's.
  TempDir other;
  MakeCertificate(other);
  ProcessResult mismatch = scribed({"--tls-cert", cert, "--tls-key", other.File("key.pem")});
  EXPECT_NE(mismatch.exit_code, 0);
  EXPECT_NE(mismatch.err.find("cannot use the TLS certificate"), std::string::npos) << mismatch.err;
}

}  // namespace
}  // namespace scribe::testing
