//! [`TaskRef`]: how the loop names a task, in the run queue, the remote
//! queue and every header. A plain value, so both queues can hold it
//! without knowing anything else of a task.

/// Names one task: its slot in the task slab, and its unique id.
///
/// The id tells this task from a later one that reuses the same slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TaskRef {
    /// Index of the task's slot in `Core::tasks`.
    pub(crate) index: usize,
    /// Unique id of the task, never reused by a runtime; `0` is the
    /// `block_on` future.
    pub(crate) id: u64,
}

impl TaskRef {
    /// The reference used for the future passed to `block_on`, which lives on
    /// the caller's stack rather than in the task slab.
    pub(crate) const MAIN: TaskRef = TaskRef {
        index: usize::MAX,
        id: 0,
    };

    /// Whether this names the `block_on` future.
    pub(crate) fn is_main(self) -> bool {
        self.id == 0
    }
}
