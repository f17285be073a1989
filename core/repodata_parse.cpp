// simdjson On-Demand reader for repodata.json: one forward pass, each value consumed once.
#include <simdjson.h>

#include <iterator>

#include "core/repodata.hpp"

namespace chanmirror::core {
namespace {

namespace od = simdjson::ondemand;

Error json_error(std::string_view what, std::string_view where, simdjson::error_code code) {
    return Error{ErrorKind::invalid_input, std::string(what) + ": invalid repodata (" +
                                               std::string(where) +
                                               "): " + simdjson::error_message(code)};
}

std::string minified(std::string_view raw) {
    std::string out(raw.size(), '\0');
    std::size_t len = 0;
    if (simdjson::minify(raw.data(), raw.size(), out.data(), len) != simdjson::SUCCESS) {
        return std::string(raw);
    }
    out.resize(len);
    return out;
}

// Later duplicates win, as in a JSON object read into a map. Upstream writes file names in
// sorted order, so the hint at the end makes each insert O(1) instead of ~19 string compares.
void insert_record(RecordMap& into, std::string_view filename, std::string record) {
    if (into.empty() || std::prev(into.end())->first < filename) {
        into.emplace_hint(into.end(), filename, std::move(record));
    } else {
        into.insert_or_assign(std::string(filename), std::move(record));
    }
}

// On-Demand skips a record's inner values without reading them, so a record such as
// {"subdir"(:"x"} would pass through to the index we publish and break every client that
// reads it. Each record is parsed once more, whole, by a DOM parser reused across records.
// `raw` points into the padded document, so the bytes after it are readable padding.
class RecordValidator {
  public:
    simdjson::error_code check(std::string_view raw) {
        return parser_.parse(raw.data(), raw.size(), /*realloc_if_needed=*/false).error();
    }

  private:
    simdjson::dom::parser parser_;
};

Result<void> read_records(od::value value, RecordMap& into, std::string_view what,
                          std::string_view section) {
    RecordValidator validator;
    od::object records;
    if (auto e = value.get_object().get(records))
        return tl::unexpected(json_error(what, section, e));
    for (auto field : records) {
        std::string_view filename;
        if (auto e = field.unescaped_key().get(filename)) {
            return tl::unexpected(json_error(what, section, e));
        }
        od::object record;
        std::string_view raw;
        if (auto e = field.value().get_object().get(record)) {
            return tl::unexpected(json_error(what, filename, e));
        }
        if (auto e = record.raw_json().get(raw))
            return tl::unexpected(json_error(what, filename, e));
        if (auto e = validator.check(raw))
            return tl::unexpected(json_error(what, filename, e));
        insert_record(into, filename, minified(raw));
    }
    return {};
}

Result<void> read_removed(od::value value, std::vector<std::string>& into, std::string_view what) {
    od::array items;
    if (auto e = value.get_array().get(items))
        return tl::unexpected(json_error(what, "removed", e));
    for (auto item : items) {
        std::string_view name;
        if (auto e = item.get_string().get(name)) {
            return tl::unexpected(json_error(what, "removed", e));
        }
        into.emplace_back(name);
    }
    return {};
}

Result<void> read_info(od::value value, Json& into, std::string_view what) {
    od::object object;
    std::string_view raw;
    if (auto e = value.get_object().get(object))
        return tl::unexpected(json_error(what, "info", e));
    if (auto e = object.raw_json().get(raw))
        return tl::unexpected(json_error(what, "info", e));
    auto parsed = parse_json(raw, what);
    if (!parsed)
        return tl::unexpected(parsed.error());
    into = parsed->is_object() ? std::move(*parsed) : Json::object();
    return {};
}

Result<void> read_field(od::field field, RepoData& out, std::string_view what) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key))
        return tl::unexpected(json_error(what, "key", e));
    if (key == "packages")
        return read_records(field.value(), out.packages, what, key);
    if (key == "packages.conda")
        return read_records(field.value(), out.conda_packages, what, key);
    if (key == "removed")
        return read_removed(field.value(), out.removed, what);
    if (key == "info")
        return read_info(field.value(), out.info, what);
    if (key == "repodata_version") {
        int64_t version = 1;
        if (auto e = field.value().get_int64().get(version)) {
            return tl::unexpected(json_error(what, key, e));
        }
        out.repodata_version = static_cast<int>(version);
    }
    // Unknown top-level keys ("signatures", CEP-48 "v3", ...) are ignored, as CEP 36 says.
    return {};
}

}  // namespace

Result<RepoData> parse_repodata(std::string&& text, std::string_view what) {
    RepoData out;
    // CEP 36: an empty file is an empty channel.
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return out;
    text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    od::parser parser;
    od::document doc;
    auto padded = simdjson::padded_string_view(text.data(), text.size(), text.capacity());
    if (auto e = parser.iterate(padded).get(doc))
        return tl::unexpected(json_error(what, "document", e));
    od::object top;
    if (auto e = doc.get_object().get(top))
        return tl::unexpected(json_error(what, "document", e));
    for (auto maybe_field : top) {
        od::field field;
        if (auto e = std::move(maybe_field).get(field)) {
            return tl::unexpected(json_error(what, "document", e));
        }
        if (auto r = read_field(std::move(field), out, what); !r)
            return tl::unexpected(r.error());
    }
    return out;
}

}  // namespace chanmirror::core
