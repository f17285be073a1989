// RecordIndex: one simdjson On-Demand pass over each record's text, keeping views into it.
#include "core/record_view.hpp"

#include <cstring>

#include <simdjson.h>

namespace chanmirror::core {

namespace od = simdjson::ondemand;

class RecordIndex::Reader {
  public:
    // Reads the fields of `view` (filename and text set); empty when read, else why not.
    std::string read(RecordIndex& index, RecordView& view, std::string_view text) {
        index_ = &index;
        text_ = text;
        view.subdir = index.subdir_;
        view.depends_begin = static_cast<std::uint32_t>(index.depends_.size());
        std::string why = read_fields(view);
        view.depends_count = static_cast<std::uint32_t>(index.depends_.size()) - view.depends_begin;
        view.valid = why.empty();
        return why;
    }

  private:
    // Empty when the record was read; otherwise why not.
    std::string read_fields(RecordView& view) {
        buffer_.resize(text_.size() + simdjson::SIMDJSON_PADDING);
        std::memcpy(buffer_.data(), text_.data(), text_.size());
        od::document doc;
        od::object object;
        if (auto e = parser_.iterate(buffer_.data(), text_.size(), buffer_.size()).get(doc)) {
            return simdjson::error_message(e);
        }
        if (auto e = doc.get_object().get(object)) {
            return simdjson::error_message(e);
        }
        bool has_name = false;
        bool has_version = false;
        for (auto maybe_field : object) {
            od::field field;
            std::string_view key;
            if (auto e = std::move(maybe_field).get(field)) {
                return simdjson::error_message(e);
            }
            if (auto e = field.unescaped_key().get(key)) {
                return simdjson::error_message(e);
            }
            auto why = read_field(key, field.value(), view);
            if (!why.empty()) {
                return "'" + std::string(key) + "': " + why;
            }
            has_name = has_name || key == "name";
            has_version = has_version || key == "version";
        }
        if (!has_name || !has_version) {
            return has_name ? "no version" : "no name";
        }
        return {};
    }

    std::string read_field(std::string_view key, od::value value, RecordView& view) {
        if (key == "version") {
            std::string_view text;
            if (auto e = read_string(value, text)) {
                return simdjson::error_message(e);
            }
            auto version = Version::parse(text);
            if (!version) {
                return version.error().message;
            }
            view.version = std::move(*version);
            return {};
        }
        if (key == "build_number") {
            if (auto e = value.get_int64().get(view.build_number)) {
                return simdjson::error_message(e);
            }
            return {};
        }
        if (key == "depends") {
            return read_depends(value);
        }
        if (key == "track_features" || key == "features") {
            return read_feature_list(value,
                                     key == "features" ? view.features : view.track_features);
        }
        std::string_view* target = string_field(key, view);
        if (target == nullptr) {
            return {};  // a key selection does not test: skipped by the iterator
        }
        bool is_null = false;
        if (auto e = value.is_null().get(is_null)) {
            return simdjson::error_message(e);
        }
        if (is_null) {
            return key == "name" || key == "build" ? "null" : "";
        }
        if (auto e = read_string(value, *target)) {
            return simdjson::error_message(e);
        }
        return {};
    }

    static std::string_view* string_field(std::string_view key, RecordView& view) {
        const std::pair<std::string_view, std::string_view*> fields[] = {
            {"name", &view.name},
            {"build", &view.build},
            {"subdir", &view.subdir},
            {"md5", &view.md5},
            {"sha256", &view.sha256},
            {"license", &view.license},
            {"license_family", &view.license_family},
        };
        for (const auto& [name, target] : fields) {
            if (name == key) {
                return target;
            }
        }
        return nullptr;
    }

    std::string read_depends(od::value value) {
        od::array items;
        if (auto e = value.get_array().get(items)) {
            return simdjson::error_message(e);
        }
        for (auto item : items) {
            std::string_view text;
            od::value element;
            if (auto e = std::move(item).get(element)) {
                return simdjson::error_message(e);
            }
            if (auto e = read_string(element, text)) {
                return simdjson::error_message(e);
            }
            index_->depends_.push_back(text);
        }
        return {};
    }

    // A string, or (as rattler accepts) a list of strings joined by spaces; null is empty.
    std::string read_feature_list(od::value value, std::string_view& out) {
        od::json_type type;
        if (auto e = value.type().get(type)) {
            return simdjson::error_message(e);
        }
        if (type == od::json_type::null) {
            return {};
        }
        if (type != od::json_type::array) {
            auto e = read_string(value, out);
            return e ? simdjson::error_message(e) : "";
        }
        od::array items;
        if (auto e = value.get_array().get(items)) {
            return simdjson::error_message(e);
        }
        std::string joined;
        for (auto item : items) {
            std::string_view s;
            if (auto e = item.get_string().get(s)) {
                return simdjson::error_message(e);
            }
            joined += (joined.empty() ? "" : " ") + std::string(s);
        }
        out = index_->unescaped_.emplace_back(std::move(joined));
        return {};
    }

