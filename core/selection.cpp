// select_files: candidates, seeds, closure and pruning over RecordIndexes (issue 5).
// The report methods of SelectionResult are in selection_report.cpp.
#include "core/selection.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "core/record_view.hpp"

namespace chanmirror::core {

namespace {

constexpr std::uint32_t every_platform = UINT32_MAX;
constexpr std::string_view implicit_include = "*";

struct Candidates {
    std::vector<std::uint32_t> gids;
    bool followed = false;  // all of them selected by the closure already
};

constexpr SpecCache::Id unset_id = UINT32_MAX;

struct Missing {
    std::uint32_t first_gid = 0;
    std::size_t dependents = 0;
};

class Selector {
  public:
    Selector(const std::vector<SelectionInput>& inputs, const SelectionOptions& options)
        : inputs_(inputs), options_(options) {}

    auto prepare() -> Result<void>;
    void seed();
    void close();
    void prune();
    auto finish() -> SelectionResult;

  private:
    auto parse_specs() -> Result<void>;
    void index_inputs();
    auto locate(std::uint32_t gid) const -> std::pair<std::uint32_t, std::uint32_t>;
    auto fields(std::uint32_t gid) const -> RecordFields;
    bool allowed(std::uint32_t gid);
    template <typename F>
    void for_each_named(const MatchSpec& spec, const std::vector<std::uint32_t>& inputs, F f);
    auto candidates(SpecCache::Id spec, std::uint32_t platform) -> Candidates&;
    auto dependency(std::uint32_t input, std::uint32_t id, std::size_t k) -> SpecCache::Id;
    void keep_latest(std::vector<std::uint32_t>& gids) const;
    auto inputs_of(std::uint32_t platform) const -> const std::vector<std::uint32_t>&;
    void follow(std::uint32_t gid, SpecCache::Id spec, std::uint32_t platform);
    bool satisfied(SpecCache::Id spec, std::uint32_t platform,
                   std::unordered_map<std::uint64_t, bool>& memo);
    bool depends_on_any(std::uint32_t gid, const std::vector<std::uint8_t>& affected);
    auto first_unsatisfied(std::uint32_t gid, std::unordered_map<std::uint64_t, bool>& memo)
        -> const SpecCache::Entry*;

    const std::vector<SelectionInput>& inputs_;
    const SelectionOptions& options_;
    SelectionResult result_;

    std::vector<SpecCache::Id> includes_;
    std::vector<MatchSpec> excludes_;
    // By exact name; keys view the specs' names in specs_ (stable).
    std::unordered_map<std::string_view, std::vector<const MatchSpec*>> pins_;
    SpecCache specs_;  // include specs and depends texts

    std::vector<RecordIndex> indices_;
    std::vector<std::uint32_t> offsets_;  // gid = offsets_[input] + record id
    std::vector<std::string> platforms_;
    std::vector<std::vector<std::uint32_t>> context_;  // per platform: its inputs
    std::vector<std::uint32_t> all_inputs_;
    std::vector<std::uint32_t> input_platform_;  // every_platform for noarch inputs

