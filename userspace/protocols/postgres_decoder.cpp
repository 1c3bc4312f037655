#include "protocols/postgres_decoder.h"

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocols/postgres_wire.h"
#include "protocols/sql_fingerprint.h"
#include "protocols/text.h"

namespace hs::protocols {
namespace {

constexpr std::size_t kMaxMessages = 16384;  // per side of one exchange
constexpr std::size_t kMaxErrorText = 512;
constexpr std::size_t kMaxNameShown = 64;

// A prepared statement (or the unknown one a portal refers to), fingerprinted once.
using Statement = SqlStatement;
using StatementPtr = SqlStatementPtr;

// Lets the maps be searched with the string_views of the captured bytes, no copies.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using NameMap = std::unordered_map<std::string, StatementPtr, NameHash, std::equal_to<>>;

StatementPtr make_statement(std::string_view query, bool cut) {
  return make_sql_statement(query, cut, SqlDialect::postgresql);
}

// Executes of statements prepared before the capture saw them: counted, shape unknown.
StatementPtr unknown_statement(std::string_view name) {
  auto s = std::make_shared<Statement>();
  s->fingerprint = "(unknown statement";
  if (!name.empty()) {
    s->fingerprint += ' ';
    if (!append_clean(s->fingerprint, name, s->fingerprint.size() + kMaxNameShown, Controls::to_space)) {
      s->fingerprint += "...";
    }
  }
  s->fingerprint += ')';
  s->method = "EXECUTE";
  return s;
}


// "SQLSTATE: message" from an ErrorResponse body (fields: code byte, C string; 0 ends).
std::string error_text(std::string_view body) {
  std::string_view code, message;
  std::size_t pos = 0;
  while (pos < body.size() && body[pos] != '\0') {
    char field = body[pos++];
    bool whole = false;
    std::string_view value = pg_cstring(body, pos, whole);
    if (field == 'C') code = value;
    if (field == 'M') message = value;
  }
  std::string raw(code);
  if (!code.empty()) raw += ": ";
  raw += message.substr(0, kMaxErrorText);
  std::string out;
  if (!append_clean(out, raw, kMaxErrorText, Controls::to_space)) truncate_with_ellipsis(out, kMaxErrorText);
  return out;
}

enum class StepKind : std::uint8_t {
  simple_query, parse, bind, describe, execute, sync, close, function_call, copy_end,
  inferred,  // the Execute a cut request was about to send
};

// One request message that the server answers, with the operation it carries.
struct Step {
  StepKind kind;
  int op = -1;
};

enum class Fit : std::uint8_t { consume, finish, reject };

// How a backend message fits the request step being answered.
Fit fit(StepKind k, char r) {
  switch (k) {
    case StepKind::simple_query: case StepKind::function_call: case StepKind::copy_end: case StepKind::inferred:
      return r == 'Z' ? Fit::finish : Fit::consume;
    case StepKind::parse:
      return r == '1' ? Fit::finish : Fit::reject;
    case StepKind::bind:
      return r == '2' ? Fit::finish : Fit::reject;
    case StepKind::close:
      return r == '3' ? Fit::finish : Fit::reject;
    case StepKind::describe:
      return r == 't' ? Fit::consume : (r == 'T' || r == 'n') ? Fit::finish : Fit::reject;
    case StepKind::execute:
      if (r == 'C' || r == 'I' || r == 's') return Fit::finish;
      return (r == 'D' || r == 'G' || r == 'H' || r == 'W' || r == 'd' || r == 'c') ? Fit::consume : Fit::reject;
    case StepKind::sync:
      return r == 'Z' ? Fit::finish : Fit::reject;
  }
  return Fit::reject;
}

bool waits_for_ready(StepKind k) {
  return k == StepKind::simple_query || k == StepKind::function_call || k == StepKind::copy_end ||
         k == StepKind::inferred;
}

class PostgresDecoder final : public ConnectionDecoder {
 public:
  void decode(const Exchange& ex, std::vector<Operation>& out) override {
    try {
      ops_.clear();
      steps_.clear();
      keep_text_ = ex.keep_text;
      bool request_cut = read_request(ex);
      if (ops_.empty()) return;
      keep_.assign(ops_.size(), true);
      replied_.assign(ops_.size(), false);
      bool response_whole = ex.response.size() >= ex.response_bytes;
      pair_response(ex.response, request_cut, response_whole);
      for (std::size_t i = 0; i < ops_.size(); ++i) {
        if (!keep_[i]) continue;
        ops_[i].replies_unseen = replied_[i] ? 0 : ops_[i].count;
        out.push_back(std::move(ops_[i]));
      }
    } catch (...) {
      // Only allocation can throw here; dropping one exchange is the right answer.
    }
  }

