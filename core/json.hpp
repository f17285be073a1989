#pragma once
// JSON values and the byte-exact serialisations the conda ecosystem expects.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace chanmirror::core {

// std::map-backed: object keys are always sorted by UTF-8 bytes, which is code point order,
// i.e. the order of Python's json.dumps(sort_keys=True).
using Json = nlohmann::json;

// Python json.dumps(v, sort_keys=True, separators=(",", ":")) with ensure_ascii:
// what conda-index writes for repodata.json and friends.
// Text that is not UTF-8 (only YAML and msgpack readers let it in) is written as U+FFFD
// rather than ending the process; readers of such input refuse it first, with a message.
std::string dump_compact(const Json& value);

// Whether every key and string value in `value` is valid UTF-8.
bool strings_are_utf8(const Json& value);

// A JSON number as int64 (a float truncated toward zero), or nothing when it is not a number
// or lies outside int64: fields from anyone's index.json must not overflow a conversion.
std::optional<std::int64_t> to_int64(const Json& value);

// Parses JSON text; errors name `what` (a file or URL).
Result<Json> parse_json(std::string_view text, std::string_view what);

}  // namespace chanmirror::core
