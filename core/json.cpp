#include "core/json.hpp"

#include "core/utf8.hpp"

namespace chanmirror::core {

std::string dump_compact(const Json& value) {
    return value.dump(-1, ' ', /*ensure_ascii=*/true, Json::error_handler_t::replace);
}

bool strings_are_utf8(const Json& value) {
    if (value.is_string())
        return is_valid_utf8(value.get_ref<const std::string&>());
    if (value.is_array()) {
        for (const auto& item : value) {
            if (!strings_are_utf8(item))
                return false;
        }
    } else if (value.is_object()) {
        for (const auto& [key, item] : value.items()) {
            if (!is_valid_utf8(key) || !strings_are_utf8(item))
                return false;
        }
    }
    return true;
}

Result<Json> parse_json(std::string_view text, std::string_view what) {
    Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
        return fail(ErrorKind::invalid_input, std::string(what) + ": not valid JSON");
    }
    return value;
}

}  // namespace chanmirror::core
