// Reads a JSON object field by field and refuses what the API must answer 400 for:
// unknown keys, ill-typed values, values out of range. The first problem wins and
// names its field as a path ("selector.metric", "channels[2]").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "bottleneck/engine_error.h"

namespace hs::strict_json {

// Parses text; an error names field "body".
Outcome<boost::json::value> parse(std::string_view text);
std::string kind_name(const boost::json::value& v);

class ObjectReader {
 public:
  // `path` prefixes field names ("" for the body itself).
  ObjectReader(const boost::json::value& v, std::string path);

  // Each reads `key` when present (null counts as absent) and leaves `out` alone otherwise.
  // A missing `required` key is an error. Returns false once any error is recorded.
  bool text(std::string_view key, std::string& out, std::size_t max_bytes, bool required = false);
  bool number(std::string_view key, double& out, double lo, double hi, bool required = false);
  bool integer(std::string_view key, std::int64_t& out, std::int64_t lo, std::int64_t hi, bool required = false);
  bool boolean(std::string_view key, bool& out);
  bool text_list(std::string_view key, std::vector<std::string>& out, std::size_t max_items, std::size_t max_bytes);
  bool text_map(std::string_view key, std::map<std::string, std::string>& out, std::size_t max_items,
                std::size_t max_bytes);
  // The raw value of a key (marked as known), or null when absent.
  const boost::json::value* child(std::string_view key);
  // Marks a key as known without reading it (read elsewhere, or ignored on purpose).
  void allow(std::string_view key) { known_.insert(std::string(key)); }

  std::string field(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }
  void fail(std::string field, std::string message);
  bool ok() const { return !error_.has_value(); }
  // Unknown keys are reported here; call after every read.
  std::optional<EngineError> finish();

 private:
  const boost::json::value* get(std::string_view key, bool required);

  const boost::json::object* obj_ = nullptr;
  std::string path_;
  std::set<std::string> known_;
  std::optional<EngineError> error_;
};

}  // namespace hs::strict_json
