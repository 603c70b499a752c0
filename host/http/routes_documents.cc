// /api/documents: knowledge documents that jobs narrate.
#include "host/common/utf8.h"
#include "host/http/codec.h"
#include "host/http/routes.h"

namespace scribe::http {
namespace {

// A document from a JSON {title, content} body or a text/plain or
// text/markdown body (title from ?title=).
Result<store::Document> CreateFrom(Exchange& ex, jobs::JobService& jobs) {
  std::string type = ex.MediaType();
  if (type == "application/json") {
    Result<nlohmann::json> body = ex.JsonBody();
    if (!body.ok()) return body.status();
    for (const auto& [key, value] : body->items()) {
      if (key != "title" && key != "content") {
        return InvalidArgument("unknown_field", "unknown field '" + key + "' in the document");
      }
    }
    const nlohmann::json& title = (*body)["title"];
    const nlohmann::json& content = (*body)["content"];
    if (!content.is_string()) return InvalidArgument("missing_content", "content must be a string");
    if (!title.is_null() && !title.is_string()) {
      return InvalidArgument("invalid_field", "title must be a string");
    }
    return jobs.CreateDocument(ex.caller(), title.is_string() ? title.get<std::string>() : "",
                               content.get<std::string>());
  }
  if (type == "text/plain" || type == "text/markdown") {
    Result<std::string> body = ex.Body();
    if (!body.ok()) return body.status();
    if (!utf8::IsValid(*body)) return InvalidArgument("invalid_utf8", "the body is not UTF-8 text");
    return jobs.CreateDocument(ex.caller(), ex.Query("title").value_or(""), *body);
  }
  return Status(Code::kUnsupportedMedia, "unsupported_media_type",
                "send documents as application/json {title, content}, text/plain or text/markdown");
}

}  // namespace

void AddDocumentRoutes(Router& router, jobs::JobService& jobs) {
  router.Add("POST", "/api/documents", [&jobs](Exchange& ex) {
    Result<store::Document> document = CreateFrom(ex, jobs);
    if (!document.ok()) return ex.SendError(document.status());
    ex.response().set("Location", "/api/documents/" + document->id);
    ex.SendJson(201, DocumentJson(*document, false));
  });
  router.Add("GET", "/api/documents", [&jobs](Exchange& ex) {
    Result<int> limit = ParseLimit(ex.Query("limit"), 50);
    if (!limit.ok()) return ex.SendError(limit.status());
    auto page = jobs.ListDocuments(ex.caller(),
                                   store::PageRequest{*limit, ex.Query("cursor").value_or(""), ""});
    if (!page.ok()) return ex.SendError(page.status());
    nlohmann::json list = nlohmann::json::array();
    for (const store::Document& d : page->items) list.push_back(DocumentJson(d, false));
    ex.SendJson(200,
                {{"documents", list},
                 {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(page->next_cursor)}});
  });
  router.Add("GET", "/api/documents/{id}", [&jobs](Exchange& ex) {
    Result<store::Document> document = jobs.GetDocument(ex.caller(), ex.Param("id"));
    if (!document.ok()) return ex.SendError(document.status());
    ex.SendJson(200, DocumentJson(*document, true));
  });
  router.Add("DELETE", "/api/documents/{id}", [&jobs](Exchange& ex) {
    Status status = jobs.DeleteDocument(ex.caller(), ex.Param("id"));
    if (!status.ok()) return ex.SendError(status);
    ex.SendNoContent();
  });
}

}  // namespace scribe::http
