// The TLS settings of Scribe's HTTPS listener.
#ifndef SCRIBE_HOST_HTTP_TLS_H_
#define SCRIBE_HOST_HTTP_TLS_H_

#include <Poco/Net/Context.h>

#include <string>

namespace scribe::http {

// A server context with the certificate (chain) and key from PEM files: TLS
// 1.2 or later, no client certificates, and writes that may stop part way
// and resume from a moved buffer, as the SSE hub's non-blocking writes do.
// Throws Poco's exceptions for unreadable files or a key that is not the
// certificate's. Initializes Poco's SSL library on first use.
Poco::Net::Context::Ptr ServerTlsContext(const std::string& cert_file, const std::string& key_file);

}  // namespace scribe::http

#endif  // SCRIBE_HOST_HTTP_TLS_H_
