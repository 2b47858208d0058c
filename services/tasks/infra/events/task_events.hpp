#pragma once
// The events of the tasks service, in one place: which change produces which todo.task.* event
// and what its data holds. The CloudEvents envelope around the data is the outbox's
// (platform::bus::EventEnvelope), written when the event is enqueued.
//
//   created    a new task                            data: the task with its owner_id
//   updated    a change by the owner (PATCH, PUT)    data: the task with its owner_id
//   completed  status turned done                    data: the task with its owner_id
//   reopened   status left done                      data: the task with its owner_id
//   expired    expires_at passed, on_expire "keep"   data: the task with its owner_id
//   deleted    deleted by its owner, expired with on_expire "delete", or its owner erased
//              data: id, owner_id, version, title (not for an erasure), reason "expired"
//              for an expiry

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/task.hpp"
#include "platform/bus/outbox.hpp"

namespace tasks::infra {

// The source of every tasks event.
inline constexpr std::string_view kTaskEventSource = "/tasks";

inline constexpr std::string_view kTaskCreated = "todo.task.created";
inline constexpr std::string_view kTaskUpdated = "todo.task.updated";
inline constexpr std::string_view kTaskCompleted = "todo.task.completed";
inline constexpr std::string_view kTaskReopened = "todo.task.reopened";
inline constexpr std::string_view kTaskExpired = "todo.task.expired";
inline constexpr std::string_view kTaskDeleted = "todo.task.deleted";

// The event of a change to a stored task (updated, completed or reopened).
std::string_view TaskChangeEvent(domain::TaskChange change);

// Why a task was deleted; only an expiry names its reason in the event.
enum class DeletedBy { kOwner, kExpiry, kOwnerErasure };

// A task's new state under `type` (created, updated, completed, reopened or expired).
platform::bus::EventDraft TaskStateEvent(std::string_view type, const domain::Task& task,
                                         std::string request_id = {});

// todo.task.deleted of the task `id`; `version` is the event's (the deleted row's version + 1)
// and `title` the task's last (left out for an owner's erasure).
platform::bus::EventDraft TaskDeletedEvent(const std::string& id, const std::string& owner_id,
                                           std::int64_t version, DeletedBy by,
                                           std::optional<std::string> title,
                                           std::string request_id = {});

}  // namespace tasks::infra