    // A view into the record text when the string has no escapes, else an owned copy.
    simdjson::error_code read_string(od::value value, std::string_view& out) {
        const std::string_view token = value.raw_json_token();  // does not consume
        std::string_view s;
        if (auto e = value.get_string().get(s)) {
            return e;
        }
        const bool verbatim = token.size() >= s.size() + 2 && token[s.size() + 1] == '"' &&
                              std::memchr(token.data() + 1, '\\', s.size()) == nullptr;
        if (verbatim) {
            const auto offset = static_cast<std::size_t>(token.data() + 1 - buffer_.data());
            out = text_.substr(offset, s.size());
        } else {
            out = index_->unescaped_.emplace_back(s);
        }
        return simdjson::SUCCESS;
    }

    RecordIndex* index_ = nullptr;
    od::parser parser_;
    std::string buffer_;     // the record text, padded for simdjson
    std::string_view text_;  // the record text in the RepoData
};

namespace {

// The name in a CEP 26 file name "{name}-{version}-{build}.ext"; empty if it has no such shape.
std::string_view name_of_file(std::string_view filename) {
    auto parts = is_package_filename(filename) ? split_package_filename(filename) : std::nullopt;
    return parts ? parts->name : std::string_view();
}

}  // namespace

const RecordView RecordIndex::unloaded_{};

RecordIndex::RecordIndex() = default;
RecordIndex::RecordIndex(RecordIndex&&) noexcept = default;
RecordIndex& RecordIndex::operator=(RecordIndex&&) noexcept = default;
RecordIndex::~RecordIndex() = default;

auto RecordIndex::build(const RepoData& repodata, std::string channel, std::string subdir)
    -> RecordIndex {
    RecordIndex index;
    index.reader_ = std::make_unique<Reader>();
    index.channel_ = std::move(channel);
    index.subdir_ = std::move(subdir);
    index.entries_.reserve(repodata.size());
    for (const RecordMap* section : {&repodata.packages, &repodata.conda_packages}) {
        for (const auto& [filename, text] : *section) {
            const auto id = static_cast<std::uint32_t>(index.entries_.size());
            index.entries_.push_back(Entry{filename, &text, not_loaded});
            std::string_view name = name_of_file(filename);
            if (name.empty()) {  // read now, grouped by the record's own name
                index.load_record(id, {});
                const RecordView& view = index.record(id);
                name = view.valid ? view.name : std::string_view();
            }
            if (!name.empty()) {
                index.by_name_[name].ids.push_back(id);
            }
        }
    }
    return index;
}

void RecordIndex::load_record(std::uint32_t id, std::string_view file_name) {
    Entry& entry = entries_[id];
    entry.view = static_cast<std::uint32_t>(views_.size());
    RecordView& view = views_.emplace_back();
    view.filename = entry.filename;
    std::string why = reader_->read(*this, view, *entry.text);
    if (why.empty() && !file_name.empty() && view.name != file_name) {
        why = "name '" + std::string(view.name) + "' differs from the file name";
        view.valid = false;
    }
    if (!why.empty()) {
        problems_.push_back(std::string(view.filename) + ": " + why);
    }
}

void RecordIndex::load(Group& group, std::string_view name) {
    for (const std::uint32_t id : group.ids) {
        if (entries_[id].view == not_loaded) {
            load_record(id, name);
        }
    }
    std::erase_if(group.ids, [&](std::uint32_t id) { return !record(id).valid; });
    group.loaded = true;
}

auto RecordIndex::named(std::string_view name) -> std::span<const std::uint32_t> {
    const auto it = by_name_.find(name);
    if (it == by_name_.end()) {
        return {};
    }
    if (!it->second.loaded) {
        load(it->second, it->first);
    }
    return it->second.ids;
}

void RecordIndex::load_all() {
    for (auto& [name, group] : by_name_) {
        if (!group.loaded) {
            load(group, name);
        }
    }
}

auto RecordIndex::names() const -> std::vector<std::string_view> {
    std::vector<std::string_view> out;
    out.reserve(by_name_.size());
    for (const auto& entry : by_name_) {
        out.push_back(entry.first);
    }
    return out;
}

auto RecordIndex::depends(std::uint32_t id) const -> std::span<const std::string_view> {
    const RecordView& r = record(id);
    return std::span<const std::string_view>(depends_).subspan(r.depends_begin, r.depends_count);
}

auto RecordIndex::fields(std::uint32_t id) const -> RecordFields {
    const RecordView& r = record(id);
    RecordFields f;
    f.name = r.name;
    f.version = r.valid ? &r.version : nullptr;
    f.build = r.build;
    f.build_number = r.build_number;
    f.channel = channel_;
    f.subdir = r.subdir;
    f.fn = r.filename;
    f.md5 = r.md5;
    f.sha256 = r.sha256;
    f.license = r.license;
    f.license_family = r.license_family;
    f.track_features = r.track_features;
    f.features = r.features;
    return f;
}

auto SpecCache::intern(std::string_view text) -> Id {
    if (const auto it = ids_.find(text); it != ids_.end()) {
        return it->second;
    }
    const auto id = static_cast<Id>(entries_.size());
    Entry& entry = entries_.emplace_back(Entry{text, MatchSpec::parse(text), false});
    const std::size_t start = text.find_first_not_of(" \t");
    entry.is_virtual = (start != std::string_view::npos && text.substr(start).starts_with("__")) ||
                       (entry.spec && entry.spec->name().starts_with("__"));
    ids_.emplace(text, id);
    return id;
}

}  // namespace chanmirror::core
