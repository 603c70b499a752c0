#include "host/http/tls.h"

#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <openssl/ssl.h>

#include <mutex>

namespace scribe::http {

Poco::Net::Context::Ptr ServerTlsContext(const std::string& cert_file,
                                         const std::string& key_file) {
  static std::once_flag ssl_initialized;
  std::call_once(ssl_initialized, [] { Poco::Net::initializeSSL(); });
  Poco::Net::Context::Params params;
  params.certificateFile = cert_file;
  params.privateKeyFile = key_file;
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;
  params.loadDefaultCAs = false;
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  if (SSL_CTX_check_private_key(context->sslContext()) != 1) {
    throw Poco::Net::SSLContextException("the TLS key does not match the certificate");
  }
  // Like send(): SSL_write takes what fits, and is retried from wherever
  // the unsent bytes are by then.
  SSL_CTX_set_mode(context->sslContext(),
                   SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return context;
}

}  // namespace scribe::http
