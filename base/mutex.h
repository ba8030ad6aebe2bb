// The project's mutex: one that both of its checkers see. Clang's
// thread-safety analysis sees it because it is an annotated capability
// (ABSL_GUARDED_BY(mu_) works as with absl::Mutex); ThreadSanitizer sees it
// because it is a std::shared_mutex, whose pthread calls TSan intercepts.
// (Debian's abseil is not built with TSan, so absl::Mutex synchronises
// through code TSan cannot see, and every field it guards would be reported
// as a race.) After leveldb's port::Mutex.
#ifndef CENTINELA_BASE_MUTEX_H_
#define CENTINELA_BASE_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace centinela {

// Exclusive and shared locking, and waiting for a condition on the guarded
// state (re-checked whenever another thread releases the exclusive lock, as
// absl::Mutex::Await does). Not movable. Thread-safe.
class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    mu_.unlock();
    changed_.notify_all();  // the guarded state may have changed: waiters re-check
  }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { mu_.lock_shared(); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock_shared(); }

  // With the lock held: releases it until `cond()` holds or `timeout`
  // passes, and holds it again; returns cond().
  template <typename Cond>
  bool AwaitWithTimeout(const Cond& cond, std::chrono::nanoseconds timeout) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::shared_mutex> lock(mu_, std::adopt_lock);
    const bool met = changed_.wait_for(lock, timeout, cond);
    lock.release();  // still held, by the caller's scope
    return met;
  }
  template <typename Cond>
  bool AwaitWithTimeout(const Cond& cond, absl::Duration timeout) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    return AwaitWithTimeout(cond, absl::ToChronoNanoseconds(timeout));
  }
  // The same without a bound.
  template <typename Cond>
  void Await(const Cond& cond) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::shared_mutex> lock(mu_, std::adopt_lock);
    changed_.wait(lock, cond);
    lock.release();
  }

 private:
  std::shared_mutex mu_;
  std::condition_variable_any changed_;
};

// Holds `mu` exclusively for a scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Holds `mu` shared for a scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) { mu_->ReaderLock(); }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace centinela

#endif  // CENTINELA_BASE_MUTEX_H_
