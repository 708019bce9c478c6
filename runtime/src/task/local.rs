//! `task_local!`: a value that belongs to one task, seen across its awaits.
//!
//! A thread-local is the wrong tool in an async runtime: many tasks take
//! turns on one thread, so a value set by one task would be seen by every
//! task polled after it. A task-local is a thread-local that holds a value
//! only while the future that owns the value is being polled:
//!
//! ```text
//!   KEY.scope(value, fut) ──► TaskLocalFuture { slot: Some(value), fut }
//!
//!   each poll:   swap slot ⇄ thread-local    (KEY now holds `value`)
//!                poll fut                     (KEY.with(..) sees it, across awaits)
//!                swap back                    (KEY empty again, `value` back in slot)
//! ```
//!
//! Between two polls the value lives inside the [`TaskLocalFuture`], so
//! when the loop polls another task, that task finds the key empty (or
//! holding its own value). The swap back is done by a guard, so it also
//! happens when the inner future panics.
//!
//! # Spawned tasks
//!
//! A task spawned inside a scope does **not** inherit the value, as in
//! tokio: it is polled later by the loop, outside the scope's poll. To give
//! it a value, spawn `KEY.scope(value, fut)`.
//!
//! # Invariants
//!
//! - The thread-local holds a scope's value exactly while that scope's
//!   future is being polled (or its `sync_scope` closure runs); nested
//!   scopes of one key stack and unwind in order.

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Declares task-local keys: `static NAME: Type;`, one or more.
///
/// Each becomes a `static NAME: spindle::task::LocalKey<Type>`, empty until
/// a future runs inside [`LocalKey::scope`].
///
/// # Examples
///
/// ```
/// spindle::task_local! {
///     static REQUEST_ID: u32;
/// }
///
/// spindle::block_on(REQUEST_ID.scope(7, async {
///     spindle::yield_now().await;
///     assert_eq!(REQUEST_ID.get(), 7); // still there after the await
/// }));
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

/// The body of [`task_local!`] for one key; not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __SPINDLE_TASK_LOCAL: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey { inner: __SPINDLE_TASK_LOCAL }
        };
    };
}

/// A key for task-local values, declared with [`task_local!`].
///
/// # Examples
///
/// ```
/// spindle::task_local! {
///     static USER: String;
/// }
///
/// spindle::block_on(async {
///     let name = USER.scope("ada".to_string(), async { USER.get() }).await;
///     assert_eq!(name, "ada");
///     assert!(USER.try_with(|_| ()).is_err()); // outside the scope
/// });
/// ```
pub struct LocalKey<T: 'static> {
    /// The thread-local behind the key: `Some` while a scope's future is
    /// being polled. Public only so that [`task_local!`] can build the
    /// key; use the methods.
    #[doc(hidden)]
    pub inner: std::thread::LocalKey<RefCell<Option<T>>>,
}

impl<T: 'static> LocalKey<T> {
    /// Runs `future` with the key set to `value` during each of its polls.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::task_local! { static DEPTH: u8; }
    ///
    /// spindle::block_on(async {
    ///     DEPTH.scope(1, async {
    ///         assert_eq!(DEPTH.get(), 1);
    ///         DEPTH.scope(2, async { assert_eq!(DEPTH.get(), 2) }).await;
    ///         assert_eq!(DEPTH.get(), 1); // the inner scope ended
    ///     }).await;
    /// });
    /// ```
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            slot: Some(value),
            future: Some(future),
        }
    }

    /// Runs the closure `f` with the key set to `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::task_local! { static LIMIT: usize; }
    /// assert_eq!(LIMIT.sync_scope(5, || LIMIT.get() * 2), 10);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if called from inside [`with`](Self::with) of the same key.
    pub fn sync_scope<R>(&'static self, value: T, f: impl FnOnce() -> R) -> R {
        let mut slot = Some(value);
        let _swap = Swap::enter(self, &mut slot);
        f()
    }

    /// Calls `f` with a reference to the value of the current scope.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::task_local! { static NAME: String; }
    /// let len = NAME.sync_scope("spindle".into(), || NAME.with(|name| name.len()));
    /// assert_eq!(len, 7);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics outside a scope of this key; [`try_with`](Self::try_with)
    /// returns an error instead.
    #[track_caller]
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        match self.try_with(f) {
            Ok(r) => r,
            Err(err) => panic!("{err}"),
        }
    }

    /// Calls `f` with a reference to the value of the current scope, or
    /// fails outside a scope.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::task_local! { static NAME: String; }
    /// assert!(NAME.try_with(|name| name.clone()).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`AccessError`] when no scope of this key is being polled (or the
    /// thread is tearing down its thread-locals).
    pub fn try_with<R>(&'static self, f: impl FnOnce(&T) -> R) -> Result<R, AccessError> {
        self.inner
            .try_with(|cell| cell.borrow().as_ref().map(f))
            .ok()
            .flatten()
            .ok_or(AccessError { _private: () })
    }

    /// Returns a copy of the value of the current scope.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::task_local! { static ID: u64; }
    /// assert_eq!(ID.sync_scope(9, || ID.get()), 9);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics outside a scope of this key.
    #[track_caller]
    pub fn get(&'static self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("LocalKey { .. }")
    }
}

