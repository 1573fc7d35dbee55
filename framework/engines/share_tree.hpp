#pragma once
// The fixed order in which an enumeration's shares are summed. The configurations are cut
// into S shares (S a power of two, fixed by the size of the work, never by the threads or
// ranks that do it); each share is summed into a partial of its own, and the partials are
// merged pairwise, always the left absorbing the right:
//   level 1: (0 1) (2 3) ...,  level 2: (0-1 2-3) ...,  ...  up to the root 0-(S-1).
// Floating-point sums depend on their order; this one is the same whoever does the work, so
// the results are the same to the last bit with any number of threads or ranks.
//
// A ShareTree merges partials as they arrive, from any thread: a node merges with its
// sibling as soon as both are done, so that few partials are alive at once however many
// shares there are. A tree may own only the shares [first, last) (a rank's part of the
// work): a node whose parent reaches outside that range stays, and what stays at the end
// (the frontier: the largest aligned blocks covering the range) is what the rank sends on;
// a tree over all shares built from every rank's frontier merges them as one process would.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace helmholtz {

template <class Partial>
class ShareTree {
 public:
  // A finished subtree: shares [start, start + width), width a power of two, start a
  // multiple of it.
  struct Node {
    std::size_t start = 0, width = 1;
    std::unique_ptr<Partial> partial;
  };
  // merge(left, right) folds right into left.
  using Merge = std::function<void(Partial& left, const Partial& right)>;

  ShareTree(std::size_t shares, std::size_t first, std::size_t last, Merge merge)
      : shares_(shares), first_(first), last_(last), merge_(std::move(merge)) {}

  // A partial to fill: a spare one (from merged nodes) or a new one.
  std::unique_ptr<Partial> spare() {
    std::lock_guard lock(mutex_);
    if (spares_.empty()) return std::make_unique<Partial>();
    auto p = std::move(spares_.back());
    spares_.pop_back();
    return p;
  }

  // Adds a finished subtree and merges upwards while its siblings are done. Thread-safe; the
  // merges themselves run outside the lock.
  void add(Node node) {
    std::unique_lock lock(mutex_);
    for (;;) {
      const std::size_t parent_width = node.width * 2;
      const std::size_t parent_start = node.start & ~(parent_width - 1);
      const std::size_t sibling = node.start ^ node.width;
      auto found = parent_width > shares_ || parent_start < first_ || parent_start + parent_width > last_
                       ? nodes_.end()
                       : nodes_.find({sibling, node.width});
      if (found == nodes_.end()) {
        const std::pair<std::size_t, std::size_t> key{node.start, node.width};
        nodes_.emplace(key, std::move(node.partial));
        return;
      }
      std::unique_ptr<Partial> other = std::move(found->second);
      nodes_.erase(found);
      lock.unlock();
      if (node.start < sibling) {
        merge_(*node.partial, *other);
      } else {
        merge_(*other, *node.partial);
        std::swap(node.partial, other);
      }
      lock.lock();
      spares_.push_back(std::move(other));
      node.start = parent_start;
      node.width = parent_width;
    }
  }

  // The nodes left, in order of their shares; the tree is empty afterwards. Over all shares,
  // once every share is added, that is the root alone.
  std::vector<Node> take_frontier() {
    std::lock_guard lock(mutex_);
    std::vector<Node> out;
    for (auto& [key, partial] : nodes_) out.push_back({key.first, key.second, std::move(partial)});
    nodes_.clear();
    return out;
  }

  // Gives back a partial taken from the frontier, for reuse.
  void recycle(std::unique_ptr<Partial> partial) {
    std::lock_guard lock(mutex_);
    spares_.push_back(std::move(partial));
  }

 private:
  std::size_t shares_, first_, last_;
  Merge merge_;
  std::mutex mutex_;
  std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<Partial>> nodes_;
  std::vector<std::unique_ptr<Partial>> spares_;
};

// The shares of `rank` among `ranks`: contiguous, as even as can be ([first, last)).
inline std::pair<std::size_t, std::size_t> rank_shares(std::size_t shares, std::size_t rank, std::size_t ranks) {
  return {shares * rank / ranks, shares * (rank + 1) / ranks};
}

}  // namespace helmholtz
