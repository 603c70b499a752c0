// The viewer (web/index.html, app.js, style.css), compiled into scribed.
// /jobs/{id} serves the same page: the URL names the job, so it can be
// shared, bookmarked and reloaded. The files are public; what the page
// fetches through the API needs a key when the host requires one.
#include "host/http/routes.h"

namespace scribe::http {
namespace web {
extern const char k_index_html[];
extern const char k_app_js[];
extern const char k_style_css[];
}  // namespace web

void AddWebRoutes(Router& router) {
  auto page = [](Exchange& ex) { ex.SendText(200, "text/html; charset=utf-8", web::k_index_html); };
  router.Add("GET", "/", page, Access::kPublic);
  router.Add("GET", "/jobs/{id}", page, Access::kPublic);
  router.Add(
      "GET", "/app.js",
      [](Exchange& ex) { ex.SendText(200, "text/javascript; charset=utf-8", web::k_app_js); },
      Access::kPublic);
  router.Add(
      "GET", "/style.css",
      [](Exchange& ex) { ex.SendText(200, "text/css; charset=utf-8", web::k_style_css); },
      Access::kPublic);
}

}  // namespace scribe::http
