#include "state/tenants.hpp"

#include <algorithm>
#include <mutex>

namespace lee::state {

std::shared_ptr<Tenant> TenantDirectory::find(std::uint64_t sdkappid) const {
    std::shared_lock lock(mutex_);
    const auto it = tenants_.find(sdkappid);
    return it == tenants_.end() ? nullptr : it->second;
}

std::shared_ptr<Tenant> TenantDirectory::get_or_create(std::uint64_t sdkappid, std::int64_t now_ms) {
    if (auto existing = find(sdkappid)) return existing;
    std::unique_lock lock(mutex_);
    if (const auto it = tenants_.find(sdkappid); it != tenants_.end()) return it->second;
    if (tenants_.size() >= prune_at_) prune_locked(now_ms);
    if (tenants_.size() >= limits_.max_apps) {
        // At the bound, apps that hold nothing any more make room, looked for once a second at most (a scan of
        // every app per refused request would let a client make each one expensive).
        const auto now = std::chrono::steady_clock::now();
        if (now - last_bound_prune_ >= std::chrono::seconds(1)) {
            last_bound_prune_ = now;
            prune_locked(now_ms);
        }
        if (tenants_.size() >= limits_.max_apps) return nullptr;
    }
    auto tenant = std::make_shared<Tenant>(limits_.max_rooms_per_app);
    tenants_.emplace(sdkappid, tenant);
    return tenant;
}

void TenantDirectory::reset(std::optional<std::uint64_t> sdkappid) {
    // Cleared in place: a request holding a tenant keeps a valid object, and its effects land in the new state.
    {
        std::shared_lock lock(mutex_);
        for (const auto& [id, tenant] : tenants_) {
            if (!sdkappid || *sdkappid == id) tenant->clear();
        }
    }
    // Then the cleared apps that no request holds go, with what their tables still held: an app costs nothing
    // until it is used again.
    std::unique_lock lock(mutex_);
    boost::unordered::erase_if(tenants_, [&](const auto& entry) {
        return (!sdkappid || *sdkappid == entry.first) && entry.second.use_count() == 1 &&
               entry.second->rooms.size() == 0;
    });
    if (!sdkappid) {  // the table itself shrinks too (erasing keeps its buckets)
        decltype(tenants_) kept(tenants_.begin(), tenants_.end());
        tenants_.swap(kept);
    }
    prune_at_ = std::max<std::size_t>(1024, tenants_.size() * 2);
}

std::vector<std::pair<std::uint64_t, std::shared_ptr<Tenant>>> TenantDirectory::all() const {
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Tenant>>> out;
    {
        std::shared_lock lock(mutex_);
        out.assign(tenants_.begin(), tenants_.end());
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

void TenantDirectory::replace(std::optional<std::uint64_t> only,
                              std::vector<std::pair<std::uint64_t, TenantContents>> contents) {
    reset(only);
    for (auto& [sdkappid, content] : contents) {
        std::shared_ptr<Tenant> tenant;
        {
            std::unique_lock lock(mutex_);
            auto& slot = tenants_[sdkappid];
            if (!slot) slot = std::make_shared<Tenant>(limits_.max_rooms_per_app);
            tenant = slot;
        }
        tenant->rooms.replace(std::move(content.rooms), content.windows);
    }
}

std::size_t TenantDirectory::size() const {
    std::shared_lock lock(mutex_);
    return tenants_.size();
}

std::vector<std::pair<std::uint64_t, std::size_t>> TenantDirectory::room_counts() const {
    std::vector<std::pair<std::uint64_t, std::size_t>> out;
    {
        std::shared_lock lock(mutex_);
        for (const auto& [id, tenant] : tenants_) {
            if (const std::size_t rooms = tenant->rooms.size()) out.emplace_back(id, rooms);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void TenantDirectory::prune(std::int64_t now_ms) {
    std::unique_lock lock(mutex_);
    prune_locked(now_ms);
}

void TenantDirectory::prune_locked(std::int64_t now_ms) {
    // With the directory locked exclusively no request can obtain a tenant, so use_count() == 1 means nobody
    // else holds it and it can be dropped without losing a concurrent write.
    boost::unordered::erase_if(tenants_, [&](const auto& entry) {
        Tenant& tenant = *entry.second;
        return entry.second.use_count() == 1 && tenant.rate.idle(now_ms) && tenant.rooms.idle(now_ms);
    });
    prune_at_ = std::max<std::size_t>(1024, tenants_.size() * 2);
}

}  // namespace lee::state
