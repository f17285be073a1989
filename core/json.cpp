#include "core/json.hpp"

#include "core/utf8.hpp"

#include <limits>

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

std::optional<std::int64_t> to_int64(const Json& value) {
    if (value.is_number_unsigned()) {
        auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (value.is_number_integer())
        return value.get<std::int64_t>();
    if (value.is_number_float()) {
        double d = value.get<double>();
        // 2^63 is exact as a double; NaN fails both comparisons.
        if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0))
            return std::nullopt;
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

Result<Json> parse_json(std::string_view text, std::string_view what) {
    Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
        return fail(ErrorKind::invalid_input, std::string(what) + ": not valid JSON");
    }
    return value;
}

}  // namespace chanmirror::core