/// Swaps a scope's value into the key and, when dropped, back out.
struct Swap<'a, T: 'static> {
    /// The key.
    key: &'static LocalKey<T>,
    /// The scope's value while it is not in the key; the key's previous
    /// value (an outer scope's, or `None`) while it is.
    slot: &'a mut Option<T>,
}

impl<'a, T: 'static> Swap<'a, T> {
    /// Moves `slot` into the key and the key's old value into `slot`.
    fn enter(key: &'static LocalKey<T>, slot: &'a mut Option<T>) -> Swap<'a, T> {
        key.inner.with(|cell| {
            std::mem::swap(
                &mut *cell
                    .try_borrow_mut()
                    .expect("a task-local scope was entered inside `LocalKey::with` of its key"),
                slot,
            )
        });
        Swap { key, slot }
    }

    /// [`enter`](Self::enter), or `None` where the key cannot be entered:
    /// its thread-local is being torn down, or it is borrowed.
    fn try_enter(key: &'static LocalKey<T>, slot: &'a mut Option<T>) -> Option<Swap<'a, T>> {
        let entered = key
            .inner
            .try_with(|cell| match cell.try_borrow_mut() {
                Ok(mut value) => {
                    std::mem::swap(&mut *value, slot);
                    true
                }
                Err(_) => false,
            })
            .unwrap_or(false);
        entered.then_some(Swap { key, slot })
    }
}

impl<T: 'static> Drop for Swap<'_, T> {
    fn drop(&mut self) {
        // `try_with`: the thread may be tearing down its thread-locals.
        let _ = self.key.inner.try_with(|cell| {
            if let Ok(mut value) = cell.try_borrow_mut() {
                std::mem::swap(&mut *value, self.slot);
            }
        });
    }
}

pin_project_lite::pin_project! {
    /// The future of [`LocalKey::scope`]: the inner future, run with the
    /// key set during each poll.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::task_local! { static N: i32; }
    /// let fut: spindle::task::TaskLocalFuture<i32, _> = N.scope(3, async { N.get() });
    /// assert_eq!(spindle::block_on(fut), 3);
    /// ```
    pub struct TaskLocalFuture<T: 'static, F> {
        // The key the value belongs to.
        key: &'static LocalKey<T>,
        // The value between polls; `None` while it is in the key.
        slot: Option<T>,
        // The inner future; `None` once it completed (it is dropped inside
        // the scope, so its last code still sees the value).
        #[pin]
        future: Option<F>,
    }

    impl<T: 'static, F> PinnedDrop for TaskLocalFuture<T, F> {
        // A future dropped before it completed (its task aborted, its
        // handle's runtime dropped, its poll panicked) is dropped inside
        // the scope, so its destructor still sees the value, as tokio's
        // does. Where the key cannot be entered (its thread-local is gone,
        // or a `with` of it is running), the future drops without it.
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            if this.future.is_some() {
                let _swap = Swap::try_enter(this.key, this.slot);
                this.future.set(None);
            }
        }
    }
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        let _swap = Swap::enter(this.key, this.slot);
        let Some(future) = this.future.as_mut().as_pin_mut() else {
            panic!("`TaskLocalFuture` polled after it completed");
        };
        let poll = future.poll(cx);
        if poll.is_ready() {
            this.future.set(None);
        }
        poll
    }
}

impl<T: 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("done", &self.future.is_none())
            .finish_non_exhaustive()
    }
}

/// The error of [`LocalKey::try_with`] outside a scope of the key.
///
/// # Examples
///
/// ```
/// spindle::task_local! { static K: u8; }
/// let err: spindle::task::AccessError = K.try_with(|_| ()).unwrap_err();
/// assert!(err.to_string().contains("outside"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessError {
    /// Keeps the error from being built outside this module.
    _private: (),
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "task-local value accessed outside its scope: no `LocalKey::scope` of this key \
             is being polled (a spawned task does not inherit its spawner's task-locals)",
        )
    }
}

impl Error for AccessError {}
