#include "protocols/mysql_decoder.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocols/mysql_wire.h"
#include "protocols/sql_statement.h"
#include "protocols/text.h"

namespace hs::protocols {
namespace {

constexpr std::size_t kMaxPackets = 16384;  // per side of one exchange

using Statement = SqlStatement;
using StatementPtr = SqlStatementPtr;

StatementPtr make_statement(std::string_view sql, bool cut) { return make_sql_statement(sql, cut, SqlDialect::mysql); }

// Executes of statements prepared before the capture saw them: counted, shape
// unknown. Ids are per connection, so they are not part of the fingerprint.
const StatementPtr& unknown_statement() {
  static const StatementPtr s = [] {
    auto u = std::make_shared<Statement>();
    u->fingerprint = "(unknown statement)";
    u->method = "EXECUTE";
    return u;
  }();
  return s;
}


// "42000 (1064): You have an error in your SQL syntax; ..." from an ERR payload.
std::string error_text(std::string_view payload) {
  MyError e;
  if (!my_parse_error(payload, e)) return {};
  std::string raw;
  if (!e.sqlstate.empty()) raw.append(e.sqlstate).append(" (");
  raw += std::to_string(e.code);
  raw += e.sqlstate.empty() ? ": " : "): ";
  raw += e.message.substr(0, kMaxMyErrorText);
  std::string out;
  if (!append_clean(out, raw, kMaxMyErrorText, Controls::to_space)) truncate_with_ellipsis(out, kMaxMyErrorText);
  return out;
}

// One command of the request, in the order the server answers them.
struct Command {
  std::uint8_t com = 0;
  int op = -1;             // the operation it carries, if any
  StatementPtr prepared;   // COM_STMT_PREPARE: what to remember under the id in its reply
};

class MysqlDecoder final : public ConnectionDecoder {
 public:
  void decode(const Exchange& ex, std::vector<Operation>& out) override {
    try {
      ops_.clear();
      commands_.clear();
      keep_text_ = ex.keep_text;
      read_request(ex);
      if (commands_.empty()) return;
      pair_replies(ex.response);
      for (Operation& op : ops_) out.push_back(std::move(op));
    } catch (...) {
      // Only allocation can throw here; dropping one exchange is the right answer.
    }
  }

 private:
  int add_op(const Statement& s) {
    if (ops_.size() >= kMaxMyOps || s.method.empty()) return -1;
    return add_op(sql_operation(Protocol::mysql, s, keep_text_));
  }

  // An empty statement (nothing but blanks or comments) runs nothing: the server only says so.
  int add_op(Operation&& op) {
    if (ops_.size() >= kMaxMyOps || op.method.empty()) return -1;
    ops_.push_back(std::move(op));
    return static_cast<int>(ops_.size()) - 1;
  }

  StatementPtr statement(std::uint32_t id) const {
    if (id == kMyLastStatement && batch_prepared_) return batch_prepared_;
    auto it = statements_.find(id);
    return it != statements_.end() ? it->second : unknown_statement();
  }

  // Bounded per connection: when full, any other entry makes room.
  void remember(std::uint32_t id, StatementPtr s) {
    auto it = statements_.find(id);
    if (it == statements_.end() && statements_.size() >= kMaxMyStatements) statements_.erase(statements_.begin());
    statements_[id] = std::move(s);
  }

  void read_request(const Exchange& ex) {
    std::string_view data = ex.request;
    std::size_t pos = 0;
    bool continues = false;  // the previous packet was a full 0xffffff one: this one goes on with it
    batch_prepared_ = nullptr;
    MyPacket p;
    for (std::size_t n = 0; n < kMaxPackets && ops_.size() < kMaxMyOps; ++n) {
      MyFrame f = my_read_packet(data, pos, p);
      if (f == MyFrame::short_) return;
      bool whole = f == MyFrame::whole;
      if (continues) {
        // The rest of a long command: past what any prefix keeps, nothing to read in it.
        if (p.seq == 0) return;  // out of step
      } else {
        // Handshake response, auth data, LOCAL INFILE contents: not a command.
        if (p.seq != 0 || p.payload.empty()) return;
        if (!command(p.payload, whole)) return;
      }
      if (!whole) return;
      continues = p.length == kMyMaxPayload;
      pos += 4 + static_cast<std::size_t>(p.length);
    }
  }