    std::vector<std::int8_t> allowed_;  // per gid: -1 not yet known
    std::vector<std::uint8_t> selected_;
    std::vector<std::uint32_t> queue_;
    std::unordered_map<std::uint64_t, Candidates> candidates_;
    std::vector<std::vector<SpecCache::Id>> dependency_ids_;  // per input, as its depends()
    std::map<std::pair<SpecCache::Id, std::uint32_t>, Missing> missing_;
    std::map<SpecCache::Id, std::uint32_t> invalid_;  // spec -> first record needing it
};

std::uint64_t memo_key(SpecCache::Id spec, std::uint32_t platform) {
    return (static_cast<std::uint64_t>(spec) << 32) | platform;
}

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

// Calls f(gid) for every valid record of `inputs` that the name of `spec` may match.
template <typename F>
void Selector::for_each_named(const MatchSpec& spec, const std::vector<std::uint32_t>& inputs,
                              F f) {
    for (const std::uint32_t input : inputs) {
        RecordIndex& index = indices_[input];
        if (spec.has_exact_name()) {
            for (const std::uint32_t id : index.named(spec.name())) {
                f(offsets_[input] + id);
            }
            continue;
        }
        index.load_all();
        for (std::uint32_t id = 0; id < index.size(); ++id) {
            if (index.record(id).valid) {
                f(offsets_[input] + id);
            }
        }
    }
}

auto Selector::candidates(SpecCache::Id id, std::uint32_t platform) -> Candidates& {
    const std::uint64_t key = memo_key(id, platform);
    if (const auto it = candidates_.find(key); it != candidates_.end()) {
        return it->second;
    }
    const MatchSpec& spec = *specs_.entry(id).spec;
    if (spec.has_exact_name()) {
        result_.visited_names.insert(spec.name());
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

bool Selector::satisfied(SpecCache::Id id, std::uint32_t platform,
                         std::unordered_map<std::uint64_t, bool>& memo) {
    const std::uint64_t key = memo_key(id, platform);
    if (const auto it = memo.find(key); it != memo.end()) {
        return it->second;
    }
    const MatchSpec& spec = *specs_.entry(id).spec;
    bool found = false;
    for_each_named(spec, inputs_of(platform), [&](std::uint32_t gid) {
        found = found || (selected_[gid] && spec.matches(fields(gid)));
    });
    memo.emplace(key, found);
    return found;
}

auto Selector::first_unsatisfied(std::uint32_t gid, std::unordered_map<std::uint64_t, bool>& memo)
    -> const SpecCache::Entry* {
    const auto [input, id] = locate(gid);
    for (std::size_t k = 0; k < indices_[input].depends(id).size(); ++k) {
        const SpecCache::Id spec = dependency(input, id, k);
        const auto& entry = specs_.entry(spec);
        if (!entry.is_virtual && entry.spec && !satisfied(spec, input_platform_[input], memo)) {
            return &entry;
        }
    }
    return nullptr;
}

// Drops are decided on the selection as it stood at the start of each round, then applied;
// rounds repeat until none drops. This reaches the largest closed subset in any order.
void Selector::prune() {
    std::unordered_map<std::uint64_t, bool> memo;
    std::vector<std::uint8_t> affected;  // per spec: may have lost its match; empty: all
    for (;;) {
        memo.clear();
        std::vector<std::pair<std::uint32_t, const SpecCache::Entry*>> drops;
        for (std::uint32_t gid = 0; gid < selected_.size(); ++gid) {
            if (selected_[gid] && (affected.empty() || depends_on_any(gid, affected))) {
                if (const auto* entry = first_unsatisfied(gid, memo)) {
                    drops.emplace_back(gid, entry);
                }
            }
        }
        if (drops.empty()) {
            return;
        }
        std::unordered_set<std::string_view> names;
        for (const auto& [gid, entry] : drops) {
            selected_[gid] = 0;
            const auto [input, id] = locate(gid);
            names.insert(indices_[input].record(id).name);
            result_.dropped.push_back(DroppedRecord{{inputs_[input].channel, inputs_[input].subdir},
                                                    std::string(indices_[input].filename(id)),
                                                    std::string(entry->text)});
        }
        // Only records depending on a name that lost records can become unsatisfied.
        affected.assign(specs_.size(), 0);
        for (SpecCache::Id spec = 0; spec < specs_.size(); ++spec) {
            const auto& e = specs_.entry(spec);
            affected[spec] =
                e.spec && (!e.spec->has_exact_name() || names.contains(e.spec->name()));
        }
    }
}

bool Selector::depends_on_any(std::uint32_t gid, const std::vector<std::uint8_t>& affected) {
    const auto [input, id] = locate(gid);
    for (std::size_t k = 0; k < indices_[input].depends(id).size(); ++k) {
        const SpecCache::Id spec = dependency(input, id, k);
        if (spec < affected.size() && affected[spec]) {
            return true;
        }
    }
    return false;
}

auto Selector::finish() -> SelectionResult {
    auto where = [&](std::uint32_t gid) {
        const auto [input, id] = locate(gid);
        return std::make_pair(SubdirKey{inputs_[input].channel, inputs_[input].subdir},
                              std::string(indices_[input].filename(id)));
    };
    for (std::uint32_t i = 0; i < inputs_.size(); ++i) {
        // Ids run through packages, then packages.conda, each sorted: merge, then append.
        std::vector<std::string_view> names[2];
        for (std::uint32_t id = 0; id < indices_[i].size(); ++id) {
            if (selected_[offsets_[i] + id]) {
                const std::string_view name = indices_[i].filename(id);
                names[name.ends_with(".conda") ? 1 : 0].push_back(name);
            }
        }
        std::vector<std::string_view> sorted(names[0].size() + names[1].size());
        std::merge(names[0].begin(), names[0].end(), names[1].begin(), names[1].end(),
                   sorted.begin());
        auto& files = result_.files[{inputs_[i].channel, inputs_[i].subdir}];
        for (const std::string_view name : sorted) {
            files.emplace_hint(files.end(), name);
        }
        for (const std::string& problem : indices_[i].problems()) {
            result_.unreadable.push_back(inputs_[i].channel + "/" + inputs_[i].subdir + "/" +
                                         problem);
        }
    }
    for (const auto& [key, m] : missing_) {
        auto [location, filename] = where(m.first_gid);
        result_.missing.push_back(MissingDependency{std::string(specs_.entry(key.first).text),
                                                    platforms_[key.second], std::move(location),
                                                    std::move(filename), m.dependents});
    }
    for (const auto& [spec, gid] : invalid_) {
        const auto& entry = specs_.entry(spec);
        const auto [location, filename] = where(gid);
        result_.invalid_depends.push_back(entry.spec.error().message + " (needed by " +
                                          location.first + "/" + location.second + "/" + filename +
                                          ")");
    }
    return std::move(result_);
}

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
    Selector selector(inputs, options);
    if (auto ok = selector.prepare(); !ok) {
        return tl::unexpected(ok.error());
    }
    selector.seed();
    selector.close();
    selector.prune();
    return selector.finish();
}

}  // namespace chanmirror::core
