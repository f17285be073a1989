#include "core/json.hpp"

namespace chanmirror::core {

std::string dump_compact(const Json& value) {
    return value.dump(-1, ' ', /*ensure_ascii=*/true, Json::error_handler_t::strict);
}

Result<Json> parse_json(std::string_view text, std::string_view what) {
    Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
        return fail(ErrorKind::invalid_input, std::string(what) + ": not valid JSON");
    }
    return value;
}

}  // namespace chanmirror::core