  // One command packet (payload visible, `whole` if all of it); false to stop reading.
  bool command(std::string_view payload, bool whole) {
    auto com = u8(payload, 0);
    if (!my_command_known(com)) return false;
    Command c;
    c.com = com;
    switch (com) {
      case mycom::query: {
        // Run once and not kept: its operation takes the description's strings.
        SqlStatement s = describe_sql(my_command_text(payload), !whole, SqlDialect::mysql, keep_text_);
        c.op = add_op(sql_operation(Protocol::mysql, std::move(s)));
        break;
      }
      case mycom::stmt_prepare:
        c.prepared = make_statement(my_command_text(payload), !whole);
        batch_prepared_ = c.prepared;
        break;
      case mycom::stmt_execute:
      case mycom::stmt_bulk_execute:
        if (payload.size() < 5) return false;  // cut before its statement id
        c.op = add_op(*statement(le32(payload, 1)));
        break;
      case mycom::stmt_close:
        if (payload.size() >= 5) statements_.erase(le32(payload, 1));
        break;
      case mycom::quit:
        commands_.push_back(c);
        return false;  // nothing follows
      default:
        break;  // ping, init_db, reset, fetch, ...: answered, no operation
    }
    commands_.push_back(c);
    return true;
  }

  // Walks the reply packets: each reply begins with sequence 1 and belongs to the
  // next command that has one.
  void pair_replies(std::string_view data) {
    std::size_t cur = next_replied(0);
    std::size_t pos = 0;
    bool first = true;
    MyPacket p;
    for (std::size_t n = 0; n < kMaxPackets && cur < commands_.size(); ++n) {
      MyFrame f = my_read_packet(data, pos, p);
      if (f == MyFrame::short_) return;
      if (first || p.seq == 1) {
        if (!first) cur = next_replied(cur + 1);
        if (cur >= commands_.size()) return;
        first = false;
        if (!p.payload.empty()) reply(commands_[cur], p.payload);
      }
      if (f != MyFrame::whole) return;
      pos += 4 + static_cast<std::size_t>(p.length);
    }
  }

  std::size_t next_replied(std::size_t from) const {
    while (from < commands_.size() && !my_command_replied(commands_[from].com)) ++from;
    return from;
  }

  void reply(const Command& c, std::string_view first) {
    MyReply kind = my_reply_kind(first);
    if (kind == MyReply::err) {
      int op = c.op;
      if (c.prepared) op = add_op(*c.prepared);  // a failed prepare is the statement's failure
      if (op < 0) return;
      Operation& o = ops_[static_cast<std::size_t>(op)];
      o.error = true;
      o.error_text = error_text(first);
      return;
    }
    // PREPARE_OK: 0x00, statement id, columns, params, filler, warnings.
    if (c.prepared && kind == MyReply::ok && first.size() >= 5) remember(le32(first, 1), c.prepared);
  }

  std::unordered_map<std::uint32_t, StatementPtr> statements_;
  // Scratch for one exchange.
  StatementPtr batch_prepared_;  // the last PREPARE of this request (EXECUTE of id 0xffffffff)
  std::vector<Operation> ops_;
  bool keep_text_ = true;  // this exchange's Exchange::keep_text
  std::vector<Command> commands_;
};

}  // namespace

std::unique_ptr<ConnectionDecoder> make_mysql_decoder() { return std::make_unique<MysqlDecoder>(); }

}  // namespace hs::protocols
