#pragma once
// Private to core/selection*.cpp: the state of one select_files() run.
// selection.cpp: specs, candidates, seeds and closure; selection_prune.cpp: pruning and
// the result.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/record_view.hpp"
#include "core/selection.hpp"

namespace chanmirror::core::detail {

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

inline std::uint64_t memo_key(SpecCache::Id spec, std::uint32_t platform) {
    return (static_cast<std::uint64_t>(spec) << 32) | platform;
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

}  // namespace chanmirror::core::detail
