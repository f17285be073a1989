// select_files: candidates, seeds and closure over RecordIndexes (issue 5). Pruning and the
// result are in selection_prune.cpp, the report methods of SelectionResult in
// selection_report.cpp.
#include "core/selection.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "core/selection_engine.hpp"

namespace chanmirror::core {

namespace detail {

auto Selector::prepare() -> Result<void> {
    if (options_.latest && *options_.latest < 1) {
        return fail(ErrorKind::invalid_input,
                    "--latest must be at least 1, not " + std::to_string(*options_.latest));
    }
    if (auto ok = parse_specs(); !ok) {
        return ok;
    }
    index_inputs();
    return {};
}

auto Selector::parse_specs() -> Result<void> {
    for (const std::string& text : options_.include) {
        const SpecCache::Id id = specs_.intern(text);
        const auto& entry = specs_.entry(id);
        if (!entry.spec) {
            return fail(ErrorKind::invalid_input, "include spec: " + entry.spec.error().message);
        }
        includes_.push_back(id);
        if (entry.spec->has_exact_name()) {
            pins_[entry.spec->name()].push_back(&*entry.spec);
        }
    }
    if (options_.include.empty()) {
        includes_.push_back(specs_.intern(implicit_include));
    }
    for (const std::string& text : options_.exclude) {
        auto spec = MatchSpec::parse(text);
        if (!spec) {
            return fail(ErrorKind::invalid_input, "exclude spec: " + spec.error().message);
        }
        excludes_.push_back(std::move(*spec));
    }
    return {};
}

void Selector::index_inputs() {
    std::uint32_t total = 0;
    for (std::uint32_t i = 0; i < inputs_.size(); ++i) {
        const SelectionInput& in = inputs_[i];
        indices_.push_back(RecordIndex::build(*in.repodata, in.channel, in.subdir));
        offsets_.push_back(total);
        total += static_cast<std::uint32_t>(indices_.back().size());
        all_inputs_.push_back(i);
        if (in.subdir != "noarch" &&
            std::find(platforms_.begin(), platforms_.end(), in.subdir) == platforms_.end()) {
            platforms_.push_back(in.subdir);
        }
    }
    if (platforms_.empty()) {
        platforms_.push_back("noarch");
    }
    context_.resize(platforms_.size());
    for (std::uint32_t i = 0; i < inputs_.size(); ++i) {
        const std::string& subdir = inputs_[i].subdir;
        const auto own = std::find(platforms_.begin(), platforms_.end(), subdir);
        input_platform_.push_back(subdir == "noarch"
                                      ? every_platform
                                      : static_cast<std::uint32_t>(own - platforms_.begin()));
        for (std::uint32_t p = 0; p < platforms_.size(); ++p) {
            if (subdir == "noarch" || subdir == platforms_[p]) {
                context_[p].push_back(i);
            }
        }
    }
    dependency_ids_.resize(inputs_.size());
    allowed_.assign(total, -1);
    selected_.assign(total, 0);
}

auto Selector::locate(std::uint32_t gid) const -> std::pair<std::uint32_t, std::uint32_t> {
    const auto it = std::upper_bound(offsets_.begin(), offsets_.end(), gid);
    const auto input = static_cast<std::uint32_t>(it - offsets_.begin() - 1);
    return {input, gid - offsets_[input]};
}

auto Selector::fields(std::uint32_t gid) const -> RecordFields {
    const auto [input, id] = locate(gid);
    return indices_[input].fields(id);
}

// Valid, matching every include spec that pins its name, and no exclude spec.
bool Selector::allowed(std::uint32_t gid) {
    if (allowed_[gid] >= 0) {
        return allowed_[gid] == 1;
    }
    const auto [input, id] = locate(gid);
    const RecordView& record = indices_[input].record(id);
    bool ok = record.valid;
    if (ok) {
        const RecordFields f = indices_[input].fields(id);
        if (const auto pins = pins_.find(record.name); pins != pins_.end()) {
            ok = std::all_of(pins->second.begin(), pins->second.end(),
                             [&](const MatchSpec* pin) { return pin->matches(f); });
        }
        ok = ok && std::none_of(excludes_.begin(), excludes_.end(),
                                [&](const MatchSpec& ex) { return ex.matches(f); });
    }
    allowed_[gid] = ok ? 1 : 0;
    return ok;
}

auto Selector::inputs_of(std::uint32_t platform) const -> const std::vector<std::uint32_t>& {
    return platform == every_platform ? all_inputs_ : context_[platform];
}

// The candidates of a spec in a platform's context (issue 5 step 1), computed once.
auto Selector::candidates(SpecCache::Id id, std::uint32_t platform) -> Candidates& {
    const std::uint64_t key = memo_key(id, platform);
    if (const auto it = candidates_.find(key); it != candidates_.end()) {
        return it->second;
    }
    const MatchSpec& spec = *specs_.entry(id).spec;
    if (spec.has_exact_name()) {
        result_.visited_names.insert(spec.name());
    } else {
        result_.visited_patterns.insert(spec.name());
    }
    std::vector<std::uint32_t> found;
    for_each_named(spec, inputs_of(platform), [&](std::uint32_t gid) {
        if (allowed(gid) && spec.matches(fields(gid))) {
            found.push_back(gid);
        }
    });
    if (options_.latest) {
        keep_latest(found);
    }
    return candidates_.emplace(key, Candidates{std::move(found), false}).first->second;
}

// Keeps the records whose version is among the N newest of their name (equal versions once).
// One pass keeps each name's N newest distinct versions; a second filters by the oldest of them.
void Selector::keep_latest(std::vector<std::uint32_t>& gids) const {
    const auto n = static_cast<std::size_t>(*options_.latest);
    std::unordered_map<std::string_view, std::vector<const Version*>> newest;  // descending
    auto record = [&](std::uint32_t gid) -> const RecordView& {
        const auto [input, id] = locate(gid);
        return indices_[input].record(id);
    };
    for (const std::uint32_t gid : gids) {
        const RecordView& r = record(gid);
        auto& top = newest[r.name];
        auto at =
            std::find_if(top.begin(), top.end(), [&](const Version* v) { return r.version >= *v; });
        if ((at != top.end() && **at == r.version) || (at == top.end() && top.size() >= n)) {
            continue;  // already there, or older than the N kept
        }
        top.insert(at, &r.version);
        if (top.size() > n) {
            top.pop_back();
        }
    }
    std::erase_if(gids, [&](std::uint32_t gid) {
        const RecordView& r = record(gid);
        return r.version < *newest[r.name].back();
    });
}

void Selector::seed() {
    for (const SpecCache::Id id : includes_) {
        std::size_t found = 0;
        for (std::uint32_t p = 0; p < platforms_.size(); ++p) {
            for (const std::uint32_t gid : candidates(id, p).gids) {
                ++found;
                if (!selected_[gid]) {
                    selected_[gid] = 1;
                    queue_.push_back(gid);
                    ++result_.seeds;
                }
            }
        }
        if (found == 0) {
            result_.unmatched_includes.emplace_back(specs_.entry(id).text);
        }
    }
}

void Selector::follow(std::uint32_t gid, SpecCache::Id spec, std::uint32_t platform) {
    Candidates& found = candidates(spec, platform);
    if (found.gids.empty()) {
        Missing& m = missing_[{spec, platform}];
        m.first_gid = m.dependents == 0 ? gid : m.first_gid;
        ++m.dependents;
    }
    if (found.followed) {
        return;
    }
    found.followed = true;
    for (const std::uint32_t c : found.gids) {
        if (!selected_[c]) {
            selected_[c] = 1;
            queue_.push_back(c);
            ++result_.closure_added;
        }
    }
}

// The k-th depends entry of a record, interned once.
auto Selector::dependency(std::uint32_t input, std::uint32_t id, std::size_t k) -> SpecCache::Id {
    const RecordView& r = indices_[input].record(id);
    auto& ids = dependency_ids_[input];
    const std::size_t at = r.depends_begin + k;
    if (ids.size() < r.depends_begin + r.depends_count) {
        ids.resize(r.depends_begin + r.depends_count, unset_id);
    }
    if (ids[at] == unset_id) {
        ids[at] = specs_.intern(indices_[input].depends(id)[k]);
    }
    return ids[at];
}

void Selector::close() {
    while (!queue_.empty()) {
        const std::uint32_t gid = queue_.back();
        queue_.pop_back();
        const auto [input, id] = locate(gid);
        // By position: looking up candidates reads more records, which may move depends().
        for (std::size_t k = 0; k < indices_[input].depends(id).size(); ++k) {
            const SpecCache::Id spec = dependency(input, id, k);
            const auto& entry = specs_.entry(spec);
            if (entry.is_virtual) {
                continue;
            }
            if (!entry.spec) {
                invalid_.emplace(spec, gid);
                continue;
            }
            const std::uint32_t own = input_platform_[input];
            if (own != every_platform) {
                follow(gid, spec, own);
                continue;
            }
            for (std::uint32_t p = 0; p < platforms_.size(); ++p) {
                follow(gid, spec, p);
            }
        }
    }
}

}  // namespace detail

namespace {

// Without include specs, exclude specs or latest-N: every file, untouched.
SelectionResult everything(const std::vector<SelectionInput>& inputs) {
    SelectionResult result;
    for (const SelectionInput& in : inputs) {
        auto& files = result.files[{in.channel, in.subdir}];
        for (const RecordMap* section : {&in.repodata->packages, &in.repodata->conda_packages}) {
            for (const auto& entry : *section) {
                files.insert(entry.first);
            }
        }
        result.seeds += in.repodata->size();
    }
    return result;
}

}  // namespace

auto select_files(const std::vector<SelectionInput>& inputs, const SelectionOptions& options)
    -> Result<SelectionResult> {
    if (options.include.empty() && options.exclude.empty() && !options.latest) {
        return everything(inputs);
    }
    detail::Selector selector(inputs, options);
    if (auto ok = selector.prepare(); !ok) {
        return tl::unexpected(ok.error());
    }
    selector.seed();
    selector.close();
    selector.prune();
    return selector.finish();
}

}  // namespace chanmirror::core