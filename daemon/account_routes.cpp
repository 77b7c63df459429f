#include "daemon/account_routes.hpp"

#include "core/json_writer.hpp"

namespace ballast::daemon {

HttpResponse account_control(FleetFlow* fleet, AccountAction action, const HttpRequest& req) {
  using Result = FleetFlow::AccountEdit::Result;
  const std::string_view name = action == AccountAction::create   ? "create"
                                : action == AccountAction::update ? "update"
                                                                  : "close";
  for (const auto& [key, value] : req.query) {
    if (action != AccountAction::close || key != "id") {
      return text_response(400, "accounts/" + std::string(name) + ": unknown parameter \"" + key + "\" (" +
                                    (action == AccountAction::close ? "expected id" : "the account goes in the body") +
                                    ")");
    }
  }
  const auto id = req.query.find("id");
  if (action == AccountAction::close && (id == req.query.end() || id->second.empty())) {
    return text_response(400, "accounts/close needs ?id=ID");
  }
  if (!fleet) return text_response(503, "no fleet: this daemon has no [[models]]");
  const FleetFlow::AccountEdit edit = action == AccountAction::create   ? fleet->create_account(req.body)
                                      : action == AccountAction::update ? fleet->update_account(req.body)
                                                                        : fleet->close_account(id->second);
  switch (edit.result) {
    case Result::done: {
      if (action != AccountAction::close) return json_response(200, edit.text);
      std::string body;
      core::JsonWriter w(body);
      w.begin_object().field("id", edit.id).field("result", "closed").end_object();
      return json_response(200, body);
    }
    case Result::bad_request: {
      std::string text = edit.text;
      if (!edit.problems.empty()) text += ":";
      for (const std::string& p : edit.problems) text += "\n  " + p;
      return text_response(400, text);
    }
    case Result::unknown: return text_response(404, edit.text);
    case Result::exists:
    case Result::busy: return text_response(409, edit.text);
    // The request is fine, but for the daemon of the account's shard.
    case Result::other_shard: return text_response(421, edit.text);
    case Result::not_started: return text_response(503, edit.text);
    case Result::state_failed: return text_response(500, edit.text);
  }
  return text_response(500, "unexpected outcome");
}

}  // namespace ballast::daemon