  // Whole simple queries and nothing else, with no error of the extended
  // protocol pending: such a request uses no statement or portal, and its
  // answer (errors included) leaves the decoder as it was.
  bool stateless_for(const Exchange& ex) const override {
    if (discard_until_sync_ || ex.request.empty() || ex.request.size() < ex.request_bytes ||
        pg_untyped_length(ex.request) != 0)
      return false;
    std::size_t pos = 0;
    PgMessage m;
    for (std::size_t n = 0; n < kMaxMessages && pos < ex.request.size(); ++n) {
      if (pg_read_message(ex.request, pos, m) != PgFrame::whole || m.type != 'Q') return false;
      pos += 1 + static_cast<std::size_t>(m.length);
    }
    return pos == ex.request.size();
  }

 private:
  void add_step(StepKind k, const StatementPtr& s = nullptr) {
    add_step(k, s && !s->method.empty() && ops_.size() < kMaxPgOps
                    ? sql_operation(Protocol::postgresql, *s, keep_text_)
                    : Operation{});
  }

  // A step with its operation (none if op has no method: an empty statement is a ping, not a query).
  void add_step(StepKind k, Operation&& op) {
    Step st{k, -1};
    if (!op.method.empty() && ops_.size() < kMaxPgOps) {
      st.op = static_cast<int>(ops_.size());
      ops_.push_back(std::move(op));
    }
    steps_.push_back(st);
  }

  // Bounded per connection: when full, any other entry makes room.
  static void put(NameMap& map, std::size_t cap, std::string_view name, StatementPtr s) {
    auto it = map.find(name);
    if (it != map.end()) {
      it->second = std::move(s);
      return;
    }
    if (map.size() >= cap) map.erase(map.begin());
    map.emplace(std::string(name), std::move(s));
  }

  static void forget(NameMap& map, std::string_view name) {
    auto it = map.find(name);
    if (it != map.end()) map.erase(it);
  }

  StatementPtr statement(std::string_view name) const {
    auto it = statements_.find(name);
    return it != statements_.end() ? it->second : unknown_statement(name);
  }

  StatementPtr portal(std::string_view name) const {
    auto it = portals_.find(name);
    return it != portals_.end() ? it->second : unknown_statement({});
  }

  // Builds ops_ and steps_ from the request; true if the request was cut.
  bool read_request(const Exchange& ex) {
    std::string_view data = ex.request;
    std::size_t pos = pg_untyped_length(data);  // a startup/SSL/cancel request first
    bool cut = data.size() < ex.request_bytes;
    StatementPtr pending;  // parsed (unnamed) or bound, its Execute not seen yet
    PgMessage m;
    for (std::size_t n = 0; n < kMaxMessages && ops_.size() < kMaxPgOps; ++n) {
      PgFrame f = pg_read_message(data, pos, m);
      if (f == PgFrame::short_) {
        cut = cut || pos < data.size();
        break;
      }
      if (f == PgFrame::malformed) {
        pending = nullptr;  // not PostgreSQL any more: infer nothing
        break;
      }
      bool whole = f == PgFrame::whole;
      cut = cut || !whole;
      if (discard_until_sync_ && m.type != 'S') {
        // The server is skipping everything up to Sync after an earlier error.
      } else if (!handle(m, whole, pending)) {
        break;
      }
      if (!whole) break;
      pos += 1 + static_cast<std::size_t>(m.length);
    }
    if (cut && pending) add_step(StepKind::inferred, pending);
    return cut;
  }

