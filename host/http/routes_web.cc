// The viewer (web/index.html, app.js, style.css), compiled into scribed.
// /jobs/{id} serves the same page: the URL names the job, so it can be
// shared, bookmarked and reloaded.
#include "host/http/routes.h"

namespace scribe::http {
namespace web {
extern const char k_index_html[];
extern const char k_app_js[];
extern const char k_style_css[];
}  // namespace web

void AddWebRoutes(Router& router) {
  auto page = [](Exchange& ex) { ex.SendText(200, "text/html; charset=utf-8", web::k_index_html); };
  router.Add("GET", "/", page);
  router.Add("GET", "/jobs/{id}", page);
  router.Add("GET", "/app.js", [](Exchange& ex) {
    ex.SendText(200, "text/javascript; charset=utf-8", web::k_app_js);
  });
  router.Add("GET", "/style.css", [](Exchange& ex) {
    ex.SendText(200, "text/css; charset=utf-8", web::k_style_css);
  });
}

}  // namespace scribe::http
