//! Deliveries ordered by virtual time, ties broken by the order they were scheduled, so the
//! run is the same every time.

use hybridsim_proto::time::Millis;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A min-queue of `T` keyed by (time, scheduling order).
#[derive(Debug)]
pub struct Queue<T> {
    heap: BinaryHeap<Reverse<(Millis, u64, Slot<T>)>>,
    next: u64,
}

/// Wraps an item so that only the key takes part in the ordering.
#[derive(Debug)]
struct Slot<T>(T);

impl<T> PartialEq for Slot<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for Slot<T> {}
impl<T> PartialOrd for Slot<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Slot<T> {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue {
            heap: BinaryHeap::new(),
            next: 0,
        }
    }
}

impl<T> Queue<T> {
    /// Schedules `item` at `at`.
    pub fn push(&mut self, at: Millis, item: T) {
        self.heap.push(Reverse((at, self.next, Slot(item))));
        self.next += 1;
    }

    /// The earliest item and its time.
    pub fn pop(&mut self) -> Option<(Millis, T)> {
        self.heap
            .pop()
            .map(|Reverse((at, _, Slot(item)))| (at, item))
    }

    /// The time of the earliest item.
    pub fn peek_time(&self) -> Option<Millis> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Whether nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_then_in_scheduling_order() {
        let mut q = Queue::default();
        q.push(Millis(5), "c");
        q.push(Millis(1), "a");
        q.push(Millis(5), "d");
        q.push(Millis(1), "b");
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, x)| x)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}