  // One request message; false to stop reading (Terminate, or not a frontend message).
  bool handle(const PgMessage& m, bool whole, StatementPtr& pending) {
    std::size_t p = 0;
    bool w1 = false, w2 = false;
    switch (m.type) {
      case 'Q': {
        std::string_view sql = pg_cstring(m.body, p, w1);
        // Run once and not kept: its operation takes the description's strings.
        add_step(StepKind::simple_query,
                 sql_operation(Protocol::postgresql, describe_sql(sql, !w1, SqlDialect::postgresql, keep_text_)));
        pending = nullptr;
        return true;
      }
      case 'P': {
        std::string_view name = pg_cstring(m.body, p, w1);
        std::string_view sql = pg_cstring(m.body, p, w2);
        if (w1 && (w2 || (!whole && !sql.empty()))) {  // whole, or cut with some text visible
          StatementPtr s = make_statement(sql, !w2);
          put(statements_, kMaxPgStatements, name, s);
          pending = name.empty() ? s : nullptr;  // a named Parse alone is a prepare, not a run
        }
        add_step(StepKind::parse);
        return true;
      }
      case 'B': {
        std::string_view portal_name = pg_cstring(m.body, p, w1);
        std::string_view stmt_name = pg_cstring(m.body, p, w2);
        if (w1 && w2) {
          StatementPtr s = statement(stmt_name);
          put(portals_, kMaxPgPortals, portal_name, s);
          pending = s;
        }
        add_step(StepKind::bind);
        return true;
      }
      case 'E': {
        std::string_view portal_name = pg_cstring(m.body, p, w1);
        if (!w1) return true;  // cut before its portal name: `pending` stands for it
        add_step(StepKind::execute, portal(portal_name));
        pending = nullptr;
        return true;
      }
      case 'D':
        add_step(StepKind::describe);
        return true;
      case 'C': {
        if (!m.body.empty()) {
          p = 1;
          std::string_view name = pg_cstring(m.body, p, w1);
          if (w1 && m.body[0] == 'S') forget(statements_, name);
          if (w1 && m.body[0] == 'P') forget(portals_, name);
        }
        add_step(StepKind::close);
        return true;
      }
      case 'S':
        discard_until_sync_ = false;
        pending = nullptr;
        add_step(StepKind::sync);
        return true;
      case 'F':
        add_step(StepKind::function_call);
        return true;
      case 'c': case 'f':
        add_step(StepKind::copy_end);
        return true;
      case 'H': case 'p': case 'd':
        return true;  // Flush, password/SASL, CopyData: nothing answers them one to one
      default:
        return false;  // 'X' Terminate, or not a frontend message
    }
  }

  void pair_response(std::string_view data, bool request_cut, bool response_whole) {
    std::size_t cur = 0, pos = 0;
    bool error_without_sync = false;
    PgMessage m;
    for (std::size_t n = 0; n < kMaxMessages && cur < steps_.size(); ++n) {
      PgFrame f = pg_read_message(data, pos, m);
      bool cut_error = f == PgFrame::cut && m.type == 'E';  // its visible fields still count
      if (f != PgFrame::whole && !cut_error) return;
      pos += 1 + static_cast<std::size_t>(m.length);
      char r = m.type;
      if (r == 'N' || r == 'S' || r == 'A') continue;  // notices, parameter status, notifications: any time
      const Step& st = steps_[cur];
      if (r == 'E') {
        if (waits_for_ready(st.kind)) {
          if (st.op >= 0) set_error(st.op, m.body);
        } else {
          cur = abort_to_sync(cur, m.body);
          error_without_sync = cur >= steps_.size();
        }
        if (cut_error) return;
        continue;
      }
      Fit how = fit(st.kind, r);
      if (how == Fit::reject) return;  // out of step with the request: pair no further
      if (st.op >= 0) replied_[static_cast<std::size_t>(st.op)] = true;
      if (how == Fit::finish) ++cur;
    }
    // Seen to the end on both sides with no Sync after the error: the next
    // exchange's messages are skipped by the server until its Sync.
    if (error_without_sync && !request_cut && response_whole) discard_until_sync_ = true;
  }

  // An ErrorResponse while answering steps_[cur] (extended protocol): the first
  // operation up to the next Sync failed, the later ones were never executed.
  std::size_t abort_to_sync(std::size_t cur, std::string_view body) {
    bool marked = false;
    std::size_t k = cur;
    for (; k < steps_.size() && steps_[k].kind != StepKind::sync; ++k) {
      int op = steps_[k].op;
      if (op < 0) continue;
      if (!marked) {
        set_error(op, body);
        marked = true;
      } else {
        keep_[static_cast<std::size_t>(op)] = false;
      }
    }
    return k;
  }

  void set_error(int op, std::string_view body) {
    replied_[static_cast<std::size_t>(op)] = true;
    Operation& o = ops_[static_cast<std::size_t>(op)];
    o.error = true;
    o.error_text = error_text(body);
  }

  NameMap statements_;
  NameMap portals_;
  bool discard_until_sync_ = false;
  // Scratch for one exchange.
  std::vector<Operation> ops_;
  bool keep_text_ = true;  // this exchange's Exchange::keep_text
  std::vector<Step> steps_;
  std::vector<bool> keep_;
  std::vector<bool> replied_;  // an answer to the operation's step (or its error) was seen
};

}  // namespace

std::unique_ptr<ConnectionDecoder> make_postgres_decoder() { return std::make_unique<PostgresDecoder>(); }

}  // namespace hs::protocols
