//! The task slab: [`Core::spawn`] puts a task in, boxed beside its
//! header (recycled from a pool when one is free), and schedules its first
//! poll; [`Core::remove`] takes it out once it is done. The slab index and
//! the task's id together are its [`TaskRef`].

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;

use super::metrics::Counters;
use super::{Core, TaskEntry};
use crate::explain;
use crate::task::waker::Header;
use crate::task::TaskRef;
use crate::task::{join_handle, JoinHandle, JoinState, Task, TaskCell};

impl Core {
    /// Creates a task for `future`, schedules it, and returns its handle.
    #[track_caller]
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = self.shared.next_task_id();
        let join = self.spawn_task(id, future, Arc::new(JoinState::new(id)), Location::caller());
        join_handle(join)
    }

    /// Creates task `id` for `future`, reporting to `join`, and schedules
    /// it; returns `join` for the handle.
    pub(crate) fn spawn_task<F>(
        &self,
        id: u64,
        future: F,
        mut join: Arc<JoinState<F::Output>>,
        spawned_at: &'static Location<'static>,
    ) -> Arc<JoinState<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let mut tasks = self.tasks.borrow_mut();
        let entry = tasks.vacant_entry();
        let task = TaskRef {
            index: entry.key(),
            id,
        };
        let header = self.header_for(task);
        // A local spawn owns the only `Arc` of its slot yet: no lock needed.
        match Arc::get_mut(&mut join) {
            Some(unique) => unique.set_header(&header),
            None => join.attach(&header),
        }
        let cell: Pin<Box<dyn Task>> = Box::pin(TaskCell::new(future, header, join.clone()));
        entry.insert(TaskEntry {
            id,
            task: Some(cell),
            spawned_at,
        });
        drop(tasks);
        Counters::add(&self.counters.tasks_spawned, 1);
        Counters::add(&self.counters.tasks_alive, 1);
        if self.explain_on {
            explain::spawned(&self.explain, id);
        }
        self.schedule(task);
        join
    }

    /// A header for a new task: a recycled one if the pool has one, else a
    /// new allocation.
    fn header_for(&self, task: TaskRef) -> Arc<Header> {
        if let Some(mut header) = self.header_pool.borrow_mut().pop() {
            // Pooled headers are unique (see `recycle_header`); `get_mut`
            // checks it again rather than trusting it.
            if let Some(unique) = Arc::get_mut(&mut header) {
                unique.reuse(task);
                return header;
            }
        }
        Arc::new(Header::new(task, self.shared.clone()))
    }

    /// Keeps the header of a task that is gone for the next `spawn`.
    /// Called when the task's cell drops while it holds the only reference:
    /// no waker of the old task exists, so none can ever wake the new one.
    pub(crate) fn recycle_header(&self, header: &Arc<Header>) {
        let mut pool = self.header_pool.borrow_mut();
        if pool.len() < Self::HEADER_POOL && header.belongs_to(&self.shared) {
            pool.push(header.clone());
        }
    }

    /// Frees a finished task's slot.
    pub(super) fn remove(&self, task: TaskRef) {
        let entry = self.tasks.borrow_mut().try_remove(task.index);
        if entry.is_some() {
            let alive = &self.counters.tasks_alive;
            alive.set(alive.get() - 1);
        }
        // `entry` drops here, with no borrow held; the caller holds
        // another `Rc` of the task and drops it last.
        drop(entry);
    }
}
